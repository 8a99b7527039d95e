"""Per-board scraper state in the lake: a watermark and the checkpoint of a run in progress.

The board is read newest first. A run covers the ids from the newest it saw when it
started (`ceiling`) down to the watermark minus the look-back; `cursor` is the lowest id
whose raw object is durably written, so everything in [cursor, ceiling] is done. The
watermark becomes `ceiling` only when the whole range is done, so a run killed anywhere
resumes from its checkpoint and never skips an article.

Fields added later have defaults, so a checkpoint saved by an older version still loads.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from cafelake.lake import Lake
from cafelake.raw import state_key
from cafelake.sources.base import Board


@dataclass
class Checkpoint:
    run_id: str
    started_at: str
    base_watermark: int  # the watermark when the run started (0 for a backfill: walk the whole board)
    horizon_ms: int  # look-back: items at or below base_watermark posted before this end the run
    per_page: int = 50  # page size, fixed for the run (page numbers depend on it)
    page: int = 1  # list page to read next
    seq: int = 0  # next raw object sequence number
    ingest_dt: str = ""  # the date seq is written under, fixed before the write ("" from older versions)
    ceiling: int | None = None  # newest id of the run's first list page
    cursor: int | None = None  # lowest id durably written in this run
    lookback_done: int = 0  # items at or below base_watermark re-fetched so far
    stuck_id: int | None = None  # an article that opened the circuit breaker...
    stuck_runs: int = 0  # ...in this many invocations in a row
    stuck_page: int | None = None  # a list page that stayed malformed...
    stuck_page_runs: int = 0  # ...in this many invocations in a row
    not_before: str | None = None  # ISO-8601 UTC: the source asked for no request before this (Retry-After)
    invocations: int = 0
    totals: dict[str, int] = field(default_factory=dict)


@dataclass
class BoardState:
    watermark: int = 0  # highest article id of the last completed run
    checkpoint: Checkpoint | None = None
    last_run_id: str | None = None
    last_completed_at: str | None = None

    @classmethod
    def from_json(cls, text: str) -> BoardState:
        data = json.loads(text)
        cp = data.pop("checkpoint", None)
        return cls(**data, checkpoint=Checkpoint(**cp) if cp else None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)


def load_state(lake: Lake, board: Board) -> BoardState:
    try:
        return BoardState.from_json(lake.get_bytes("raw", state_key(*board)).decode("utf-8"))
    except FileNotFoundError:
        return BoardState()


def save_state(lake: Lake, board: Board, state: BoardState) -> None:
    lake.put_bytes("raw", state_key(*board), state.to_json().encode("utf-8"))
