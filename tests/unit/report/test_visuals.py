"""The one description of the pictures: every field exists in its view on the local engine, and the report
reads the description (its queries return each visual's fields, its charts come in the description's order)."""

from __future__ import annotations

import dataclasses

import pytest

from cafelake.athena.local import LocalAthena
from cafelake.report.queries import QUERIES
from cafelake.report.visuals import BY_SLUG, SHEETS, VISUALS, Condition, Visual, missing_columns


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """The local engine over an empty lake: every view exists, with the columns its SQL gives it."""
    with LocalAthena(str(tmp_path_factory.mktemp("empty-lake"))) as local:
        yield local


@pytest.fixture(scope="module")
def view_columns(engine) -> dict[str, list[str]]:
    return {v.view: list(engine.query(f"SELECT * FROM {v.view} LIMIT 0").columns) for v in VISUALS}


def test_every_field_of_every_visual_is_a_column_of_its_view(view_columns):
    assert missing_columns(VISUALS, view_columns) == []


def test_a_visual_naming_a_column_its_view_lacks_is_caught(view_columns):
    """The check above can fail: a renamed field and an unknown view are both reported."""
    drifted = dataclasses.replace(BY_SLUG["posts_by_hour"], value="questions")
    elsewhere = dataclasses.replace(BY_SLUG["daily_trend"], view="v_daily_questions")
    assert missing_columns([drifted, elsewhere], view_columns) == [
        "posts_by_hour: v_posts_by_hour has no column questions",
        "daily_trend: no view v_daily_questions",
    ]


def test_the_reports_query_of_each_visual_returns_the_visuals_fields(engine):
    """The report aggregates the views in its own SQL; what it hands a chart must still hold the shared fields."""
    assert set(QUERIES) == {v.view for v in VISUALS}
    returned = {view: set(engine.query(sql).columns) for view, sql in QUERIES.items()}
    assert {v.slug: sorted(set(v.fields) - returned[v.view]) for v in VISUALS} == {v.slug: [] for v in VISUALS}


def test_fields_name_every_column_a_visual_uses_once():
    visual = BY_SLUG["top_tfidf"]
    assert visual.fields == ("token", "mean_tfidf", "scope", "ranking")
    assert BY_SLUG["group_top_tokens"].fields == ("token", "occurrences", "group_name")
    assert BY_SLUG["cohort_retention"].fields == ("cohort_month", "retention", "months_since_first")


def test_each_visual_has_one_slug_a_known_sheet_or_a_reason_to_stay_in_the_report():
    assert len(BY_SLUG) == len(VISUALS)
    sheets = {s.key for s in SHEETS}
    assert all(v.sheet in sheets for v in VISUALS if v.report_only is None)
    assert [v.slug for v in VISUALS if v.report_only] == ["rising_tokens"]
    with pytest.raises(ValueError, match="a dashboard sheet, or the reason"):
        Visual("x", "v_daily_posts", "bar", "X", "엑스", x="post_date", value="posts")
    with pytest.raises(ValueError, match="exactly one"):
        Condition("rank", equals="1", at_most=3)
    with pytest.raises(ValueError, match="exactly one"):
        Condition("group_name", equals="skin", one_of=("skin", "atopy"))
    with pytest.raises(ValueError, match="exactly one"):
        Condition("group_name")
    assert Condition("group_name", one_of=("skin", "atopy")).values() == ("skin", "atopy")
    assert Condition("group_name", equals="skin").values() == ("skin",)
    with pytest.raises(KeyError, match="no condition on rank"):
        BY_SLUG["top_tokens"].condition("rank")


def test_every_title_is_in_english_and_korean():
    def hangul(text: str) -> bool:
        return any("\uac00" <= ch <= "\ud7a3" for ch in text)

    for item in (*VISUALS, *SHEETS):
        assert item.title_en[:1].isascii() and not hangul(item.title_en) and hangul(item.title_ko), item
        assert item.title == f"{item.title_en} · {item.title_ko}"
