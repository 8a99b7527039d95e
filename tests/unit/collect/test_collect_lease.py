"""The board lease: one scraper invocation per board, by conditional writes, on S3 (moto) and a folder."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from cafelake.collect.lease import BoardBusy, acquire, board_lease, release
from cafelake.lake import Lake
from cafelake.raw import lease_key
from cafelake.sources.base import Board

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BOARD = Board("naver_cafe", "10050146", "386")


def clock(*moments: datetime):
    """now() that answers each moment in turn, then keeps the last."""
    seq = list(moments)
    return lambda: seq.pop(0) if len(seq) > 1 else seq[0]


@pytest.fixture(params=["s3", "folder"])
def lake(request, tmp_path):
    if request.param == "folder":
        yield Lake(str(tmp_path / "lake"))
        return
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="lease-raw")
        yield Lake("s3://lease-raw", zone_roots={"raw": "s3://lease-raw"})


def _stored(lake: Lake) -> dict:
    return json.loads(lake.get_bytes("raw", lease_key(*BOARD)))


def test_a_held_lease_refuses_a_second_holder_until_given_back(lake):
    first = acquire(lake, BOARD, holder="req-1", seconds=900, now=clock(T0))
    with pytest.raises(BoardBusy, match=r"held by 'req-1' until 2026-12-01T12:15:00"):
        acquire(lake, BOARD, holder="req-2", seconds=900, now=clock(T0 + timedelta(minutes=5)))
    assert _stored(lake)["holder"] == "req-1"
    assert release(lake, first, now=clock(T0 + timedelta(minutes=6)))
    assert _stored(lake)["released"] is True
    second = acquire(lake, BOARD, holder="req-2", seconds=900, now=clock(T0 + timedelta(minutes=7)))
    assert _stored(lake)["holder"] == "req-2" and second.etag != first.etag


def test_an_expired_lease_is_taken_over_and_its_late_holder_cannot_give_it_back(lake):
    """A holder that died (its Lambda timed out) leaves its lease; after it runs out another takes it."""
    dead = acquire(lake, BOARD, holder="req-dead", seconds=900, now=clock(T0))
    alive = acquire(lake, BOARD, holder="req-alive", seconds=900, now=clock(T0 + timedelta(seconds=901)))
    assert not release(lake, dead, now=clock(T0 + timedelta(seconds=902)))  # would release req-alive's lease
    assert _stored(lake)["holder"] == "req-alive" and not _stored(lake)["released"]
    assert release(lake, alive)


def test_of_two_takers_of_one_expired_lease_exactly_one_wins(lake):
    """Both read the expired lease, both try the conditional write with its ETag: the second write fails."""
    acquire(lake, BOARD, holder="req-old", seconds=60, now=clock(T0))
    _, etag = lake.get_bytes_etag("raw", lease_key(*BOARD))
    assert lake.put_bytes_if("raw", lease_key(*BOARD), b'{"holder": "a"}', etag=etag) is not None
    assert lake.put_bytes_if("raw", lease_key(*BOARD), b'{"holder": "b"}', etag=etag) is None
    assert lake.put_bytes_if("raw", lease_key(*BOARD), b'{"holder": "c"}') is None  # exists: no create either
    assert _stored(lake) == {"holder": "a"}


def test_concurrent_acquirers_get_one_lease(tmp_path):
    """Eight threads race for a free board: one holds it, seven are told the board is busy. On a folder
    the atomicity is ours (link, flock); on S3 it is S3's own (moto checks a condition and writes in two
    steps, so threads racing on it would test moto), covered above by the ETag sequence."""
    lake = Lake(str(tmp_path / "lake"))
    won, busy = [], []
    barrier = threading.Barrier(8)

    def take(i: int) -> None:
        barrier.wait()
        try:
            won.append(acquire(lake, BOARD, holder=f"req-{i}", seconds=900))
        except BoardBusy:
            busy.append(i)

    threads = [threading.Thread(target=take, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(busy) == 7
    assert _stored(lake)["holder"] == won[0].holder


def test_the_block_gives_the_lease_back_even_when_it_fails(lake):
    with pytest.raises(RuntimeError, match="boom"), board_lease(lake, BOARD, holder="req-1", seconds=900):
        raise RuntimeError("boom")
    assert _stored(lake)["released"] is True
    with board_lease(lake, BOARD, holder="req-2", seconds=900):
        assert _stored(lake)["holder"] == "req-2"


def test_an_unreadable_lease_does_not_block_the_board_forever(lake):
    lake.put_bytes("raw", lease_key(*BOARD), b"not json")
    lease = acquire(lake, BOARD, holder="req-1", seconds=900)
    assert _stored(lake)["holder"] == "req-1" and release(lake, lease)
