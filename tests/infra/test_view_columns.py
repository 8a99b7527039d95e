"""The committed view columns (what synth gives QuickSight) are what the local engine makes of the views' SQL."""

from __future__ import annotations

import shutil

from infra_helpers import ROOT


def test_the_committed_columns_are_the_views_columns_on_the_local_engine():
    from cafelake_infra import view_columns

    assert view_columns.load() == view_columns.generate(), (
        "a view's columns changed: run .venv/bin/python infra/cafelake_infra/view_columns.py and commit the file"
    )


def test_a_view_whose_sql_changes_its_columns_no_longer_matches(tmp_path, monkeypatch):
    """The drift check above can fail: a view given one more column by its SQL differs from the committed file."""
    from cafelake_infra import view_columns

    sql = tmp_path / "athena_queries"
    shutil.copytree(ROOT / "athena_queries", sql)
    view = sql / "views" / "v_daily_posts.sql"
    text = view.read_text(encoding="utf-8")
    view.write_text(text.replace("SELECT", "SELECT\n  1 AS extra,", 1), encoding="utf-8")
    monkeypatch.setenv("CAFELAKE_SQL_DIR", str(sql))
    regenerated, committed = view_columns.generate(), view_columns.load()
    assert regenerated["v_daily_posts"] == [("extra", "INTEGER"), *committed["v_daily_posts"]]
    assert {k: v for k, v in regenerated.items() if k != "v_daily_posts"} == {
        k: v for k, v in committed.items() if k != "v_daily_posts"
    }


def test_every_view_the_stack_deploys_has_committed_columns(synth):
    from cafelake_infra import view_columns

    assert list(view_columns.load()) == [v.name for v in synth.stack.views]


def test_the_file_is_written_one_view_a_line(tmp_path):
    from cafelake_infra import view_columns

    path = view_columns.write(tmp_path / "columns.json")
    assert view_columns.load(path) == view_columns.load()
    assert path.read_text(encoding="utf-8") == view_columns.COLUMNS_FILE.read_text(encoding="utf-8")
