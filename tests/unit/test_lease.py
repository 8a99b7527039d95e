"""Leases and stage locks: one holder, a heartbeat that keeps it, a stale one taken over, a waiter."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from cafelake.lake import Lake
from cafelake.lease import LeaseHeld, StageLocked, acquire, acquire_waiting, holder_of, lock_key, renew, stage_lock

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def lake(tmp_path):
    return Lake(str(tmp_path / "lake"))


def _stored(lake: Lake, stage: str = "cleanse") -> dict:
    return json.loads(lake.get_bytes("cleansed", lock_key(stage)))


def test_a_second_run_of_a_stage_is_refused_naming_the_holder_and_since_when(lake):
    with stage_lock(lake, "cleanse", "run-a"):
        locked = r"cleanse on .* is locked by run run-a since \d{4}-\d\d-\d\dT"
        with pytest.raises(StageLocked, match=locked) as exc, stage_lock(lake, "cleanse", "run-b"):
            pass
        assert "--wait" in str(exc.value)
        assert holder_of(lake, "cleansed", lock_key("cleanse")) == "run-a"
    assert holder_of(lake, "cleansed", lock_key("cleanse")) is None  # given back
    with stage_lock(lake, "cleanse", "run-b"):
        assert _stored(lake)["holder"] == "run-b"


def test_another_stage_is_not_blocked(lake):
    with stage_lock(lake, "cleanse", "run-a"), stage_lock(lake, "tokenize", "run-b"):
        assert holder_of(lake, "tokenized", lock_key("tokenize")) == "run-b"


def test_the_heartbeat_keeps_a_short_lock_past_its_length(lake):
    with stage_lock(lake, "cleanse", "run-a", seconds=2):
        time.sleep(5)  # without renewal (every 2/3 s) it would have run out twice over
        with pytest.raises(StageLocked), stage_lock(lake, "cleanse", "run-b", seconds=2):
            pass


def test_a_stale_lock_is_taken_over(lake):
    """A run killed with -9 renews nothing: once its lease runs out, the next run takes it."""
    acquire(lake, "cleansed", lock_key("cleanse"), holder="run-dead", seconds=60, now=lambda: T0)
    with stage_lock(lake, "cleanse", "run-next"):
        assert _stored(lake)["holder"] == "run-next"


def test_a_waiting_run_gets_the_lock_when_the_holder_ends(lake, monkeypatch):
    monkeypatch.setattr("cafelake.lease.POLL_S", 0.05)
    got = []
    release = threading.Event()

    def hold() -> None:
        with stage_lock(lake, "cleanse", "run-a"):
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    while holder_of(lake, "cleansed", lock_key("cleanse")) != "run-a":
        time.sleep(0.01)
    threading.Timer(0.3, release.set).start()
    with stage_lock(lake, "cleanse", "run-b", wait=10):
        got.append(_stored(lake)["holder"])
    t.join()
    assert got == ["run-b"]


def test_renewing_a_lease_taken_over_fails(lake):
    mine = acquire(lake, "raw", "_state/x.json", holder="a", seconds=1, now=lambda: T0)
    acquire(lake, "raw", "_state/x.json", holder="b", seconds=60, now=lambda: T0 + timedelta(seconds=2))
    assert renew(lake, mine, seconds=60) is None
    with pytest.raises(LeaseHeld, match="held by 'b'"):
        acquire_waiting(
            lake, "raw", "_state/x.json", holder="c", seconds=60, wait=0.1, now=lambda: T0 + timedelta(seconds=3)
        )
