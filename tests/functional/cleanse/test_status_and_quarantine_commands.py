"""`cafelake status` and `cafelake quarantine` on a cleansed lake: what it holds, and what was set aside and why."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cafelake.cleanse import run_cleanse
from cafelake.cli import COMMANDS, _register, app


def _cli(*args: str):
    for name in ("status", "quarantine"):
        _register(name, COMMANDS[name])
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def _cleansed_lake(lake, make_envelope, write_raw):
    good = [make_envelope(i) for i in range(1, 6)]
    write_raw(lake, [*good, "{oops", "{still not json", make_envelope(9, subject="", html="")])
    return run_cleanse(lake)


def test_status_shows_zones_tables_rows_last_runs_and_quarantine_reasons(lake, make_envelope, write_raw):
    summary = _cleansed_lake(lake, make_envelope, write_raw)
    res = _cli("status", "--lake", lake.root, "--format", "json")
    assert res.exit_code == 0, res.output
    status = json.loads(res.stdout)
    assert status["zones"]["raw"]["objects"] == 1
    assert status["zones"]["cleansed"]["tables"]["posts"] == {"files": 1, "rows": 5}
    assert status["zones"]["tokenized"]["tables"]["tokens_fact"] == {"files": 0, "rows": 0}
    assert status["last_runs"]["cleanse"]["run_id"] == summary.run_id
    assert status["last_runs"]["cleanse"]["outcome"] != "never run"
    assert status["last_runs"]["tokenize"]["outcome"] == "never run"
    assert status["quarantine"] == {"bad_json": 2, "empty_text": 1}
    table = _cli("status", "--lake", lake.root)
    assert table.exit_code == 0 and summary.run_id in table.stdout and "bad_json" in table.stdout
    assert "posts" in table.stdout and "never run" in table.stdout


def test_status_of_a_lake_that_is_not_there_says_so(tmp_path):
    res = _cli("status", "--lake", tmp_path / "typo")
    assert res.exit_code == 2 and f"no lake at {tmp_path / 'typo'}" in res.output


def test_quarantine_lists_records_by_reason_with_a_limit_and_as_json(lake, make_envelope, write_raw):
    _cleansed_lake(lake, make_envelope, write_raw)
    every = _cli("quarantine", "--lake", lake.root, "--format", "json")
    assert every.exit_code == 0, every.output
    rows = json.loads(every.stdout)
    assert sorted(r["reason"] for r in rows) == ["bad_json", "bad_json", "empty_text"]
    assert all(r["source_key"] and r["line_no"] for r in rows) and "payload" in rows[0]
    assert "by reason: bad_json 2, empty_text 1" in every.stderr
    one = _cli("quarantine", "--lake", lake.root, "--reason", "bad_json", "--limit", "1", "-f", "json")
    [row] = json.loads(one.stdout)
    assert row["reason"] == "bad_json" and "1 of 2 record(s) shown" in one.stderr
    table = _cli("quarantine", "--lake", lake.root, "--reason", "empty_text")
    assert table.exit_code == 0 and "empty_text" in table.stdout and "bad_json" not in table.stdout
    unknown = _cli("quarantine", "--lake", lake.root, "--reason", "bad_jsn")
    assert unknown.exit_code == 2 and "bad_json (2), empty_text (1)" in unknown.output
