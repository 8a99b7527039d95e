"""Naver Cafe's two endpoints: the board list and the article body, their paths and their shapes.

Responses are returned untouched (parsed JSON) with a status from `cafelake.raw.STATUSES`; what
could not be parsed comes back with its text and a reason, so collect can quarantine it. The
requests themselves go through the `Http` collect hands in (rate limit, retries, breaker).
"""

from __future__ import annotations

import json
from typing import Any

from cafelake.sources.base import Board, Body, Http, ListPage, MalformedPage

DEFAULT_BASE_URL = "https://apis.naver.com"
LIST_PATH = "/cafe-web/cafe2/ArticleListV2dot1.json"
ARTICLE_PATH = "/cafe-articleapi/v2.1/cafes/{club_id}/articles/{article_id}"


def _decode(content: bytes | str) -> str:
    return content if isinstance(content, str) else content.decode("utf-8", errors="replace")


def classify(http_status: int, content: bytes | str) -> Body:
    """Map an article-API response to a raw status: shared by the scraper and `seed_raw`."""
    if http_status in (401, 403):
        return Body("member_only", None, http_status)
    if http_status in (404, 410):
        return Body("deleted", None, http_status)
    text = _decode(content)
    if http_status != 200:
        return Body("malformed", None, http_status, f"unexpected HTTP {http_status}", text)
    try:
        data = json.loads(text)
    except ValueError as exc:
        return Body("malformed", None, http_status, f"invalid JSON: {exc}", text, retryable=True)
    article = (
        data.get("result", {}).get("article")
        if isinstance(data, dict) and isinstance(data.get("result"), dict)
        else None
    )
    if not isinstance(article, dict):
        return Body("malformed", None, http_status, "no result.article object", text)
    if article.get("isBlind") is True:
        return Body("blind", data, http_status)
    if article.get("isOpen") is False:
        return Body("private", data, http_status)
    if article.get("isReadable") is False:
        return Body("member_only", data, http_status)
    return Body("ok", data, http_status)


def parse_list(text: str) -> ListPage:
    """The list API's `message.result.articleList` and `hasNext`; ValueError if not that shape.

    Entries are kept whatever they are: one odd entry must not cost the rest of the page.
    """
    data = json.loads(text)
    message = data.get("message") if isinstance(data, dict) else None
    result = message.get("result") if isinstance(message, dict) else None
    if not isinstance(result, dict) or not isinstance(result.get("articleList"), list):
        raise ValueError("no message.result.articleList")
    return ListPage(result["articleList"], bool(result.get("hasNext")))


def list_page(http: Http, board: Board, page: int, per_page: int = 50) -> ListPage:
    """One page of the board, newest first; MalformedPage (retryable when it did not parse)."""
    params = {
        "search.clubid": board.club_id,
        "search.menuid": board.menu_id,
        "search.page": page,
        "search.perPage": per_page,
    }
    resp = http.get(LIST_PATH, params)
    text = _decode(resp.content)
    if resp.status != 200:  # e.g. a board that does not exist: no use asking again
        raise MalformedPage(f"list page {page}: HTTP {resp.status}", text)
    try:
        return parse_list(text)
    except ValueError as exc:
        raise MalformedPage(f"list page {page}: {exc}", text, retryable=True) from None


def article(http: Http, board: Board, article_id: int) -> Body:
    """An article body, classified."""
    resp = http.get(ARTICLE_PATH.format(club_id=board.club_id, article_id=article_id))
    return classify(resp.status, resp.content)


def item_id(item: Any) -> int | None:
    value = item.get("articleId") if isinstance(item, dict) else None
    try:
        return int(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def item_posted_ms(item: Any) -> int | None:
    """The list item's epoch-ms timestamp; None when absent or unusable (odd-date posts have none)."""
    value = item.get("writeDateTimestamp") if isinstance(item, dict) else None
    if isinstance(value, bool):
        return None
    try:
        ms = int(value)
    except (TypeError, ValueError):
        return None
    return ms if ms > 0 else None
