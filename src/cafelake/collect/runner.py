"""run_scrape: one time-budgeted invocation of the incremental scrape of one board of one source.

Source-agnostic: the source (cafelake.sources, a `ListingSource`) lists pages and reads bodies
through the politeness-bound `PoliteHttp`; what to fetch is the cursor's call (cursor.py).
Reads list pages newest first and fetches each new article's body, writing one raw
object per page (or partial page) and saving the checkpoint after each durable write.
New posts arriving while paging push items down to later pages: they are met again,
skipped by id (anything at or above the cursor is done), and nothing is lost. A resumed
run re-reads one page before its checkpoint so that a few deletions (which shift items
up) cannot hide an article either. The run ends on an article at or below the watermark
posted (by its list timestamp) before the look-back window, when the look-back's
article budget is spent, or on the last page. A list page that stays malformed for
`Policy.stuck_runs` invocations is quarantined and passed, as a stuck article is.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from cafelake import sources
from cafelake.collect import fetch
from cafelake.collect.cursor import Cursor, Decision, decide
from cafelake.collect.http import PoliteHttp
from cafelake.collect.politeness import CircuitOpen, OutOfTime, Policy
from cafelake.collect.state import BoardState, Checkpoint, load_state, save_state
from cafelake.collect.writer import RawWriter, envelope, ingest_date
from cafelake.lake import Lake
from cafelake.runs import Progress, iso_z, new_run_id, utcnow, write_run
from cafelake.sources.base import Board, Body, ListingSource, ListPage, MalformedPage

log = logging.getLogger(__name__)


@dataclass
class ScrapeSummary:
    """What one invocation did; `continue_` says whether another invocation should follow now."""

    run_id: str
    club_id: str
    menu_id: str
    source: str = ""
    pages: int = 0
    pages_skipped: int = 0  # list pages that stayed malformed for Policy.stuck_runs runs: quarantined, passed
    articles_fetched: int = 0  # envelopes written (any status)
    skipped: int = 0  # list items already written by this run (shifted pages, overlap)
    statuses: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    objects_written: int = 0
    requests: int = 0
    retries: int = 0
    watermark: int = 0
    complete: bool = False
    stopped: str | None = None  # time_budget | max_pages | circuit_open | malformed_page
    detail: str | None = None
    wait_seconds: int = 0  # the source asked for no request sooner (Retry-After or a backoff): wait, then continue

    @property
    def continue_(self) -> bool:
        """Budget or page limit reached: resume (after `wait_seconds`). Not after a failure (wait for the schedule)."""
        return not self.complete and self.stopped in ("time_budget", "max_pages")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"continue": self.continue_}


def _as_lookback(lookback: timedelta | float) -> timedelta:
    return lookback if isinstance(lookback, timedelta) else timedelta(hours=float(lookback))


def _seconds_until(moment: str | None, now: datetime) -> float:
    return max(0.0, (datetime.fromisoformat(moment) - now).total_seconds()) if moment else 0.0


def _start(state: BoardState, moment: datetime, *, lookback: timedelta | float, per_page: int, backfill: bool) -> bool:
    """Give the state a checkpoint to work on; True when it must be saved before any write."""
    if state.checkpoint is None:
        horizon = moment - _as_lookback(lookback)
        state.checkpoint = Checkpoint(
            new_run_id(moment),
            iso_z(moment),
            0 if backfill else state.watermark,
            int(horizon.timestamp() * 1000),
            per_page=per_page,
            ingest_dt=ingest_date(moment),
        )
        return True
    if not state.checkpoint.ingest_dt:  # saved by a version that did not fix the ingest date yet
        state.checkpoint.ingest_dt = ingest_date(moment)
        return True
    return False


def run_scrape(
    lake: Lake,
    base_url: str,
    club_id: str | int,
    menu_id: str | int,
    *,
    source: str | None = None,
    cookies: Mapping[str, str] | None = None,
    rate_limit: float = 1.0,
    lookback: timedelta | float = timedelta(hours=24),
    lookback_max: int = 1000,
    per_page: int = 50,
    time_budget_s: float | None = None,
    max_pages: int | None = None,
    backfill: bool = False,
    on_progress: Progress | None = None,
    policy: Policy | None = None,
    user_agent: str | None = None,
    now: Callable[[], datetime] = utcnow,
) -> ScrapeSummary:
    """Scrape new (and recently posted) articles of one board into the raw zone.

    `source` names a registered source the scraper can walk (default: the registry's default);
    `cookies` are its session cookies (see the source's `load_session`).
    `lookback` (a timedelta or hours) re-fetches already-written articles posted within it,
    at most `lookback_max` of them, to pick up edits and changed counts; an article whose
    list item has no usable timestamp counts as inside it. `time_budget_s` and `max_pages`
    bound this invocation; the checkpoint lets the next one resume. `per_page` applies to
    new runs (a resumed run keeps its own). `backfill` starts a run that walks the whole
    board whatever the watermark (a run in progress is always resumed as it began).
    `user_agent` replaces the default User-Agent (add a way to reach you).
    """
    walker = sources.listing(source or sources.default_name())
    board = Board(walker.name, str(club_id), str(menu_id))
    policy = replace(policy or Policy(), rate_limit=rate_limit)
    if time_budget_s is not None:
        policy.deadline = policy.clock() + time_budget_s
    state = load_state(lake, board)
    resumed = state.checkpoint is not None
    if _start(state, now(), lookback=lookback, per_page=per_page, backfill=backfill):
        save_state(lake, board, state)  # a re-run after a crash keeps the run id, hence the keys
    http = PoliteHttp(base_url, cookies=cookies, policy=policy, user_agent=user_agent)
    invocation = _Invocation(
        lake,
        walker,
        board,
        state,
        http,
        resumed=resumed,
        lookback_max=lookback_max,
        max_pages=max_pages,
        on_progress=on_progress,
        now=now,
    )
    try:
        invocation.run()
    finally:
        http.close()
    return invocation.finish()


class _Invocation:
    """One invocation's share of a run: the page loop, its raw writes and its checkpoint."""

    def __init__(
        self,
        lake: Lake,
        source: ListingSource,
        board: Board,
        state: BoardState,
        http: PoliteHttp,
        *,
        resumed: bool,
        lookback_max: int,
        max_pages: int | None,
        on_progress: Progress | None,
        now: Callable[[], datetime],
    ) -> None:
        assert state.checkpoint is not None
        self.lake, self.source, self.board, self.state = lake, source, board, state
        self.http, self.policy, self.cp = http, http.policy, state.checkpoint
        self.lookback_max, self.max_pages, self.on_progress, self.now = lookback_max, max_pages, on_progress, now
        self.cp.invocations += 1
        # The page before the checkpoint is re-read but never saved as the next page, so an
        # invocation that reads nothing leaves the checkpoint where it was.
        self.overlap = int(resumed and self.cp.page > 1)
        self.page_no = self.cp.page - self.overlap
        self.low = self.cp.cursor  # lowest id this run has fetched; saved as the cursor once written
        self.pending: list[dict[str, Any]] = []
        self.statuses: Counter[str] = Counter()
        self.summary = ScrapeSummary(self.cp.run_id, board.club_id, board.menu_id, board.source)
        self.writer = RawWriter(lake, board, self.cp.run_id, now)

    # --- the loop ----------------------------------------------------------------------
    def run(self) -> None:
        try:
            if self._wait_as_asked():
                self._pages()
        except CircuitOpen as exc:
            self._stop("circuit_open", str(exc))
        except OutOfTime as exc:
            self._defer(exc.wait_s)
            self._stop("time_budget", str(exc))

    def _pages(self) -> None:
        while not self.summary.stopped:
            if (
                self.max_pages is not None
                and self.summary.pages + self.summary.pages_skipped >= self.max_pages + self.overlap
            ):  # the re-read page does not count against max_pages
                return self._stop("max_pages")
            if self._out_of_budget():
                return self._stop("time_budget")
            page = self._list_page()
            if page is None:  # stopped, or a stuck page passed
                continue
            reached_end = self._articles(page)
            finished = not self.summary.stopped and (reached_end or not page.has_next)
            if not self.summary.stopped and not finished:
                self.page_no += 1
            self._flush()
            if finished:
                self.summary.complete = True
                return

    def _wait_as_asked(self) -> bool:
        """Honour a wait an earlier invocation was asked for: wait it out if the budget allows."""
        wait = _seconds_until(self.cp.not_before, self.now())
        if wait and self.policy.deadline is not None and self.policy.clock() + wait > self.policy.deadline:
            self.summary.wait_seconds = math.ceil(wait)
            self._stop("time_budget", f"the source asked for no request before {self.cp.not_before}")
            return False
        if wait:
            self.policy.sleep(wait)
        self.cp.not_before = None
        return True

    def _defer(self, wait_s: float) -> None:
        """Save when the source may be asked again, and tell the caller how long to wait."""
        self.cp.not_before = iso_z(self.now() + timedelta(seconds=wait_s))
        self.summary.wait_seconds = math.ceil(wait_s)

    def _stop(self, why: str, detail: str | None = None) -> None:
        self.summary.stopped, self.summary.detail = why, detail

    def _out_of_budget(self) -> bool:
        return self.policy.deadline is not None and self.policy.clock() >= self.policy.deadline

    # --- list pages --------------------------------------------------------------------
    def _list_page(self) -> ListPage | None:
        try:
            page = fetch.list_page(self.source, self.http, self.board, self.page_no, self.cp.per_page)
        except MalformedPage as exc:
            self._malformed_page(exc)
            return None
        if self.cp.stuck_page == self.page_no:
            self.cp.stuck_page, self.cp.stuck_page_runs = None, 0
        self.summary.pages += 1
        return page

    def _malformed_page(self, exc: MalformedPage) -> None:
        """Keep the response; stop, or after Policy.stuck_runs runs in a row on this page, pass it."""
        cp = self.cp
        cp.stuck_page_runs = cp.stuck_page_runs + 1 if cp.stuck_page == self.page_no else 1
        cp.stuck_page = self.page_no
        if cp.stuck_page_runs < self.policy.stuck_runs:
            self._quarantine(f"page{self.page_no:05d}", exc.reason, exc.text, page=self.page_no)
            return self._stop("malformed_page", exc.reason)
        reason = f"{exc.reason}; malformed in {cp.stuck_page_runs} runs in a row: skipped"
        self._quarantine(f"page{self.page_no:05d}", reason, exc.text, page=self.page_no)
        log.warning(
            "board %s run %s: %s (its articles may be met on the neighbouring pages as the board "
            "shifts, or by a later run)",
            self.board,
            cp.run_id,
            reason,
        )
        self.summary.pages_skipped += 1
        cp.stuck_page, cp.stuck_page_runs = None, 0
        self.page_no += 1

    def _articles(self, page: ListPage) -> bool:
        """Fetch the page's articles this run still needs; True when the run's range ends here."""
        items = sorted(self._valid_items(page.items), key=lambda pair: -pair[0])
        if self.cp.ceiling is None:
            self.cp.ceiling = items[0][0] if items else self.state.watermark
            self.low = self.cp.ceiling + 1
        for aid, item in items:
            decision = decide(self._cursor(), aid, self.source.item_posted_ms(item))
            if decision is Decision.SKIP:
                self.summary.skipped += 1
                continue
            if decision is Decision.STOP:
                return True
            if self._out_of_budget():
                self._stop("time_budget")
                return False
            self._fetch(aid, item)
        return False

    def _valid_items(self, items: list[Any]) -> list[tuple[int, dict[str, Any]]]:
        """(id, item) of the usable list items; the others are quarantined one by one."""
        valid = []
        for item in items:
            if not isinstance(item, dict):
                self._quarantine_item(item, "list item is not an object")
            elif (aid := self.source.item_id(item)) is None:
                self._quarantine_item(item, "list item without an integer article id")
            else:
                valid.append((aid, item))
        return valid

    def _cursor(self) -> Cursor:
        return Cursor(self.low, self.cp.base_watermark, self.cp.horizon_ms, self.cp.lookback_done, self.lookback_max)

    # --- articles ----------------------------------------------------------------------
    def _fetch(self, aid: int, item: dict[str, Any]) -> None:
        body = self._body(aid)
        if body.status == "malformed":
            self._quarantine(
                f"article-{aid}", body.reason or "malformed", body.text, article_id=aid, http_status=body.http_status
            )
        self.pending.append(
            envelope(
                self.board,
                aid,
                body.status,
                self.source.payload(item, body),
                run_id=self.cp.run_id,
                seq=self.cp.seq,
                fetched_at=self.now(),
            )
        )
        self.statuses[body.status] += 1
        self.summary.articles_fetched += 1
        self.low = aid
        if aid <= self.cp.base_watermark:
            self.cp.lookback_done += 1
        if self.on_progress:
            self.on_progress(self.summary.articles_fetched, None)

    def _body(self, aid: int) -> Body:
        """The body; an article that opened the breaker in Policy.stuck_runs runs in a row is given up."""
        cp = self.cp
        try:
            body = fetch.body(self.source, self.http, self.board, aid)
        except CircuitOpen as exc:
            cp.stuck_runs = cp.stuck_runs + 1 if cp.stuck_id == aid else 1
            cp.stuck_id = aid
            if cp.stuck_runs < self.policy.stuck_runs:
                raise
            body = Body("malformed", None, 0, f"unavailable in {cp.stuck_runs} runs: {exc}")
        if cp.stuck_id == aid:
            cp.stuck_id, cp.stuck_runs = None, 0
        return body

    # --- writes ------------------------------------------------------------------------
    def _quarantine(self, name: str, reason: str, text: str | None, **context: Any) -> None:
        self.summary.quarantined += 1
        self.writer.quarantine(name, reason, text, ingest_dt=self.cp.ingest_dt, **context)

    def _quarantine_item(self, item: Any, reason: str) -> None:
        text = json.dumps(item, ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]  # a re-run overwrites, never duplicates
        self._quarantine(f"list-item-{digest}", reason, text, page=self.page_no)

    def _flush(self) -> None:
        """Write what this page produced, then (only then) move the cursor and the page and save.

        The next sequence's ingest date is fixed here, before its write, so a retried write
        of it (after a crash, past UTC midnight) lands on the very same key.
        """
        cp = self.cp
        if self.pending:
            self.writer.write(cp.seq, self.pending, ingest_dt=cp.ingest_dt)
            cp.seq, cp.ingest_dt = cp.seq + 1, ingest_date(self.now())
            self.summary.objects_written += 1
            self.pending = []
        cp.cursor = self.low
        cp.page = max(cp.page, self.page_no)
        save_state(self.lake, self.board, self.state)

    def finish(self) -> ScrapeSummary:
        """Save what is done, the watermark if the run is complete, and the run's totals."""
        summary, cp, state = self.summary, self.cp, self.state
        if not summary.complete:
            self._flush()
        summary.statuses = dict(self.statuses)
        summary.requests, summary.retries = self.http.counts["requests"], self.http.counts["retries"]
        totals = Counter(cp.totals)
        totals.update(
            {
                "articles_fetched": summary.articles_fetched,
                "quarantined": summary.quarantined,
                "skipped": summary.skipped,
                "pages": summary.pages,
                "pages_skipped": summary.pages_skipped,
                "objects_written": summary.objects_written,
                "requests": summary.requests,
                "retries": summary.retries,
                **self.statuses,
            }
        )
        cp.totals = dict(totals)
        if summary.complete:
            state.watermark = max(state.watermark, cp.ceiling or 0)
            state.checkpoint, state.last_run_id, state.last_completed_at = None, cp.run_id, iso_z(self.now())
        save_state(self.lake, self.board, state)
        summary.watermark = state.watermark
        # One record per run, rewritten by each of its invocations: the run's totals so far and the last invocation.
        write_run(
            self.lake,
            "scrape",
            cp.run_id,
            {
                "invocations": cp.invocations,
                "complete": summary.complete,
                "totals": cp.totals,
                "last_invocation": summary.to_dict(),
            },
            started_at=cp.started_at,
            finished_at=self.now(),
        )
        log.info("scrape %s run %s: %s", self.board, cp.run_id, summary.to_dict())
        return summary
