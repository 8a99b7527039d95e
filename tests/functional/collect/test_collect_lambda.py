"""The scraper Lambda's cloud path on moto: S3 raw bucket, cookie secret, continuation contract."""

from __future__ import annotations

import gzip
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from cafelake.collect.lease import BoardBusy, acquire, release
from cafelake.collect.writer import decode
from cafelake.environment import Environment
from cafelake.errors import UsageError
from cafelake.lake import Lake
from cafelake.runs import METRICS, NAMESPACE
from cafelake.sources.base import Board
from cafelake.sources.naver_cafe.server import FaultConfig, NaverServer
from tests.functional.collect.collect_helpers import TinyCorpus


class AgentServer(NaverServer):
    """Records the User-Agent of every request."""

    def __init__(self, corpus, **kw) -> None:
        super().__init__(corpus, **kw)
        self.agents: set[str] = set()

    def _handle(self, req):
        self.agents.add(req.headers.get("User-Agent"))
        super()._handle(req)


HANDLER = Path(__file__).resolve().parents[3] / "lambdas" / "scraper" / "handler.py"
COOKIES = '{"NID_AUT": "aut-SECRET-1", "NID_SES": "ses-SECRET-2"}'
AGENT = "cafelake/1.0 (+mailto:ops@example.com)"


@dataclass
class Context:
    remaining_ms: int
    function_name: str = "cafelake-scraper"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:cafelake-scraper"
    aws_request_id: str = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def cloud(monkeypatch):
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="cafelake-raw")
        arn = boto3.client("secretsmanager").create_secret(Name="cafelake/naver", SecretString=COOKIES)["ARN"]
        corpus = TinyCorpus(40)
        with AgentServer(corpus) as server:
            for key, value in {
                "CAFELAKE_RAW_URI": "s3://cafelake-raw",
                "CAFELAKE_NAVER_BASE_URL": server.base_url,
                "CAFELAKE_COOKIE_SECRET": arn,
                "CAFELAKE_RATE_LIMIT": "0",
                "CAFELAKE_BUDGET_MARGIN_S": "20",
                "POWERTOOLS_DEV": "false",
                "CAFELAKE_USER_AGENT": AGENT,
            }.items():
                monkeypatch.setenv(key, value)
            spec = importlib.util.spec_from_file_location("scraper_handler", HANDLER)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            yield module, corpus, server


def _objects(prefix: str = "") -> dict[str, bytes]:
    s3 = boto3.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="cafelake-raw", Prefix=prefix).get("Contents", [])]
    return {k: s3.get_object(Bucket="cafelake-raw", Key=k)["Body"].read() for k in keys}


def test_invocations_continue_until_the_board_is_done(cloud, capsys):
    handler, corpus, server = cloud
    event = {
        "club_id": corpus.club_id,
        "menu_id": corpus.menu_id,
        "name": "baby health",
        "max_pages": 1,
        "per_page": 10,
    }
    results = [handler.handler(event, Context(60_000))]
    while results[-1]["continue"]:
        results.append(handler.handler(event, Context(60_000)))
        assert len(results) < 20
    assert len(results) == 4 and results[-1]["complete"] and results[-1]["name"] == "baby health"
    assert len({r["run_id"] for r in results}) == 1
    assert all(r["wait_seconds"] == 0 and isinstance(r["wait_seconds"], int) for r in results)
    assert server.agents == {AGENT}
    objects = _objects("naver_cafe/")
    ids = sorted(e["article_id"] for k, v in objects.items() for e in decode(v))
    assert ids == corpus.article_ids
    state = json.loads(
        _objects("_state/")[f"_state/naver_cafe/club_id={corpus.club_id}/menu_id={corpus.menu_id}/state.json"]
    )
    assert state["watermark"] == corpus.article_ids[-1] and state["checkpoint"] is None
    assert server.stats["with_member_cookies"] == server.stats["requests"]
    everything = b"".join(gzip.decompress(v) if k.endswith(".gz") else v for k, v in _objects().items())
    out = capsys.readouterr().out
    assert b"SECRET" not in everything and "SECRET" not in out
    emitted = [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]  # EMF metrics flushed
    assert emitted and all(m["_aws"]["CloudWatchMetrics"][0]["Namespace"] == NAMESPACE for m in emitted)
    assert {*METRICS["scrape"].values(), "CircuitOpened", "Articles_ok"} <= set(emitted[-1])


def test_no_time_left_returns_a_continuation_without_losing_state(cloud):
    handler, corpus, _ = cloud
    event = {"club_id": corpus.club_id, "menu_id": corpus.menu_id}
    starved = handler.handler(event, Context(20_000))  # all of it is the safety margin
    assert starved["continue"] and starved["stopped"] == "time_budget" and starved["articles_fetched"] == 0
    done = handler.handler(event, Context(120_000))
    assert done["complete"] and not done["continue"] and done["run_id"] == starved["run_id"]
    assert done["articles_fetched"] == len(corpus)


def test_an_event_without_a_board_or_with_a_bad_option_is_a_clear_error(cloud):
    handler, corpus, server = cloud
    with pytest.raises(UsageError, match="club_id and menu_id"):
        handler.handler({"name": "x", "menu_id": "386"}, Context(60_000))
    with pytest.raises(UsageError, match="the event's rate_limit must be a number, got 'fast'"):
        handler.handler({"club_id": corpus.club_id, "menu_id": corpus.menu_id, "rate_limit": "fast"}, Context(60_000))
    assert server.stats["requests"] == 0


def test_a_retry_after_past_the_budget_is_returned_as_a_wait(cloud):
    handler, corpus, server = cloud
    server.faults = FaultConfig(schedule={2: "429"}, retry_after=200)
    asked = handler.handler({"club_id": corpus.club_id, "menu_id": corpus.menu_id}, Context(60_000))
    assert asked["continue"] and asked["wait_seconds"] == 200 and asked["stopped"] == "time_budget"


def test_a_second_invocation_of_a_busy_board_is_refused_before_it_fetches(cloud):
    """What reserved concurrency 1 used to ensure: while one invocation holds the board's lease, another
    raises BoardBusy (the error the state machine retries) without a request or a write; it runs after."""
    handler, corpus, server = cloud
    lake = Lake.from_settings(Environment.read())
    holder = acquire(lake, Board("naver_cafe", corpus.club_id, corpus.menu_id), holder="req-running", seconds=900)
    event = {"club_id": corpus.club_id, "menu_id": corpus.menu_id}
    with pytest.raises(BoardBusy, match="req-running"):
        handler.handler(event, Context(60_000))
    assert server.stats["requests"] == 0 and not _objects("naver_cafe/")
    assert f"_state/naver_cafe/club_id={corpus.club_id}/menu_id={corpus.menu_id}/state.json" not in _objects("_state/")
    assert release(lake, holder)
    done = handler.handler(event, Context(120_000))
    assert done["complete"] and done["articles_fetched"] == len(corpus)
    lease = json.loads(
        _objects("_state/")[f"_state/naver_cafe/club_id={corpus.club_id}/menu_id={corpus.menu_id}/lease.json"]
    )
    assert lease["holder"] == "req-1" and lease["released"] is True  # given back by the invocation
