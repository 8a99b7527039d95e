"""One scraper invocation per board at a time: a lease (cafelake.lease) beside the board's state.

Two invocations of one board would load the same checkpoint, fetch the same pages and race to
save their state. The board's lease is an object in the raw zone taken with conditional writes,
so exactly one writer wins. The scraper takes it for the invocation's remaining time plus a margin:
a Lambda invocation cannot outlive its timeout, so an expired lease's holder has certainly stopped
(crashed or killed) and the lease may be taken over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from cafelake import lease as leases
from cafelake.lake import Lake
from cafelake.lease import Lease
from cafelake.raw import lease_key
from cafelake.runs import utcnow
from cafelake.sources.base import Board


class BoardBusy(RuntimeError):
    """Another invocation holds the board's lease: try again after it ends (its Lambda error type,
    which the state machine retries on)."""


def acquire(lake: Lake, board: Board, *, holder: str, seconds: float, now: Callable[[], datetime] = utcnow) -> Lease:
    """Take the board's lease for `seconds`, or raise BoardBusy naming who holds it."""
    try:
        return leases.acquire(lake, "raw", lease_key(*board), holder=holder, seconds=seconds, now=now)
    except leases.LeaseHeld as exc:
        raise BoardBusy(
            f"board {board} is being scraped: lease held by {exc.holder!r} until {exc.expires_at}"
        ) from None


def release(lake: Lake, lease: Lease, *, now: Callable[[], datetime] = utcnow) -> bool:
    """Give the lease back (mark it expired now) if it is still ours; False if another holder took it over."""
    return leases.release(lake, lease, now=now)


@contextmanager
def board_lease(
    lake: Lake, board: Board, *, holder: str, seconds: float, now: Callable[[], datetime] = utcnow
) -> Iterator[Lease]:
    """Hold the board's lease while the block runs; give it back however the block ends."""
    with leases.held(lake, acquire(lake, board, holder=holder, seconds=seconds, now=now), now=now) as lease:
        yield lease
