"""The incremental cursor's decision, case by case."""

from __future__ import annotations

import pytest

from cafelake.collect.cursor import Cursor, Decision, decide

RUN = Cursor(low=500, base_watermark=300, horizon_ms=1_000, lookback_done=0, lookback_max=10)


@pytest.mark.parametrize(
    "cursor, item_id, posted_ms, expected",
    [
        (RUN, 500, 5_000, Decision.SKIP),  # written by this run already (a page re-read after posts pushed it down)
        (RUN, 700, None, Decision.SKIP),
        (RUN, 499, 5, Decision.FETCH),  # new since the last run, however old its date says it is
        (RUN, 300, 1_000, Decision.FETCH),  # at the watermark, inside the look-back: fetched again
        (RUN, 300, None, Decision.FETCH),  # no usable posting time: counts as inside the look-back
        (RUN, 300, 999, Decision.STOP),  # at the watermark, posted before the look-back: the run's range ends
        (Cursor(500, 300, 1_000, 10, 10), 299, 5_000, Decision.STOP),  # the look-back's budget is spent
        (Cursor(None, 0, 1_000, 0, 10), 1, 5, Decision.FETCH),  # a backfill's first item
    ],
)
def test_decide(cursor, item_id, posted_ms, expected):
    assert decide(cursor, item_id, posted_ms) is expected
