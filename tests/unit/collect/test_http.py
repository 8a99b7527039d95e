"""PoliteHttp: retries with backoff and Retry-After, the deadline, headers and cookies (no network)."""

from __future__ import annotations

import pytest
import requests

from cafelake.collect.http import USER_AGENT, PoliteHttp
from cafelake.collect.politeness import OutOfTime, Policy


class FakeResponse:
    def __init__(self, status: int, text: str = "", headers: dict | None = None) -> None:
        self.status_code, self.content, self.headers = status, text.encode(), headers or {}


class FakeSession:
    def __init__(self, script: list) -> None:
        self.script, self.calls = list(script), []

    def get(self, url, params=None, timeout=None):
        self.calls.append((url, params))
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def _http(script, **policy) -> tuple[PoliteHttp, list[float]]:
    slept: list[float] = []
    http = PoliteHttp("http://source.test/", policy=Policy(rate_limit=0, sleep=slept.append, **policy))
    http.session = FakeSession(script)
    return http, slept


def test_retries_honour_retry_after_then_succeed():
    http, slept = _http(
        [
            FakeResponse(429, "", {"Retry-After": "7"}),
            FakeResponse(503),
            requests.ConnectionError("reset"),
            requests.Timeout("slow"),
            FakeResponse(200, "done"),
        ],
        retry_after_scale=0.01,
        backoff_base_s=0.5,
    )
    resp = http.get("/a", {"p": 1})
    assert (resp.status, resp.content) == (200, b"done")
    assert slept[0] == pytest.approx(0.07)  # Retry-After, scaled by the test hook
    assert all(0 <= s <= 0.5 * 2**i for i, s in enumerate(slept[1:], start=1))
    assert http.counts["retries"] == 4 and http.counts["requests"] == 5
    assert http.session.calls[-1] == ("http://source.test/a", {"p": 1})


def test_a_client_error_is_an_answer_not_a_failure():
    http, slept = _http([FakeResponse(404, "gone")])
    assert http.get("/x").status == 404 and slept == [] and http.counts["failures"] == 0


def test_backoff_never_waits_past_the_deadline_and_says_how_long_is_owed():
    http, slept = _http([FakeResponse(429, "", {"Retry-After": "120"})], deadline=50.0, clock=lambda: 0.0)
    with pytest.raises(OutOfTime) as err:
        http.get("/x")
    assert slept == [] and err.value.wait_s == 120.0


def test_user_agent_and_cookies_on_session_not_in_repr():
    http = PoliteHttp("http://x.test", cookies={"NID_AUT": "secret-aut", "NID_SES": "secret-ses"})
    assert http.session.headers["User-Agent"] == USER_AGENT and USER_AGENT.startswith("cafelake/")
    assert "example.org" not in USER_AGENT  # no placeholder contact: the operator adds theirs
    assert http.session.cookies.get("NID_SES") == "secret-ses"
    assert "secret" not in repr(http)


def test_user_agent_is_the_operators_when_given():
    mine = "cafelake/1.0 (+mailto:lab@uni.example; baby-health study)"
    assert PoliteHttp("http://x.test", user_agent=mine).session.headers["User-Agent"] == mine


def test_environment_proxies_apply_to_remote_sources_only():
    assert PoliteHttp("https://apis.naver.com").session.trust_env is True
    assert PoliteHttp("http://127.0.0.1:8080").session.trust_env is False
