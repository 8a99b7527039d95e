"""The incremental cursor: for each listed item, newest first, skip it, fetch it, or stop the run.

A run covers the ids from the newest it saw when it started (`ceiling`) down to the watermark
(the ceiling of the last completed run), plus a look-back: items at or below the watermark
posted within the look-back window are fetched again (edits, changed counts), at most
`lookback_max` of them. `low` is the lowest id this run has written: anything at or above it is
done (a page re-read after new posts pushed items down). A pure function of values, so every
case is a one-line test.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Decision(Enum):
    SKIP = "skip"  # already written by this run
    FETCH = "fetch"
    STOP = "stop"  # below the run's range: this item and every older one are done


@dataclass(frozen=True)
class Cursor:
    low: int | None  # lowest id written by this run (None before the first)
    base_watermark: int  # the watermark when the run started (0 for a backfill: walk the whole board)
    horizon_ms: int  # the look-back's start (epoch ms): older items at or below the watermark end the run
    lookback_done: int  # items at or below the watermark fetched again so far
    lookback_max: int


def decide(cursor: Cursor, item_id: int, posted_ms: int | None) -> Decision:
    """What to do with one item. An item without a usable posting time counts as inside the look-back."""
    if cursor.low is not None and item_id >= cursor.low:
        return Decision.SKIP
    if item_id > cursor.base_watermark:
        return Decision.FETCH
    if cursor.lookback_done >= cursor.lookback_max:
        return Decision.STOP
    return Decision.STOP if posted_ms is not None and posted_ms < cursor.horizon_ms else Decision.FETCH
