"""run_scrape: one time-budgeted invocation of the incremental board scrape.

Reads list pages newest first and fetches each new article's body, writing one raw
object per page (or partial page) and saving the checkpoint after each durable write.
New posts arriving while paging push items down to later pages: they are met again,
skipped by id (anything at or above the cursor is done), and nothing is lost. A resumed
run re-reads one page before its checkpoint so that a few deletions (which shift items
up) cannot hide an article either. The run ends when it reaches articles at or below the
watermark that are older than the look-back window, or the last page.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from cafelake.collect.client import Body, MalformedPage, NaverCafeClient
from cafelake.collect.politeness import CircuitOpen, OutOfTime, Policy
from cafelake.collect.session import MemberCookies
from cafelake.collect.state import Checkpoint, load_state, save_state
from cafelake.collect.writer import RawWriter, envelope, iso_z, utcnow
from cafelake.lake import Lake

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]


@dataclass
class ScrapeSummary:
    """What one invocation did; `continue_` says whether another invocation should follow now."""

    run_id: str
    club_id: str
    menu_id: str
    pages: int = 0
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

    @property
    def continue_(self) -> bool:
        """Budget or page limit reached: resume right away. Not after a failure (wait for the schedule)."""
        return not self.complete and self.stopped in ("time_budget", "max_pages")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"continue": self.continue_}


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _as_lookback(lookback: timedelta | float) -> timedelta:
    return lookback if isinstance(lookback, timedelta) else timedelta(hours=float(lookback))


def _article_id(item: dict[str, Any]) -> int | None:
    value = item.get("articleId")
    try:
        return int(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _posted_ms(item: dict[str, Any]) -> int:
    try:
        return int(item.get("writeDateTimestamp") or 0)
    except (TypeError, ValueError):
        return 0


def run_scrape(lake: Lake, base_url: str, club_id: str | int, menu_id: str | int, *,
               cookies: MemberCookies | None = None, rate_limit: float = 1.0,
               lookback: timedelta | float = timedelta(hours=24), lookback_max: int = 1000,
               per_page: int = 50, time_budget_s: float | None = None, max_pages: int | None = None,
               backfill: bool = False, on_progress: Progress | None = None, policy: Policy | None = None,
               now: Callable[[], datetime] = utcnow) -> ScrapeSummary:
    """Scrape new (and recently posted) articles of one board into the raw zone.

    `lookback` (a timedelta or hours) re-fetches already-written articles posted within it,
    at most `lookback_max` of them, to pick up edits and changed counts. `time_budget_s`
    and `max_pages` bound this invocation; the checkpoint lets the next one resume.
    `per_page` applies to new runs (a resumed run keeps its own).
    `backfill` starts a run that walks the whole board whatever the watermark (a run in
    progress is always resumed as it began).
    """
    club_id, menu_id = str(club_id), str(menu_id)
    policy = replace(policy or Policy(), rate_limit=rate_limit)
    started = policy.clock()
    if time_budget_s is not None:
        policy.deadline = started + time_budget_s
    state = load_state(lake, club_id, menu_id)
    resumed = state.checkpoint is not None
    if state.checkpoint is None:
        moment = now()
        horizon = moment - _as_lookback(lookback)
        state.checkpoint = Checkpoint(new_run_id(moment), iso_z(moment), 0 if backfill else state.watermark,
                                      int(horizon.timestamp() * 1000), per_page=per_page)
        save_state(lake, club_id, menu_id, state)  # a re-run after a crash keeps the run id, hence the keys
    cp = state.checkpoint
    overlap = int(resumed and cp.page > 1)  # the re-read page does not count against max_pages
    cp.page -= overlap
    cp.invocations += 1
    summary = ScrapeSummary(cp.run_id, club_id, menu_id)
    writer = RawWriter(lake, club_id, menu_id, cp.run_id, now)
    client = NaverCafeClient(base_url, cookies=cookies, policy=policy)
    statuses: Counter[str] = Counter()
    pending: list[dict[str, Any]] = []
    low = cp.cursor

    def out_of_budget() -> bool:
        return time_budget_s is not None and policy.clock() - started >= time_budget_s

    def flush() -> None:
        """Write what this page produced, then (only then) move the cursor and save state."""
        nonlocal pending
        if pending:
            writer.write(cp.seq, pending)
            cp.seq += 1
            summary.objects_written += 1
            pending = []
        cp.cursor = low
        save_state(lake, club_id, menu_id, state)

    def is_old(aid: int, item: dict[str, Any]) -> bool:
        return aid <= cp.base_watermark and (_posted_ms(item) < cp.horizon_ms or cp.lookback_done >= lookback_max)

    def quarantine_item(item: dict[str, Any], reason: str) -> None:
        summary.quarantined += 1
        text = json.dumps(item, ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]  # a re-run overwrites, never duplicates
        writer.quarantine(f"list-item-{digest}", reason, text, page=cp.page)

    def fetch(aid: int) -> Body:
        try:
            body = client.article(club_id, aid)
        except CircuitOpen as exc:
            cp.stuck_runs = cp.stuck_runs + 1 if cp.stuck_id == aid else 1
            cp.stuck_id = aid
            if cp.stuck_runs < policy.stuck_runs:
                raise
            body = Body("malformed", None, 0, f"unavailable in {cp.stuck_runs} runs: {exc}")
        if cp.stuck_id == aid:
            cp.stuck_id, cp.stuck_runs = None, 0
        return body

    try:
        while not summary.stopped:
            if max_pages is not None and summary.pages >= max_pages + overlap:
                summary.stopped = "max_pages"
                break
            if out_of_budget():
                summary.stopped = "time_budget"
                break
            page = client.list_page(club_id, menu_id, cp.page, cp.per_page)
            summary.pages += 1
            items = []
            for item in page.items:
                if (aid := _article_id(item)) is None:
                    quarantine_item(item, "list item without an integer articleId")
                else:
                    items.append((aid, item))
            items.sort(key=lambda pair: -pair[0])
            if cp.ceiling is None:
                cp.ceiling = items[0][0] if items else state.watermark
                low = cp.ceiling + 1
            reached_end = False
            for aid, item in items:
                if low is not None and aid >= low:
                    summary.skipped += 1
                    continue
                if is_old(aid, item):
                    reached_end = True
                    break
                if out_of_budget():
                    summary.stopped = "time_budget"
                    break
                body = fetch(aid)
                if body.status == "malformed":
                    summary.quarantined += 1
                    writer.quarantine(f"article-{aid}", body.reason or "malformed", body.text,
                                      article_id=aid, http_status=body.http_status)
                pending.append(envelope(club_id, menu_id, item, body.article, body.status,
                                        run_id=cp.run_id, seq=cp.seq, fetched_at=now()))
                statuses[body.status] += 1
                low = aid
                if aid <= cp.base_watermark:
                    cp.lookback_done += 1
                if on_progress:
                    on_progress(summary.articles_fetched + len(pending), None)
            summary.articles_fetched += len(pending)
            finished = not summary.stopped and (reached_end or not page.has_next)
            if not summary.stopped and not finished:
                cp.page += 1
            flush()
            if finished:
                summary.complete = True
                break
    except CircuitOpen as exc:
        summary.stopped, summary.detail = "circuit_open", str(exc)
    except OutOfTime as exc:
        summary.stopped, summary.detail = "time_budget", str(exc)
    except MalformedPage as exc:
        summary.stopped, summary.detail = "malformed_page", exc.reason
        summary.quarantined += 1
        writer.quarantine(f"page{cp.page:05d}", exc.reason, exc.text, page=cp.page)
    finally:
        client.close()
    if not summary.complete:
        summary.articles_fetched += len(pending)
        flush()
    summary.statuses = dict(statuses)
    summary.requests, summary.retries = client.counts["requests"], client.counts["retries"]
    totals = Counter(cp.totals)
    totals.update({"articles_fetched": summary.articles_fetched, "quarantined": summary.quarantined,
                   "skipped": summary.skipped, "pages": summary.pages, "objects_written": summary.objects_written,
                   "requests": summary.requests, "retries": summary.retries, **statuses})
    cp.totals = dict(totals)
    if summary.complete:
        state.watermark = max(state.watermark, cp.ceiling or 0)
        state.checkpoint, state.last_run_id, state.last_completed_at = None, cp.run_id, iso_z(now())
    save_state(lake, club_id, menu_id, state)
    summary.watermark = state.watermark
    run_doc = {"run_id": cp.run_id, "started_at": cp.started_at, "invocations": cp.invocations,
               "complete": summary.complete, "totals": cp.totals, "last_invocation": summary.to_dict()}
    lake.put_bytes("raw", f"_runs/scrape/{cp.run_id}.json", json.dumps(run_doc, indent=1).encode("utf-8"))
    log.info("scrape %s/%s run %s: %s", club_id, menu_id, cp.run_id, summary.to_dict())
    return summary
