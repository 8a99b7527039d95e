"""run_import: put the records of a file into the raw zone, untouched, one envelope each.

Source-agnostic: a file source reads its file into (article id as found, payload) pairs; this
writes them as envelopes of that source's board, `batch` to a raw object, and records the run
under `raw/_runs/import/`. The run id ends with the import's digest (the file's bytes and how
they are read), so importing the same file the same way again writes nothing. `fetched_at` is
when cafelake read the file; the source's mapping decides what the rows' own fetch time is.

`mark_scraped` raises the watermark of the origin's board (the scraper's state) to the newest
article imported, so its next scrape fetches only newer articles and its look-back instead of
walking the whole board again; articles the file missed below that stay missing (a `--backfill`
scrape finds them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cafelake.collect.lease import board_lease
from cafelake.collect.state import load_state, save_state
from cafelake.collect.writer import RawWriter, envelope, ingest_date
from cafelake.lake import Lake
from cafelake.raw import board_prefix
from cafelake.runs import iso_z, new_run_id, utcnow, write_run
from cafelake.sources.base import Board

DIGEST_CHARS = 16
LEASE_S = 600  # the origin board's lease while an import with mark_scraped runs (given back when it ends)


@dataclass
class ImportSummary:
    run_id: str
    source: str
    origin: str
    club_id: str
    menu_id: str
    file: str
    rows: int = 0  # envelopes written, one per row
    objects_written: int = 0
    newest_article_id: int | None = None
    already_imported: str | None = None  # the run that imported this file this way before (nothing written)
    watermark: int | None = None  # the origin board's watermark after mark_scraped

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def previous_run(lake: Lake, board: Board, digest: str) -> str | None:
    """The run that already imported this digest into the board, if any."""
    tag = f"-{digest[:DIGEST_CHARS]}-"
    hit = next((k for k in lake.list_keys("raw", board_prefix(*board)) if tag in k.rsplit("/", 1)[-1]), None)
    return hit.rsplit("/", 1)[-1].rsplit("-", 1)[0] if hit else None


def run_import(
    lake: Lake,
    board: Board,
    records: Iterable[tuple[Any, dict[str, Any]]],
    *,
    digest: str,
    origin: str,
    file: str,
    batch: int = 5000,
    mark_scraped: bool = False,
    now: Callable[[], datetime] = utcnow,
) -> ImportSummary:
    """Write `records` as envelopes of `board` (whose source is the file source), posts of `origin`.

    With `mark_scraped` the origin board's lease is held from before the first write (BoardBusy while
    a scrape of it runs, before anything is written) until its watermark is raised.
    """
    moment = now()
    run_id = new_run_id(moment, tag=digest[:DIGEST_CHARS])
    summary = ImportSummary(run_id, board.source, origin, board.club_id, board.menu_id, file)
    if done := previous_run(lake, board, digest):
        summary.run_id, summary.already_imported = done, done
        return summary
    scraped = Board(origin, board.club_id, board.menu_id)
    with board_lease(lake, scraped, holder=f"import {run_id}", seconds=LEASE_S) if mark_scraped else nullcontext():
        _write(lake, board, records, summary, origin, batch, moment)
        if mark_scraped and summary.newest_article_id:
            summary.watermark = _raise_watermark(lake, scraped, summary.newest_article_id, run_id, moment)
    write_run(lake, "import", run_id, summary.to_dict(), started_at=moment, finished_at=now())
    return summary


def _write(
    lake: Lake,
    board: Board,
    records: Iterable[tuple[Any, dict[str, Any]]],
    summary: ImportSummary,
    origin: str,
    batch: int,
    moment: datetime,
) -> None:
    writer, day = RawWriter(lake, board, summary.run_id, now=lambda: moment), ingest_date(moment)
    pending: list[dict[str, Any]] = []
    for article_id, payload in records:
        pending.append(
            envelope(
                board,
                article_id,
                "ok",
                payload,
                run_id=summary.run_id,
                seq=summary.objects_written,
                fetched_at=moment,
                origin=origin if origin != board.source else None,
            )
        )
        if isinstance(article_id, int):
            summary.newest_article_id = max(summary.newest_article_id or 0, article_id)
        if len(pending) >= batch:
            summary.objects_written, summary.rows = _flush(writer, pending, summary, day)
            pending = []
    if pending:
        summary.objects_written, summary.rows = _flush(writer, pending, summary, day)


def _flush(writer: RawWriter, pending: list[dict[str, Any]], summary: ImportSummary, day: str) -> tuple[int, int]:
    writer.write(summary.objects_written, pending, ingest_dt=day)
    return summary.objects_written + 1, summary.rows + len(pending)


def _raise_watermark(lake: Lake, board: Board, article_id: int, run_id: str, moment: datetime) -> int:
    """The scraper's watermark of `board` raised to `article_id` (never lowered); the caller holds its lease."""
    state = load_state(lake, board)
    if article_id > state.watermark:
        state.watermark, state.last_run_id, state.last_completed_at = article_id, run_id, iso_z(moment)
        save_state(lake, board, state)
    return state.watermark
