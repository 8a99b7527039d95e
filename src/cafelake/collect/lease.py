"""One scraper invocation per board at a time: a lease object beside the board's state.

Two invocations of one board would load the same checkpoint, fetch the same pages and race to
save their state. The board's lease is an object in the raw zone taken with conditional writes
(`Lake.put_bytes_if`: If-None-Match to create it, If-Match to take over an expired one or give it
back), so exactly one writer wins, with no other service (no DynamoDB, no reserved concurrency).

A lease names its holder and when it runs out. The scraper takes it for the invocation's remaining
time plus a margin: a Lambda invocation cannot outlive its timeout, so an expired lease's holder has
certainly stopped (crashed or killed) and the lease may be taken over. Giving it back overwrites it
as expired now, never deletes it: the scraper may not delete anything in the versioned raw bucket.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from cafelake.lake import Lake
from cafelake.raw import lease_key
from cafelake.runs import iso_z, utcnow
from cafelake.sources.base import Board

log = logging.getLogger(__name__)


class BoardBusy(RuntimeError):
    """Another invocation holds the board's lease: try again after it ends (its Lambda error type,
    which the state machine retries on)."""


@dataclass(frozen=True)
class Lease:
    key: str
    holder: str
    expires_at: str  # ISO-8601 UTC
    etag: str


def _document(holder: str, taken_at: datetime, expires_at: datetime, *, released: bool = False) -> bytes:
    return json.dumps(
        {"holder": holder, "taken_at": iso_z(taken_at), "expires_at": iso_z(expires_at), "released": released}, indent=1
    ).encode("utf-8")


def _expired(text: bytes, moment: datetime) -> tuple[bool, str]:
    """Whether a stored lease may be taken at `moment`, and who holds it (for the error)."""
    try:
        doc = json.loads(text)
        until = datetime.fromisoformat(doc["expires_at"].replace("Z", "+00:00"))
        return until <= moment, f"{doc.get('holder')!r} until {doc['expires_at']}"
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("unreadable lease %r: taking it over", text[:200])
        return True, "an unreadable lease"


def acquire(lake: Lake, board: Board, *, holder: str, seconds: float, now: Callable[[], datetime] = utcnow) -> Lease:
    """Take the board's lease for `seconds`, or raise BoardBusy naming who holds it."""
    key, moment = lease_key(*board), now()
    until = moment + timedelta(seconds=seconds)
    body = _document(holder, moment, until)
    etag = lake.put_bytes_if("raw", key, body)
    if etag is None:  # a lease exists: take it over only if it ran out or was given back
        try:
            current, current_etag = lake.get_bytes_etag("raw", key)
        except FileNotFoundError:  # nothing deletes a lease; should something, the next attempt creates it
            raise BoardBusy(f"board {board}: its lease vanished while being read; try again") from None
        expired, held_by = _expired(current, moment)
        if expired:
            etag = lake.put_bytes_if("raw", key, body, etag=current_etag)
        if etag is None:
            raise BoardBusy(f"board {board} is being scraped: lease held by {held_by}")
    return Lease(key, holder, iso_z(until), etag)


def release(lake: Lake, lease: Lease, *, now: Callable[[], datetime] = utcnow) -> bool:
    """Give the lease back (mark it expired now) if it is still ours; False if another holder took it over."""
    moment = now()
    return (
        lake.put_bytes_if("raw", lease.key, _document(lease.holder, moment, moment, released=True), etag=lease.etag)
        is not None
    )


@contextmanager
def board_lease(
    lake: Lake, board: Board, *, holder: str, seconds: float, now: Callable[[], datetime] = utcnow
) -> Iterator[Lease]:
    """Hold the board's lease while the block runs; give it back however the block ends."""
    lease = acquire(lake, board, holder=holder, seconds=seconds, now=now)
    try:
        yield lease
    finally:
        if not release(lake, lease, now=now):
            log.warning("board %s: lease of %s was taken over before it was given back (it had expired)", board, holder)
