"""Views and checks: Athena SQL that sqlglot parses, named like their files, in dependency order."""

from __future__ import annotations

import pytest
from sqlglot import exp

from cafelake.athena import sqlfiles
from cafelake.schemas import CATALOG_TABLES

REQUIRED_VIEWS = {
    "v_posts_by_hour",
    "v_author_post_frequency",
    "v_top_tokens",
    "v_top_tfidf",
    "v_group_top_tokens",
    "v_daily_posts",
    "v_group_daily_posts",
    "v_author_cohort_retention",
    "v_posts_enriched",
    "v_token_trends",
    "v_tfidf_sql",
    "v_group_cooccurrence",
    "v_rising_groups",
    "v_group_by_age",
    "v_group_body_parts",
}
# Functions sqlglot passes through that DuckDB lacks (FIELD_NOTES); the views must avoid them.
UNPORTABLE = {"format_datetime", "to_iso8601", "with_timezone", "map_agg"}


def test_the_required_views_exist():
    assert {v.name for v in sqlfiles.views()} == REQUIRED_VIEWS


@pytest.mark.parametrize("view", sqlfiles.views(), ids=lambda v: v.name)
def test_view_is_one_create_or_replace_view_named_like_its_file(view):
    tree = view.parse()
    assert isinstance(tree, exp.Create) and tree.kind == "VIEW" and tree.args.get("replace")
    assert tree.this.name == view.name
    assert view.description, "each view file starts with a comment saying what it is for"
    known = {t.name for t in CATALOG_TABLES} | REQUIRED_VIEWS
    assert view.tables() <= known, view.tables() - known
    functions = {f.name.lower() for f in tree.find_all(exp.Anonymous)}
    assert not functions & UNPORTABLE


@pytest.mark.parametrize("check", sqlfiles.checks(), ids=lambda c: c.name)
def test_check_is_a_select_on_catalog_tables(check):
    tree = check.parse()
    assert isinstance(tree, exp.Select | exp.Union)
    assert check.tables() <= {t.name for t in CATALOG_TABLES}
    assert check.description


def test_views_come_after_the_views_they_read(tmp_path, monkeypatch):
    views = tmp_path / "views"
    views.mkdir()
    (views / "a_top.sql").write_text("CREATE OR REPLACE VIEW a_top AS SELECT * FROM m_mid")
    (views / "m_mid.sql").write_text(
        "CREATE OR REPLACE VIEW m_mid AS WITH z_base AS (SELECT 1 AS x) SELECT * FROM z_base JOIN z_base2 ON true"
    )
    (views / "z_base2.sql").write_text("CREATE OR REPLACE VIEW z_base2 AS SELECT * FROM posts_dim")
    monkeypatch.setenv("CAFELAKE_SQL_DIR", str(tmp_path))
    assert [v.name for v in sqlfiles.views()] == ["z_base2", "m_mid", "a_top"]
    (views / "z_base2.sql").write_text("CREATE OR REPLACE VIEW z_base2 AS SELECT * FROM a_top")
    with pytest.raises(ValueError, match="circular"):
        sqlfiles.views()


def test_render_fills_ours_and_leaves_athenas():
    text = "LOCATION '${tokenized_uri}/x/' 'storage.location.template'='${tokenized_uri}/x/dt=${dt}/'"
    out = sqlfiles.render(text, tokenized_uri="s3://b")
    assert out == "LOCATION 's3://b/x/' 'storage.location.template'='s3://b/x/dt=${dt}/'"
    with pytest.raises(ValueError, match="cleansed_uri"):
        sqlfiles.render("LOCATION '${cleansed_uri}/posts/'", tokenized_uri="s3://b")


def test_two_statements_in_one_file_are_refused(tmp_path):
    f = tmp_path / "two.sql"
    f.write_text("SELECT 1; SELECT 2")
    with pytest.raises(ValueError, match="one statement"):
        sqlfiles.SqlFile("two", f, f.read_text()).parse()


def test_the_views_settings_come_from_alerts_yaml(tmp_path, monkeypatch):
    """The rising view is created with alerts.yaml's values (CAFELAKE_CONFIG_DIR overrides it): no placeholder
    is left, and another false-alarm rate gives another threshold."""
    (rising,) = (v for v in sqlfiles.views() if v.name == "v_rising_groups")
    assert "${" not in rising.text and "score >= 4.264891" in rising.text and ">= 5" in rising.text
    (tmp_path / "alerts.yaml").write_text("false_alarm_rate: 0.001\nmin_posts: 3\ntrailing_weeks: 6\n")
    monkeypatch.setenv("CAFELAKE_CONFIG_DIR", str(tmp_path))
    (rising,) = (v for v in sqlfiles.views() if v.name == "v_rising_groups")
    assert "score >= 3.090232" in rising.text and "posts >= 3" in rising.text and "-7 * 6" in rising.text
