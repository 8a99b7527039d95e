"""Naver's API: its paths and parameters, parsing the real field names, classification; through collect's
politeness-bound HTTP and its re-fetches (no network: a scripted session)."""

from __future__ import annotations

import json

import pytest
import requests

from cafelake.collect import fetch
from cafelake.collect.http import PoliteHttp
from cafelake.collect.politeness import CircuitOpen, Policy
from cafelake.sources.base import Board, MalformedPage
from cafelake.sources.naver_cafe import SOURCE
from cafelake.sources.naver_cafe.api import classify, item_id, item_posted_ms, parse_list

LIST = {
    "message": {
        "status": "200",
        "result": {
            "articleList": [
                {
                    "articleId": 123457,
                    "subject": "열이 나요",
                    "writerNickname": "엄마",
                    "memberKey": "abc",
                    "writeDateTimestamp": 1709640780000,
                    "readCount": 5,
                    "commentCount": 1,
                    "menuId": 386,
                }
            ],
            "hasNext": True,
        },
    }
}


def _article(**flags) -> str:
    art = {
        "id": 123457,
        "subject": "열",
        "writer": {"memberKey": "abc", "nick": "엄마"},
        "writeDate": 1709640780000,
        "readCount": 5,
        "commentCount": 1,
        "contentHtml": "<p>열</p>",
        "isReadable": True,
        "isOpen": True,
        "isBlind": False,
        "menu": {"id": 386},
    }
    return json.dumps({"result": {"article": art | flags}})


def test_parse_list_reads_article_list_and_has_next():
    page = parse_list(json.dumps(LIST))
    assert page.has_next is True
    assert page.items == LIST["message"]["result"]["articleList"]


@pytest.mark.parametrize(
    "text",
    [
        '{"message": {}}',
        "[]",
        '{"message": "x"}',
        '{"message": {"result": 3}}',
        '{"message": {"result": {"articleList": {}}}}',
    ],
)
def test_parse_list_rejects_other_shapes(text):
    with pytest.raises(ValueError):
        parse_list(text)


def test_parse_list_keeps_odd_entries_for_the_runner_to_quarantine():
    items = [1, None, "x", {"articleId": 5}]
    page = parse_list(json.dumps({"message": {"result": {"articleList": items, "hasNext": False}}}))
    assert page.items == items and page.has_next is False


@pytest.mark.parametrize(
    "status, text, expected",
    [
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
    ],
)
def test_classify(status, text, expected):
    body = classify(status, text.encode())
    assert body.status == expected
    if expected in ("ok", "blind", "private") or (expected == "member_only" and status == 200):
        assert body.payload == json.loads(text)  # untouched response object
    else:
        assert body.payload is None
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


BOARD = Board("naver_cafe", "10050146", "386")


def _http(script, **policy) -> tuple[PoliteHttp, list[float]]:
    slept: list[float] = []
    http = PoliteHttp("http://source.test/", policy=Policy(rate_limit=0, sleep=slept.append, **policy))
    http.session = FakeSession(script)
    return http, slept


def test_list_page_asks_the_list_api_for_the_board_and_page():
    http, _ = _http(
        [
            FakeResponse(429, "", {"Retry-After": "1"}),
            requests.ConnectionError("reset"),
            FakeResponse(200, json.dumps(LIST)),
        ],
        retry_after_scale=0.01,
    )
    page = fetch.list_page(SOURCE, http, BOARD, 3, per_page=20)
    assert page.items[0]["articleId"] == 123457
    url, params = http.session.calls[-1]
    assert url == "http://source.test/cafe-web/cafe2/ArticleListV2dot1.json"
    assert params == {"search.clubid": "10050146", "search.menuid": "386", "search.page": 3, "search.perPage": 20}


def test_article_asks_the_article_api():
    http, _ = _http([FakeResponse(200, _article())])
    assert fetch.body(SOURCE, http, BOARD, 123457).status == "ok"
    assert http.session.calls == [("http://source.test/cafe-articleapi/v2.1/cafes/10050146/articles/123457", None)]


def test_breaker_opens_after_consecutive_failures():
    http, slept = _http([FakeResponse(500)] * 10, breaker_threshold=4)
    with pytest.raises(CircuitOpen):
        fetch.body(SOURCE, http, BOARD, 2)
    assert http.counts["requests"] == 4 and len(slept) == 3


def test_truncated_body_is_refetched_then_reported_malformed():
    good = _article()
    http, _ = _http([FakeResponse(200, good[:20]), FakeResponse(200, good)])
    assert fetch.body(SOURCE, http, BOARD, 123457).status == "ok"
    http, _ = _http([FakeResponse(200, good[:20])] * 3, malformed_retries=2)
    body = fetch.body(SOURCE, http, BOARD, 123457)
    assert body.status == "malformed" and body.text == good[:20] and "invalid JSON" in body.reason
    assert http.counts["requests"] == 3 and http.counts["malformed_retries"] == 2


def test_malformed_list_page_raises_with_text():
    http, _ = _http([FakeResponse(200, "{oops")] * 3, malformed_retries=2)
    with pytest.raises(MalformedPage) as err:
        fetch.list_page(SOURCE, http, BOARD, 1, 50)
    assert err.value.text == "{oops" and "list page 1" in err.value.reason and http.counts["requests"] == 3


def test_list_page_error_status_is_reported_at_once():
    http, _ = _http([FakeResponse(404, '{"message": {"status": "404"}}')])
    with pytest.raises(MalformedPage, match="HTTP 404"):
        fetch.list_page(SOURCE, http, BOARD, 1, 50)
    assert http.counts["requests"] == 1


def test_member_only_is_not_retried():
    http, slept = _http([FakeResponse(401, "{}")])
    assert fetch.body(SOURCE, http, BOARD, 5).status == "member_only"
    assert slept == [] and http.counts["requests"] == 1


@pytest.mark.parametrize(
    "item, aid, ms",
    [
        ({"articleId": 7, "writeDateTimestamp": 1709640780000}, 7, 1709640780000),
        ({"articleId": "7", "writeDateTimestamp": "1709640780000"}, 7, 1709640780000),
        ({"articleId": True, "writeDate": "어제"}, None, None),
        ({"articleId": "x", "writeDateTimestamp": 0}, None, None),
        ("not an item", None, None),
    ],
)
def test_list_item_id_and_posting_time(item, aid, ms):
    assert (item_id(item), item_posted_ms(item)) == (aid, ms)


def test_the_envelope_payload_keeps_both_responses_untouched():
    body = classify(200, _article())
    assert SOURCE.payload(LIST["message"]["result"]["articleList"][0], body) == {
        "list_item": LIST["message"]["result"]["articleList"][0],
        "article": json.loads(_article()),
    }
