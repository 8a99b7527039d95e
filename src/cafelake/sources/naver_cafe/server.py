"""NaverServer: a Naver-compatible HTTP server on loopback, serving a corpus, faults on demand.

It answers the two endpoints the scraper uses, in their real shapes and paging: the
board list newest first (`search.page`, `search.perPage`, `hasNext`) and the article
body (revision k on the k-th complete fetch of an article, the last one thereafter).
Only the oldest `visible` articles exist yet; `publish(n)` reveals n more, so new posts
appear and page boundaries shift under a running scrape. As on Naver, a member-only body
(a 401 in the corpus) is served to a request carrying a member session (NID_AUT and
NID_SES cookies). Faults come from per-request probabilities (seeded) and/or a schedule
keyed by request number, and every served response is counted, so tests can check what
the scraper must have seen. Articles are built from the corpus on demand and only the
most recently used are kept, so a corpus of a million posts is served in bounded memory.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cafelake.sources.naver_cafe.api import ARTICLE_PATH, LIST_PATH

FAULT_KINDS = ("429", "500", "503", "401", "slow", "truncate", "drop")
BODY_ONLY_FAULTS = ("401",)  # the member-only answer exists for article bodies only
_ARTICLE_RE = re.compile("^" + ARTICLE_PATH.format(club_id=r"(?P<club>[^/]+)", article_id=r"(?P<aid>\d+)") + "$")
MAX_PER_PAGE = 100
MEMBER_COOKIES = frozenset({"NID_AUT", "NID_SES"})
ARTICLE_CACHE = 4096  # articles kept built: a few list pages and their bodies
_MEMBER_ONLY = "카페 멤버만 볼 수 있는 게시글입니다."


@dataclass
class FaultConfig:
    """Which faults to inject. `rates`: kind -> probability per request; `schedule`: request
    number (1-based, over all requests) -> kind; `publish_per_list`: posts published after
    each list-page response (the next page's boundary shifts). `401` answers an article
    request as member-only whatever the session (an expired one); it never hits a list page."""

    rates: dict[str, float] = field(default_factory=dict)
    schedule: dict[int, str] = field(default_factory=dict)
    seed: int = 0
    retry_after: int = 1
    slow_s: float = 0.5
    publish_per_list: int = 0

    def __post_init__(self) -> None:
        unknown = (set(self.rates) | set(self.schedule.values())) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(FAULT_KINDS)}")

    @classmethod
    def parse(cls, spec: str) -> FaultConfig:
        """From `429=0.02,500=0.01,drop=0.005,publish=3,seed=7,retry_after=2,slow_s=0.2`."""
        rates: dict[str, float] = {}
        options: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"fault spec {part!r}: expected name=value")
            if name in FAULT_KINDS:
                rates[name] = float(value)
            elif name in ("seed", "retry_after", "publish"):
                options["publish_per_list" if name == "publish" else name] = int(value)
            elif name == "slow_s":
                options[name] = float(value)
            else:
                raise ValueError(f"fault spec: unknown name {name!r}")
        return cls(rates=rates, **options)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_GET(self) -> None:
        self.server.app._handle(self)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: 20,000 requests per demo
        pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    app: NaverServer


def _error(code: int, message: str) -> str:
    return json.dumps(
        {"message": {"status": str(code), "error": {"code": str(code), "msg": message}}}, ensure_ascii=False
    )


def _member_session(cookie_header: str) -> bool:
    """Both of Naver's session cookies are present (a member is logged in)."""
    names = {part.split("=", 1)[0].strip() for part in cookie_header.split(";") if "=" in part}
    return names >= MEMBER_COOKIES


def _member_view(club_id: str, art: Any) -> str:
    """The body a member reads of a member-only article, in the article API's shape.

    The corpus holds no body for it (a non-member never sees one), so it is built from the
    list item and, when the corpus keeps them, the post's sentences.
    """
    item = art.list_item
    paragraphs = art.truth.get("sentences") or [item.get("subject", "")]
    article = {
        "id": art.article_id,
        "refArticleId": art.article_id,
        "menu": {"id": item.get("menuId")},
        "subject": item.get("subject"),
        "writer": {"memberKey": item.get("memberKey"), "nick": item.get("writerNickname")},
        "writeDate": item.get("writeDateTimestamp"),
        "readCount": item.get("readCount"),
        "commentCount": item.get("commentCount"),
        "likeItCount": item.get("likeItCount", 0),
        "contentHtml": "".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs),
        "isReadable": True,
        "isOpen": True,
        "isBlind": False,
        "isNotice": False,
    }
    return json.dumps(
        {"result": {"cafeId": int(club_id), "articleId": art.article_id, "article": article}},
        ensure_ascii=False,
        separators=(",", ":"),
    )


class NaverServer:
    """Serve `corpus` until closed: anything with club_id, menu_id, article_ids (ascending) and article(id),
    such as the generated `corpus.Corpus` or a file's `corpus.jsonl.JsonlCorpus` (of this package)."""

    def __init__(
        self,
        corpus: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultConfig | None = None,
        visible: int | None = None,
        article_cache: int = ARTICLE_CACHE,
    ) -> None:
        self.corpus = corpus
        self.club_id, self.menu_id = str(corpus.club_id), str(corpus.menu_id)
        self._ids: list[int] = list(corpus.article_ids)
        self._index = {aid: i for i, aid in enumerate(self._ids)}
        self.visible = len(self._ids) if visible is None else max(0, min(visible, len(self._ids)))
        self.faults = faults or FaultConfig()
        self._rng = random.Random(self.faults.seed)
        self._lock = threading.Lock()
        self._articles: OrderedDict[int, Any] = OrderedDict()  # least recently used first
        self._article_cache = max(1, article_cache)
        self._fetches: Counter[int] = Counter()  # complete article-body serves per id (the revision to serve)
        self.stats: Counter[str] = Counter()
        self._httpd = _HTTPServer((host, port), _Handler, bind_and_activate=True)
        self._httpd.app = self
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> NaverServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="naver-server", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def __enter__(self) -> NaverServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- visibility and what was served ----------------------------------------------
    def publish(self, n: int = 1) -> int:
        """Reveal the next `n` articles (new posts appear on top); returns how many did."""
        with self._lock:
            before = self.visible
            self.visible = min(len(self._ids), self.visible + max(0, n))
            return self.visible - before

    @property
    def visible_ids(self) -> list[int]:
        return self._ids[: self.visible]

    def fetch_count(self, article_id: int) -> int:
        return self._fetches[article_id]

    def _article(self, aid: int) -> Any:
        """The corpus article, rebuilt when evicted (it is deterministic; revisions live in _fetches)."""
        with self._lock:
            art = self._articles.get(aid)
            if art is not None:
                self._articles.move_to_end(aid)
                return art
        art = self.corpus.article(aid)  # outside the lock: building one costs a day's worth of posts
        with self._lock:
            self._articles[aid] = art
            while len(self._articles) > self._article_cache:
                self._articles.popitem(last=False)
        return art

    # --- requests ------------------------------------------------------------------
    def _fault(self, body_request: bool) -> str | None:
        """The fault for this request: scheduled, else drawn; a body-only one never hits a list page."""
        kinds = FAULT_KINDS if body_request else tuple(k for k in FAULT_KINDS if k not in BODY_ONLY_FAULTS)
        with self._lock:
            self.stats["requests"] += 1
            scheduled = self.faults.schedule.get(self.stats["requests"])
            if scheduled is not None:
                kind = scheduled if scheduled in kinds else None
            else:
                kind = next(
                    (k for k in kinds if (rate := self.faults.rates.get(k, 0.0)) and self._rng.random() < rate), None
                )
            if kind:
                self.stats[f"fault_{kind}"] += 1
            return kind

    def _handle(self, req: _Handler) -> None:
        url = urlsplit(req.path)
        member = _member_session(req.headers.get("Cookie", ""))
        if member:
            self._count("with_member_cookies")
        match = _ARTICLE_RE.match(url.path)
        kind = self._fault(body_request=match is not None)
        if kind == "slow":
            time.sleep(self.faults.slow_s)
        if kind in ("429", "500", "503", "401"):
            headers = {"Retry-After": str(self.faults.retry_after)} if kind == "429" else {}
            self._send(req, int(kind), _error(int(kind), _MEMBER_ONLY if kind == "401" else "injected fault"), headers)
            return
        if url.path == LIST_PATH:
            status, text = self._list(parse_qs(url.query))
            self._count("list_requests")
            on_served = None
        elif match:
            status, text, on_served = self._body(match["club"], int(match["aid"]), member)
            self._count("article_requests")
        else:
            status, text, on_served = 404, _error(404, "no such endpoint"), None
        if kind == "truncate":
            self._send(req, status, text[: len(text) // 2])
        elif kind == "drop":
            self._send(req, status, text, drop=True)
        else:  # count first, so a client that has the response sees it counted
            if on_served:
                on_served()
            if url.path == LIST_PATH and self.faults.publish_per_list:
                self._count("published", self.publish(self.faults.publish_per_list))
            self._send(req, status, text)

    def _list(self, query: dict[str, list[str]]) -> tuple[int, str]:
        def arg(name: str, default: str) -> str:
            return query.get(f"search.{name}", [default])[0]

        if arg("clubid", "") != self.club_id or arg("menuid", "") != self.menu_id:
            return 404, _error(404, "unknown cafe or menu")
        try:
            page, per_page = max(1, int(arg("page", "1"))), max(1, min(MAX_PER_PAGE, int(arg("perPage", "50"))))
        except ValueError:
            return 400, _error(400, "page and perPage must be integers")
        with self._lock:
            visible = self.visible
        top = visible - (page - 1) * per_page  # ids[:visible], newest first
        ids = self._ids[max(0, top - per_page) : max(0, top)][::-1]
        items = [self._article(aid).list_item for aid in ids]
        return 200, json.dumps(
            {"message": {"status": "200", "result": {"articleList": items, "hasNext": top - per_page > 0}}},
            ensure_ascii=False,
        )

    def _body(self, club: str, aid: int, member: bool) -> tuple[int, str, Any]:
        index = self._index.get(aid)
        with self._lock:
            visible = self.visible
        if club != self.club_id or index is None or index >= visible:
            return 404, _error(404, "article not found"), None
        art = self._article(aid)
        status, text = art.responses[min(self._fetches[aid], len(art.responses) - 1)]
        if status == 401 and member:
            status, text = 200, _member_view(self.club_id, art)

        def served() -> None:
            with self._lock:
                self._fetches[aid] += 1

        return status, text, served

    def _send(
        self, req: _Handler, status: int, text: str, headers: dict[str, str] | None = None, drop: bool = False
    ) -> None:
        body = text.encode("utf-8")
        head = [
            f"HTTP/1.1 {status} {req.responses.get(status, ('',))[0]}",
            "Content-Type: application/json;charset=UTF-8",
            f"Content-Length: {len(body)}",
        ]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if drop:  # promise the whole body, send half, hang up
            body = body[: len(body) // 2]
            req.close_connection = True
        req.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        req.wfile.flush()
        self._count(f"status_{status}")

    def _count(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.stats[key] += n


def board_clock(as_of: datetime) -> Callable[[], datetime]:
    """Simulated UTC time for scraping a generated board, starting just before the corpus's `as_of`.

    The corpus's pages show dates as they read at its end (`21:13` for today, `어제`,
    `3시간 전`), and cleanse reads such text relative to the fetch time, as it must for
    Naver, which renders each page when it is fetched. A real-speed clock would carry a
    long scrape past midnight, a day after the pages' moment, and date every `어제` post
    a day late; this one starts a second early and runs at 1/10,000 of real speed (a
    millisecond every 10 s), so fetches stay ordered and a scrape hours long still reads
    as the board's last second. Pass it as `run_scrape(..., now=board_clock(corpus.as_of))`.
    """
    start, t0 = as_of.astimezone(UTC) - timedelta(seconds=1), time.monotonic()
    return lambda: start + timedelta(seconds=(time.monotonic() - t0) / 10_000)
