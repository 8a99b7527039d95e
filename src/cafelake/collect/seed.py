"""seed_raw: put a corpus straight into the raw zone, as a complete scrape would have left it.

For benchmarks and large local runs, where 20,000+ HTTP round trips would only measure
the loopback. Same envelope, classification, writer and quarantine as the scraper; each
article's latest revision is used, and the board's watermark is set to the newest id so
a later `run_scrape` is incremental, exactly as after a real backfill. A corpus is what the
local server serves: `club_id`, `menu_id` and `iter_articles()` of items with `article_id`,
`list_item` and `responses` ([http status, body text] per revision), in its source's shapes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cafelake import sources
from cafelake.collect.state import BoardState, load_state, save_state
from cafelake.collect.writer import RawWriter, envelope, ingest_date
from cafelake.lake import Lake
from cafelake.runs import Progress, iso_z
from cafelake.sources.base import Board


def seed_raw(
    lake: Lake,
    corpus: Any,
    *,
    run_id: str,
    fetched_at: datetime,
    batch: int = 5000,
    on_progress: Progress | None = None,
    source: str | None = None,
) -> int:
    """Write every corpus article as raw envelopes (objects of `batch`); returns how many.

    `source` names the corpus's source (default: the registry's default)."""
    walker = sources.listing(source or sources.default_name())
    board = Board(walker.name, str(corpus.club_id), str(corpus.menu_id))
    writer = RawWriter(lake, board, run_id, now=lambda: fetched_at)
    day = ingest_date(fetched_at)
    pending: list[dict[str, Any]] = []
    seq = written = newest = 0
    total = len(corpus)
    for art in corpus.iter_articles():
        http_status, text = art.responses[-1]
        body = walker.classify(http_status, text)
        if body.status == "malformed":
            writer.quarantine(
                f"article-{art.article_id}",
                body.reason or "malformed",
                body.text,
                ingest_dt=day,
                article_id=art.article_id,
                http_status=http_status,
            )
        pending.append(
            envelope(
                board,
                art.article_id,
                body.status,
                walker.payload(art.list_item, body),
                run_id=run_id,
                seq=seq,
                fetched_at=fetched_at,
            )
        )
        newest = max(newest, art.article_id)
        if len(pending) >= batch:
            writer.write(seq, pending, ingest_dt=day)
            seq, written, pending = seq + 1, written + len(pending), []
            if on_progress:
                on_progress(written, total)
    if pending:
        writer.write(seq, pending, ingest_dt=day)
        written += len(pending)
    state = load_state(lake, board)
    save_state(
        lake,
        board,
        BoardState(watermark=max(state.watermark, newest), last_run_id=run_id, last_completed_at=iso_z(fetched_at)),
    )
    if on_progress:
        on_progress(written, total)
    return written
