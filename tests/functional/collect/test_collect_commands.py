"""`cafelake scrape` and `cafelake serve` as a user runs them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import requests
import typer
from typer.testing import CliRunner

from cafelake.cli import COMMANDS, _register, app
from cafelake.lake import Lake
from cafelake.sources.naver_cafe.server import FaultConfig, NaverServer
from tests.functional.collect.collect_helpers import latest_by_id


def _cli() -> typer.Typer:
    """The console script's group with `scrape` registered: its errors read as they do for a user."""
    _register("scrape", COMMANDS["scrape"])
    return app


def test_scrape_command_pauses_resumes_and_fails_clearly(tmp_path, tiny_corpus):
    lake = str(tmp_path / "lake")
    with NaverServer(tiny_corpus) as server:
        args = [
            "--base-url",
            server.base_url,
            "--club-id",
            tiny_corpus.club_id,
            "--menu-id",
            tiny_corpus.menu_id,
            "--lake",
            lake,
            "--rate-limit",
            "0",
        ]
        paused = CliRunner().invoke(_cli(), ["scrape", *args, "--max-pages", "0"])
        assert paused.exit_code == 0 and "paused (max_pages)" in paused.output
        done = CliRunner().invoke(_cli(), ["scrape", *args])
        assert done.exit_code == 0, done.output
        assert "complete" in done.output and f"{len(tiny_corpus)} articles" in done.output
        again = CliRunner().invoke(_cli(), ["scrape", *args, "--backfill", "--lookback-hours", "0"])
        assert again.exit_code == 0 and f"{len(tiny_corpus)} articles" in again.output
        server.faults = FaultConfig(rates={"truncate": 1.0})
        failed = CliRunner().invoke(_cli(), ["scrape", *args])
    assert failed.exit_code == 3  # a SourceError: the run failed on its way, said in one line
    assert "cafelake scrape: stopped (malformed_page): " in failed.output and "state saved" in failed.output
    assert sorted(latest_by_id(Lake(lake))) == tiny_corpus.article_ids


def test_scrape_command_says_how_long_the_source_asked_to_wait(tmp_path, tiny_corpus):
    with NaverServer(tiny_corpus, faults=FaultConfig(schedule={2: "429"}, retry_after=200)) as server:
        paused = CliRunner().invoke(
            _cli(),
            [
                "scrape",
                "--base-url",
                server.base_url,
                "--club-id",
                tiny_corpus.club_id,
                "--menu-id",
                tiny_corpus.menu_id,
                "--lake",
                str(tmp_path),
                "--rate-limit",
                "0",
                "--time-budget",
                "60",
            ],
        )
    assert paused.exit_code == 0 and "paused (time_budget)" in paused.output
    assert "in 200 s" in " ".join(paused.output.split())


def test_serve_command_serves_until_interrupted():
    env = os.environ | {"COLUMNS": "250"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from cafelake.cli import main; sys.argv[0] = 'cafelake'; main()",
            "serve",
            "--posts",
            "40",
            "--port",
            "0",
            "--faults",
            "seed=3",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # as from a terminal: a job started in the background inherits Ctrl-C ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        line = proc.stderr.readline()
        base = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        assert "serving 40 articles" in line
        page = requests.get(
            base + "/cafe-web/cafe2/ArticleListV2dot1.json",
            timeout=5,
            params={"search.clubid": "10050146", "search.menuid": "386", "search.page": 1, "search.perPage": 50},
        ).json()
        assert len(page["message"]["result"]["articleList"]) == 40
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "stopped; served" in err


def test_scrape_command_takes_its_knobs_from_options_else_the_environment(tmp_path, monkeypatch):
    import cafelake.collect

    seen = []
    knobs = ("user_agent", "rate_limit", "lookback", "lookback_max")
    monkeypatch.setattr(
        cafelake.collect,
        "run_scrape",
        lambda *a, **kw: (
            seen.append(tuple(kw[k] for k in knobs)) or cafelake.collect.ScrapeSummary("r", "1", "2", complete=True)
        ),
    )
    args = ["scrape", "--base-url", "http://127.0.0.1:9", "--club-id", "1", "--menu-id", "2", "--lake", str(tmp_path)]
    env = {"CAFELAKE_USER_AGENT": "env/2.0", "CAFELAKE_RATE_LIMIT": "0.5", "CAFELAKE_LOOKBACK_HOURS": "6"}
    options = ["--user-agent", "mine/1.0", "--rate-limit", "2", "--lookback-hours", "1"]
    assert CliRunner(env=env).invoke(_cli(), [*args, *options]).exit_code == 0
    assert CliRunner(env=env | {"CAFELAKE_LOOKBACK_MAX": "7"}).invoke(_cli(), args).exit_code == 0
    assert CliRunner(env=dict.fromkeys(env)).invoke(_cli(), args).exit_code == 0
    assert seen == [("mine/1.0", 2.0, 1.0, 1000), ("env/2.0", 0.5, 6.0, 7), (None, 1.0, 24.0, 1000)]
