"""`cafelake serve --corpus FILE`: a user's own board, hand-written, served and scraped as a user runs it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from cafelake.cleanse.authors import create_key
from cafelake.cleanse.job import run_cleanse
from cafelake.commands.scrape import scrape
from cafelake.commands.serve import serve
from cafelake.lake import Lake
from tests.functional.collect.collect_helpers import latest_by_id

BOARD = Path(__file__).parent / "data" / "hand_board.jsonl"  # six articles of cafe 27182818, menu 31


def _cafelake(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "import sys; from cafelake.cli import main; sys.argv[0] = 'cafelake'; main()", *args],
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"COLUMNS": "250"},
        # as from a terminal: a job started in the background inherits Ctrl-C ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _app(command) -> typer.Typer:
    app = typer.Typer()
    app.command()(command)
    return app


def test_a_hand_written_board_is_served_scraped_and_cleansed(tmp_path):
    server = _cafelake("serve", "--corpus", str(BOARD), "--port", "0")
    try:
        line = server.stderr.readline()
        assert f"serving 6 articles of cafe 27182818 menu 31 from {BOARD}" in " ".join(line.split()), line
        base = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        lake = str(tmp_path / "lake")
        done = CliRunner().invoke(
            _app(scrape),
            ["--base-url", base, "--club-id", "27182818", "--menu-id", "31", "--lake", lake, "--rate-limit", "0"],
        )
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=20)
    assert done.exit_code == 0 and "complete" in done.output, done.output
    assert server.returncode == 0 and "stopped; served" in err

    raw = latest_by_id(Lake(lake))
    assert sorted(raw) == [901, 904, 907, 910, 912, 915]
    assert {aid: env["article_status"] for aid, env in raw.items()} == {
        901: "ok",
        904: "ok",
        907: "member_only",
        910: "deleted",
        912: "ok",
        915: "malformed",
    }

    create_key(Lake(lake))  # as `cafelake init` does
    summary = run_cleanse(Lake(lake))
    posts = {r["article_id"]: r for r in Lake(lake).read_table("posts").to_pylist()}
    assert summary.quarantined >= 1 and 915 not in posts  # the truncated body
    assert posts[901]["title"] == "열 38도 넘어요ㅠㅠ" and "해열제 먹였는데" in posts[901]["content"]
    assert posts[904]["content"].startswith("어제부터 설사 했어요")  # revision 1: the first fetch
    assert "<br>" not in posts[912]["content"] and "피부과 가야 하나요" in posts[912]["content"]
    assert posts[907]["title"] == "멤버만 보는 글이에요"  # member-only: the list item is all there is


def test_a_malformed_line_stops_serve_with_the_file_the_line_and_the_fault(tmp_path):
    bad = tmp_path / "board.jsonl"
    lines = BOARD.read_text(encoding="utf-8").splitlines()
    bad.write_text(
        "\n".join([*lines[:2], lines[2].replace('"articleId":907', '"articleId":"907"'), *lines[3:]]) + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(_app(serve), ["--corpus", str(bad), "--port", "0"], env={"COLUMNS": "400"})
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "--corpus" in text and "board.jsonl:3:" in text and "'list_item.articleId' is '907'" in text, text
