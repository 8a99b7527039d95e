"""One cleanse at a time per lake, and a damaged cleansed file rebuilt from raw."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pyarrow.compute as pc
import pytest

from cafelake.lake import Lake
from cafelake.lease import StageLocked
from cafelake.pipeline import Pipeline
from cafelake.runs import read_runs

DAYS = [f"2026-11-{d:02d}" for d in range(10, 20)]


@pytest.fixture
def filled(lake, make_envelope, write_raw) -> Lake:
    """Ten raw objects of 30 posts each, spread over many post dates."""
    for n, day in enumerate(DAYS):
        write_raw(lake, [make_envelope(n * 100 + i, write_ms=None) for i in range(1, 31)], ingest_dt=day, seq=n)
    return lake


def _slow_writes(monkeypatch) -> None:
    """Each table write takes a little longer, so two runs started together certainly overlap."""
    real = Lake.write_table

    def write_table(self, name, tbl):
        time.sleep(0.05)
        return real(self, name, tbl)

    monkeypatch.setattr(Lake, "write_table", write_table)


def _race(lake: Lake, settings, wait: float) -> list[object]:
    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            outcomes.append(Pipeline(lake, settings).cleanse(full=True, wait=wait))
        except Exception as exc:  # what the test is about: which errors, if any
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _intact(lake: Lake) -> None:
    posts = lake.read_table("posts")
    assert posts.num_rows == len(DAYS) * 30
    assert pc.count_distinct(posts.column("post_id")).as_py() == posts.num_rows
    assert lake.unreadable_files("posts") == {}
    assert not [k for k in lake.list_keys("cleansed", include_hidden=True) if k.endswith(".tmp")]


def test_two_full_cleanses_at_once_one_refuses_and_the_lake_is_intact(filled, settings, monkeypatch):
    _slow_writes(monkeypatch)
    outcomes = _race(filled, settings, wait=0)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], StageLocked), outcomes
    assert "is locked by run" in str(errors[0]) and " since " in str(errors[0])
    _intact(filled)
    assert [r["status"] for r in read_runs(filled, "cleanse")] == ["done"]


def test_two_full_cleanses_with_wait_run_one_after_the_other(filled, settings, monkeypatch):
    _slow_writes(monkeypatch)
    outcomes = _race(filled, settings, wait=60)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    _intact(filled)
    runs = read_runs(filled, "cleanse")
    assert [r["status"] for r in runs] == ["done", "done"]
    first, second = sorted(runs, key=lambda r: r["started_at"])
    assert first["finished_at"] <= second["started_at"]  # the second began only once the first had ended


def test_a_truncated_cleansed_file_is_rebuilt_from_raw(filled, settings, caplog):
    stages = Pipeline(filled, settings)
    stages.cleanse()
    before = sorted(filled.read_table("posts").column("post_id").to_pylist())
    bad = filled.table_files("posts")[0]
    Path(bad).write_bytes(Path(bad).read_bytes()[:100])
    assert list(filled.unreadable_files("posts")) == [bad]
    with caplog.at_level(logging.WARNING, logger="cafelake"):
        summary = stages.cleanse()  # incremental: nothing new, but the damage makes it a rebuild
    assert summary.full and summary.reconciles() and f"removed unreadable {bad}" in caplog.text
    assert sorted(filled.read_table("posts").column("post_id").to_pylist()) == before
    assert filled.unreadable_files("posts") == {}
