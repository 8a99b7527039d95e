"""NaverCafeClient: the board-list and article-body endpoints, with retries, politely.

The base URL is configurable, so the same client talks to apis.naver.com or to the
local NaverServer. Responses are returned untouched (parsed JSON) with a status from
`cafelake.raw.STATUSES`; what could not be parsed comes back with its text and a reason
so the runner can quarantine it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from cafelake import __version__
from cafelake.collect.politeness import CircuitBreaker, OutOfTime, Policy, RateLimiter, backoff_delay
from cafelake.collect.session import MemberCookies

DEFAULT_BASE_URL = "https://apis.naver.com"
# Identifies the tool; an operator adds a way to reach them (CAFELAKE_USER_AGENT, --user-agent).
USER_AGENT = f"cafelake/{__version__} (polite research scraper)"
USER_AGENT_ENV = "CAFELAKE_USER_AGENT"
LIST_PATH = "/cafe-web/cafe2/ArticleListV2dot1.json"
ARTICLE_PATH = "/cafe-articleapi/v2.1/cafes/{club_id}/articles/{article_id}"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
RETRYABLE_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class MalformedPage(Exception):
    """A list page that stayed unparsable; `text` is kept for the quarantine."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(reason)
        self.reason, self.text = reason, text


@dataclass(frozen=True)
class ListPage:
    items: list[Any]  # as received: the runner quarantines entries that are not article objects
    has_next: bool


@dataclass(frozen=True)
class Body:
    """An article-body response, classified."""

    status: str  # one of cafelake.raw.STATUSES
    article: dict[str, Any] | None  # the response object, untouched (None unless usable)
    http_status: int
    reason: str | None = None  # why it is malformed
    text: str | None = None  # the raw text when malformed (for the quarantine)
    retryable: bool = False  # malformed in a way a re-fetch may fix (truncated/invalid JSON)


def _decode(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")


def classify(http_status: int, content: bytes | str) -> Body:
    """Map an article-API response to a raw status: shared by the scraper and `seed_raw`."""
    if http_status in (401, 403):
        return Body("member_only", None, http_status)
    if http_status in (404, 410):
        return Body("deleted", None, http_status)
    text = content if isinstance(content, str) else _decode(content)
    if http_status != 200:
        return Body("malformed", None, http_status, f"unexpected HTTP {http_status}", text)
    try:
        data = json.loads(text)
    except ValueError as exc:
        return Body("malformed", None, http_status, f"invalid JSON: {exc}", text, retryable=True)
    article = data.get("result", {}).get("article") if isinstance(data, dict) and isinstance(
        data.get("result"), dict) else None
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


class NaverCafeClient:
    """Talks to one base URL with one keep-alive session, a rate limit and a circuit breaker."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, cookies: MemberCookies | None = None,
                 policy: Policy | None = None, user_agent: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.policy = policy or Policy()
        self.limiter = RateLimiter(self.policy.rate_limit, self.policy.clock, self.policy.sleep)
        self.breaker = CircuitBreaker(self.policy.breaker_threshold)
        self.counts: Counter[str] = Counter()
        self.session = requests.Session()
        # Proxies and .netrc from the environment make no sense for the loopback server, and
        # looking them up costs ~20% of a local request: honour them for remote sources only.
        self.session.trust_env = urlsplit(self.base_url).hostname not in LOOPBACK
        self.session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=2, max_retries=0))
        self.session.mount("https://", HTTPAdapter(pool_connections=1, pool_maxsize=2, max_retries=0))
        self.session.headers.update({"User-Agent": user_agent or USER_AGENT, "Accept": "application/json"})
        if cookies:
            self.session.cookies.update(dict(cookies))

    def __repr__(self) -> str:
        return f"NaverCafeClient({self.base_url!r})"

    def close(self) -> None:
        self.session.close()

    def _get(self, path: str, params: dict[str, Any] | None = None) -> requests.Response:
        """GET, retrying 429/5xx/timeouts/resets with backoff (Retry-After first) until it
        succeeds, the circuit breaker opens (CircuitOpen) or a wait would pass the deadline (OutOfTime)."""
        attempt = 0
        while True:
            attempt += 1
            if attempt > 1:
                self.counts["retries"] += 1
            self.limiter.wait()
            self.counts["requests"] += 1
            retry_after = None
            try:
                resp = self.session.get(self.base_url + path, params=params, timeout=self.policy.timeout_s)
            except RETRYABLE_ERRORS as exc:
                error = type(exc).__name__
            else:
                if resp.status_code != 429 and resp.status_code < 500:
                    self.breaker.success()
                    return resp
                error, retry_after = f"HTTP {resp.status_code}", resp.headers.get("Retry-After")
            self.counts["failures"] += 1
            self.breaker.failure(f"GET {path}: {error}")
            delay = backoff_delay(attempt, self.policy, retry_after)
            if self.policy.deadline is not None and self.policy.clock() + delay > self.policy.deadline:
                raise OutOfTime(f"GET {path}: {error}; a {delay:.1f}s backoff would pass the time budget", delay)
            self.policy.sleep(delay)

    def list_page(self, club_id: str, menu_id: str, page: int, per_page: int = 50) -> ListPage:
        """One page of the board, newest first."""
        params = {"search.clubid": club_id, "search.menuid": menu_id, "search.page": page,
                  "search.perPage": per_page}
        for attempt in range(self.policy.malformed_retries + 1):
            if attempt:
                self.counts["malformed_retries"] += 1
            resp = self._get(LIST_PATH, params)
            text = _decode(resp.content)
            if resp.status_code != 200:  # e.g. a board that does not exist: no use asking again
                raise MalformedPage(f"list page {page}: HTTP {resp.status_code}", text)
            try:
                return parse_list(text)
            except ValueError as exc:
                reason = f"list page {page}: {exc}"
        raise MalformedPage(reason, text)

    def article(self, club_id: str, article_id: int) -> Body:
        """An article body, classified; an unparsable body is re-fetched a few times first."""
        path = ARTICLE_PATH.format(club_id=club_id, article_id=article_id)
        body = classify(*self._fetch(path))
        for _ in range(self.policy.malformed_retries):
            if not body.retryable:
                break
            self.counts["malformed_retries"] += 1
            body = classify(*self._fetch(path))
        return body

    def _fetch(self, path: str) -> tuple[int, bytes]:
        resp = self._get(path)
        return resp.status_code, resp.content
