"""Leases: one holder at a time of a lake object, by conditional writes (no other service).

A lease is a small JSON object in a zone taken with `Lake.put_bytes_if`: If-None-Match to create
it, If-Match to renew it, take over an expired one, or give it back. Exactly one writer wins on S3
(a conditional PutObject) and in a folder (link(2), or a compare under flock(2)). A lease names its
holder, when it was taken and when it runs out; an expired lease's holder is presumed gone (crashed
or killed) and another may take it over. Giving it back overwrites it as expired now, never deletes
it (the scraper may not delete in the versioned raw bucket).

Two users: the scraper's board lease (collect/lease.py; held for an invocation's whole timeout) and
a stage's lock (`stage_lock`; short, renewed by a heartbeat thread while the stage runs, so a run
killed with -9 is taken over a minute or two later, not after hours).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cafelake.errors import LakeError
from cafelake.lake import Lake
from cafelake.runs import RUN_ZONES, iso_z, utcnow

log = logging.getLogger(__name__)

STAGE_LEASE_S = 120.0  # a stage lock outlives its holder by at most this long
POLL_S = 2.0  # how often a waiting run asks again


class LeaseHeld(Exception):
    """Someone else holds the lease (`holder`, since `taken_at`, until `expires_at`)."""

    def __init__(self, holder: str, taken_at: str, expires_at: str) -> None:
        super().__init__(f"held by {holder!r} since {taken_at} until {expires_at}")
        self.holder, self.taken_at, self.expires_at = holder, taken_at, expires_at


@dataclass(frozen=True)
class Lease:
    zone: str
    key: str
    holder: str
    taken_at: str  # ISO-8601 UTC
    expires_at: str
    etag: str


def _document(holder: str, taken_at: str, expires_at: datetime, *, released: bool = False) -> bytes:
    doc = {"holder": holder, "taken_at": taken_at, "expires_at": iso_z(expires_at), "released": released}
    return json.dumps(doc, indent=1).encode("utf-8")


def _parse(text: bytes) -> tuple[datetime, str, str, str] | None:
    """(expires_at, holder, taken_at, expires_at text) of a stored lease; None if unreadable."""
    try:
        doc = json.loads(text)
        until = datetime.fromisoformat(doc["expires_at"].replace("Z", "+00:00"))
        return until, str(doc.get("holder")), str(doc.get("taken_at", "?")), doc["expires_at"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def holder_of(lake: Lake, zone: str, key: str, *, now: Callable[[], datetime] = utcnow) -> str | None:
    """Who holds the lease now (None when free, given back or expired)."""
    try:
        parsed = _parse(lake.get_bytes(zone, key))
    except FileNotFoundError:
        return None
    return parsed[1] if parsed and parsed[0] > now() else None


def acquire(
    lake: Lake, zone: str, key: str, *, holder: str, seconds: float, now: Callable[[], datetime] = utcnow
) -> Lease:
    """Take the lease for `seconds`, or raise LeaseHeld naming who holds it."""
    moment = now()
    taken, until = iso_z(moment), moment + timedelta(seconds=seconds)
    body = _document(holder, taken, until)
    etag = lake.put_bytes_if(zone, key, body)
    if etag is None:  # a lease exists: take it over only if it ran out or was given back
        try:
            current, current_etag = lake.get_bytes_etag(zone, key)
        except FileNotFoundError:  # nothing deletes a lease; should something, the next attempt creates it
            raise LeaseHeld("someone", "just now", "(it vanished while being read; try again)") from None
        parsed = _parse(current)
        if parsed is None:
            log.warning("unreadable lease %s %r: taking it over", key, current[:200])
        if parsed is None or parsed[0] <= moment:
            etag = lake.put_bytes_if(zone, key, body, etag=current_etag)
        if etag is None:
            raise LeaseHeld(*(parsed[1:] if parsed else ("someone", "just now", "?")))
    return Lease(zone, key, holder, taken, iso_z(until), etag)


def renew(lake: Lake, lease: Lease, *, seconds: float, now: Callable[[], datetime] = utcnow) -> Lease | None:
    """Extend the lease from now if it is still ours; None if another holder took it over."""
    until = now() + timedelta(seconds=seconds)
    etag = lake.put_bytes_if(lease.zone, lease.key, _document(lease.holder, lease.taken_at, until), etag=lease.etag)
    return None if etag is None else replace(lease, expires_at=iso_z(until), etag=etag)


def release(lake: Lake, lease: Lease, *, now: Callable[[], datetime] = utcnow) -> bool:
    """Give the lease back (mark it expired now) if it is still ours; False if another holder took it over."""
    body = _document(lease.holder, lease.taken_at, now(), released=True)
    return lake.put_bytes_if(lease.zone, lease.key, body, etag=lease.etag) is not None


class _Heartbeat(threading.Thread):
    """Renews a lease every third of its length until stopped; a lost lease is logged, not fatal here."""

    def __init__(self, lake: Lake, lease: Lease, seconds: float) -> None:
        super().__init__(daemon=True, name=f"lease {lease.key}")
        self.lake, self.lease, self.seconds = lake, lease, seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.seconds / 3):
            try:
                renewed = renew(self.lake, self.lease, seconds=self.seconds)
            except Exception:  # a store hiccup: the next beat tries again before the lease runs out
                log.warning("could not renew the lease %s; trying again", self.lease.key, exc_info=True)
                continue
            if renewed is None:
                log.warning("lease %s of %s was taken over (it had expired)", self.lease.key, self.lease.holder)
                return
            self.lease = renewed

    def stop(self) -> Lease:
        self.stopped.set()
        self.join()
        return self.lease


def acquire_waiting(
    lake: Lake,
    zone: str,
    key: str,
    *,
    holder: str,
    seconds: float,
    wait: float = 0.0,
    now: Callable[[], datetime] = utcnow,
) -> Lease:
    """`acquire`, asking again every POLL_S seconds for up to `wait` seconds while another holds the lease."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return acquire(lake, zone, key, holder=holder, seconds=seconds, now=now)
        except LeaseHeld:
            if time.monotonic() >= deadline:
                raise
            time.sleep(min(POLL_S, max(deadline - time.monotonic(), 0.05)))


@contextmanager
def held(
    lake: Lake, lease: Lease, *, seconds: float | None = None, now: Callable[[], datetime] = utcnow
) -> Iterator[Lease]:
    """Hold a lease taken while the block runs (renewed by a heartbeat every `seconds` / 3 if given);
    give it back however the block ends."""
    beat = _Heartbeat(lake, lease, seconds) if seconds else None
    if beat:
        beat.start()
    try:
        yield lease
    finally:
        lease = beat.stop() if beat else lease
        if not release(lake, lease, now=now):
            log.warning(
                "lease %s of %s was taken over before it was given back (it had expired)", lease.key, lease.holder
            )


class StageLocked(LakeError):
    """Another run of the stage holds the lake's lock for it."""


def lock_key(stage: str) -> str:
    """The lock of a stage, in the zone the stage writes (hidden from readers)."""
    return f"_state/locks/{stage}.json"


@contextmanager
def stage_lock(
    lake: Lake, stage: str, run_id: str, *, wait: float = 0.0, seconds: float = STAGE_LEASE_S
) -> Iterator[Lease]:
    """One writer per stage per lake: hold the stage's lock (heartbeat-renewed) while the run writes."""
    try:
        lease = acquire_waiting(lake, RUN_ZONES[stage], lock_key(stage), holder=run_id, seconds=seconds, wait=wait)
    except LeaseHeld as exc:
        raise StageLocked(
            f"{stage} on {lake.root} is locked by run {exc.holder} since {exc.taken_at} (until {exc.expires_at} "
            "unless it renews); wait for it to end, or run again with --wait SECONDS"
        ) from None
    with held(lake, lease, seconds=seconds) as lease:
        yield lease
