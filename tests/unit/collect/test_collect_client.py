"""Client: parsing the real field names, classification, retries and the breaker (no network)."""

from __future__ import annotations

import json

import pytest
import requests

from cafelake.collect.client import USER_AGENT, MalformedPage, NaverCafeClient, classify, parse_list
from cafelake.collect.politeness import CircuitOpen, OutOfTime, Policy
from cafelake.collect.session import MemberCookies

LIST = {"message": {"status": "200", "result": {"articleList": [
    {"articleId": 123457, "subject": "열이 나요", "writerNickname": "엄마", "memberKey": "abc",
     "writeDateTimestamp": 1709640780000, "readCount": 5, "commentCount": 1, "menuId": 386}],
    "hasNext": True}}}


def _article(**flags) -> str:
    art = {"id": 123457, "subject": "열", "writer": {"memberKey": "abc", "nick": "엄마"}, "writeDate": 1709640780000,
           "readCount": 5, "commentCount": 1, "contentHtml": "<p>열</p>", "isReadable": True, "isOpen": True,
           "isBlind": False, "menu": {"id": 386}}
    return json.dumps({"result": {"article": art | flags}})


def test_parse_list_reads_article_list_and_has_next():
    page = parse_list(json.dumps(LIST))
    assert page.has_next is True
    assert page.items == LIST["message"]["result"]["articleList"]


@pytest.mark.parametrize("text", ['{"message": {}}', "[]", '{"message": "x"}', '{"message": {"result": 3}}',
                                  '{"message": {"result": {"articleList": {}}}}'])
def test_parse_list_rejects_other_shapes(text):
    with pytest.raises(ValueError):
        parse_list(text)


def test_parse_list_keeps_odd_entries_for_the_runner_to_quarantine():
    items = [1, None, "x", {"articleId": 5}]
    page = parse_list(json.dumps({"message": {"result": {"articleList": items, "hasNext": False}}}))
    assert page.items == items and page.has_next is False


@pytest.mark.parametrize("status, text, expected", [
    (200, _article(), "ok"),
    (200, _article(isBlind=True), "blind"),
    (200, _article(isOpen=False), "private"),
    (200, _article(isReadable=False), "member_only"),
    (401, '{"error": "login"}', "member_only"),
    (403, "", "member_only"),
    (404, '{"errorCode": "0002"}', "deleted"),
    (200, _article()[:30], "malformed"),
    (200, '{"result": {}}', "malformed"),
    (418, "teapot", "malformed"),
])
def test_classify(status, text, expected):
    body = classify(status, text.encode())
    assert body.status == expected
    if expected in ("ok", "blind", "private") or (expected == "member_only" and status == 200):
        assert body.article == json.loads(text)  # untouched response object
    else:
        assert body.article is None
    if expected == "malformed":
        assert body.reason and body.text == text
        assert body.retryable == (status == 200 and text.startswith('{"result": {"article"'))


class FakeResponse:
    def __init__(self, status: int, text: str = "", headers: dict | None = None) -> None:
        self.status_code, self.content, self.headers = status, text.encode(), headers or {}


class FakeSession:
    """Replays a script of responses/exceptions and records the requests made."""

    def __init__(self, script: list) -> None:
        self.script, self.calls = list(script), []

    def get(self, url, params=None, timeout=None):
        self.calls.append((url, params))
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    def close(self) -> None:
        pass


def _client(script, **policy) -> tuple[NaverCafeClient, list[float]]:
    slept: list[float] = []
    client = NaverCafeClient("http://source.test/", policy=Policy(rate_limit=0, sleep=slept.append, **policy))
    client.session = FakeSession(script)
    return client, slept


def test_retries_honour_retry_after_then_succeed():
    client, slept = _client([FakeResponse(429, "", {"Retry-After": "7"}), FakeResponse(503),
                             requests.ConnectionError("reset"), requests.Timeout("slow"),
                             FakeResponse(200, json.dumps(LIST))], retry_after_scale=0.01, backoff_base_s=0.5)
    page = client.list_page("10050146", "386", 3, per_page=20)
    assert page.items[0]["articleId"] == 123457
    assert slept[0] == pytest.approx(0.07)  # Retry-After, scaled by the test hook
    assert all(0 <= s <= 0.5 * 2 ** i for i, s in enumerate(slept[1:], start=1))
    assert client.counts["retries"] == 4 and client.counts["requests"] == 5
    url, params = client.session.calls[-1]
    assert url == "http://source.test/cafe-web/cafe2/ArticleListV2dot1.json"
    assert params == {"search.clubid": "10050146", "search.menuid": "386", "search.page": 3, "search.perPage": 20}


def test_breaker_opens_after_consecutive_failures():
    client, slept = _client([FakeResponse(500)] * 10, breaker_threshold=4)
    with pytest.raises(CircuitOpen):
        client.article("1", 2)
    assert client.counts["requests"] == 4 and len(slept) == 3


def test_backoff_never_waits_past_the_deadline_and_says_how_long_is_owed():
    client, slept = _client([FakeResponse(429, "", {"Retry-After": "120"})], deadline=50.0,
                            clock=lambda: 0.0)
    with pytest.raises(OutOfTime) as err:
        client.article("1", 2)
    assert slept == [] and err.value.wait_s == 120.0


def test_truncated_body_is_refetched_then_reported_malformed():
    good = _article()
    client, _ = _client([FakeResponse(200, good[:20]), FakeResponse(200, good)])
    assert client.article("1", 123457).status == "ok"
    client, _ = _client([FakeResponse(200, good[:20])] * 3, malformed_retries=2)
    body = client.article("1", 123457)
    assert body.status == "malformed" and body.text == good[:20] and "invalid JSON" in body.reason
    assert client.counts["requests"] == 3


def test_malformed_list_page_raises_with_text():
    client, _ = _client([FakeResponse(200, "{oops")] * 3, malformed_retries=2)
    with pytest.raises(MalformedPage) as err:
        client.list_page("1", "2", 1)
    assert err.value.text == "{oops" and "list page 1" in err.value.reason


def test_list_page_error_status_is_reported_at_once():
    client, _ = _client([FakeResponse(404, '{"message": {"status": "404"}}')])
    with pytest.raises(MalformedPage, match="HTTP 404"):
        client.list_page("1", "2", 1)
    assert client.counts["requests"] == 1


def test_member_only_is_not_retried():
    client, slept = _client([FakeResponse(401, "{}")])
    assert client.article("1", 5).status == "member_only"
    assert slept == [] and client.counts["requests"] == 1


def test_user_agent_and_cookies_on_session_not_in_repr():
    client = NaverCafeClient("http://x.test", cookies=MemberCookies({"NID_AUT": "secret-aut", "NID_SES": "secret-ses"}))
    assert client.session.headers["User-Agent"] == USER_AGENT and USER_AGENT.startswith("cafelake/")
    assert "example.org" not in USER_AGENT  # no placeholder contact: the operator adds theirs
    assert client.session.cookies.get("NID_SES") == "secret-ses"
    assert "secret" not in repr(client)


def test_user_agent_is_the_operators_when_given():
    mine = "cafelake/1.0 (+mailto:lab@uni.example; baby-health study)"
    assert NaverCafeClient("http://x.test", user_agent=mine).session.headers["User-Agent"] == mine


def test_environment_proxies_apply_to_remote_sources_only():
    assert NaverCafeClient("https://apis.naver.com").session.trust_env is True
    assert NaverCafeClient("http://127.0.0.1:8080").session.trust_env is False
