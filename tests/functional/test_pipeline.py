"""A lake is made on purpose: commands that read one refuse a lake or zone nobody wrote, and only
`cafelake init` (and the demo) makes a pseudonym key."""

from __future__ import annotations

import gzip
import json

import pytest
from typer.testing import CliRunner

from cafelake.cleanse.authors import KEY_FILE
from cafelake.cli import COMMANDS, _register, app
from cafelake.lake import Lake
from cafelake.raw import object_key

for _name in ("init", "check", "query", "report", "cleanse", "tokenize"):
    _register(_name, COMMANDS[_name])


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env={"CAFELAKE_PSEUDONYM_KEY": None, **(env or {})})


def _one_line(res) -> str:
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert len(lines) == 1, res.output
    return lines[0]


def _raw(lake: Lake) -> None:
    line = {"source": "naver_cafe", "club_id": "1", "menu_id": "2", "article_id": 3, "article_status": "deleted"}
    key = object_key("naver_cafe", "1", "2", "2026-11-20", "r1", 0)
    lake.put_bytes("raw", key, gzip.compress(json.dumps(line).encode() + b"\n"))


@pytest.mark.parametrize(
    "args", [["check"], ["query", "SELECT 1"], ["report", "--out", "out"], ["cleanse"], ["tokenize"]]
)
def test_a_mistyped_lake_is_one_line_and_exit_2_and_nothing_is_created(tmp_path, args):
    typo = tmp_path / "typo"
    res = _run(*args, "--lake", str(typo))
    assert res.exit_code == 2, res.output
    assert _one_line(res).startswith(f"cafelake {args[0]}: no lake at {typo}: check --lake")
    assert "`cafelake init`" in res.output
    assert not typo.exists()


@pytest.mark.parametrize(
    "args, zone, remedy",
    [
        (["cleanse"], "raw", "`cafelake scrape` or `cafelake import`"),
        (["tokenize"], "cleansed", "`cafelake cleanse`"),
        (["check"], "tokenized", "`cafelake tokenize`"),
        (["query", "SELECT 1"], "tokenized", "`cafelake tokenize`"),
    ],
)
def test_a_lake_without_the_zone_a_command_reads_names_the_command_that_writes_it(tmp_path, args, zone, remedy):
    lake = tmp_path / "lake"
    assert _run("init", "--lake", str(lake)).exit_code == 0
    res = _run(*args, "--lake", str(lake))
    assert res.exit_code == 2, res.output
    assert f"has no {zone} data" in _one_line(res) and f"run {remedy} first" in res.output


def test_only_init_makes_the_key_and_a_cleanse_without_one_refuses(tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    _raw(lake)  # as a scrape or an import leaves it: raw data, no key
    res = _run("cleanse", "--lake", lake.root)
    assert res.exit_code == 2, res.output
    assert "no pseudonym key for lake" in _one_line(res) and f"`cafelake init --lake {lake.root}`" in res.output
    assert not (tmp_path / "lake" / KEY_FILE).exists()

    made = _run("init", "--lake", lake.root)
    assert made.exit_code == 0 and "created" in made.output
    key = (tmp_path / "lake" / KEY_FILE).read_text()
    again = _run("init", "--lake", lake.root)
    assert "kept" in again.output and (tmp_path / "lake" / KEY_FILE).read_text() == key  # never re-keys

    res = _run("cleanse", "--lake", lake.root)
    assert res.exit_code == 0, res.output
    assert lake.read_table("_quarantine").num_rows == 1


def test_a_configured_key_needs_no_key_file(tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    _raw(lake)
    res = _run("cleanse", "--lake", lake.root, env={"CAFELAKE_PSEUDONYM_KEY": "k3y"})
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "lake" / KEY_FILE).exists()
