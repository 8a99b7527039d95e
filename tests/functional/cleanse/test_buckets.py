"""The de-duplication index in hash buckets: whatever the buckets, chunks and runs, each post's latest version.

Versions of one post are spread over objects, ingest days and spill chunks, tie on fetched_at (the
object key, then the line, decide), move between days, and are deleted (a deletion wins unless a
later version follows). The expected posts come from an oracle that looks at every version at once.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pyarrow as pa
import pytest

from cafelake.cleanse import job, merge, run_cleanse
from cafelake.raw import object_key

CLUB, MENU = "10050146", "386"  # the board the conftest's envelopes name
BASE_MS = 1_730_000_000_000
DAY_MS = 86_400_000
TIMES = ["2026-11-18T01:00:00Z", "2026-11-18T01:00:00Z", "2026-11-19T01:00:00Z", "2026-11-20T01:00:00Z"]


def _objects(envelope, seed: int = 5) -> list[tuple[str, str, list[dict]]]:
    """(ingest_dt, run_id, lines) of six objects: 40 posts, each fetched several times, some deleted."""
    rnd = random.Random(seed)
    out = []
    for day in ("2026-11-18", "2026-11-19", "2026-11-20"):
        for run in ("r1", "r2"):
            lines = []
            for n in range(25):
                aid = rnd.randint(1, 40)
                status = "deleted" if rnd.random() < 0.2 else "ok"
                write_ms = BASE_MS + aid * 3_600_000 + rnd.choice([0, 0, 3 * DAY_MS])  # some move to another day
                html = f"<p>열이 나요 {day} {run} {n}</p>"
                lines.append(envelope(aid, status=status, fetched_at=rnd.choice(TIMES), html=html, write_ms=write_ms))
            out.append((day, run, lines))
    return out


def _oracle(objects) -> tuple[dict[str, str], int, int]:
    """post_id -> content of its latest version (absent if deleted); ok versions; ok versions a deletion beat."""
    versions: dict[str, list[tuple]] = {}
    for day, run, lines in objects:
        key = object_key("naver_cafe", CLUB, MENU, day, run, 0)
        for no, env in enumerate(lines, start=1):
            pid = f"naver_cafe:{CLUB}:{env['article_id']}"
            is_tomb = env["article_status"] == "deleted"
            content = None if is_tomb else env["article"]["result"]["article"]["contentHtml"][3:-4]
            versions.setdefault(pid, []).append((env["fetched_at"], day, key, no, is_tomb, content))
    latest = {pid: max(v, key=lambda x: x[:5]) for pid, v in versions.items()}
    posts = {pid: w[5] for pid, w in latest.items() if not w[4]}
    oks = sum(1 for v in versions.values() for x in v if not x[4])
    beaten = sum(1 for pid, v in versions.items() for x in v if not x[4] and latest[pid][4])
    return posts, oks, beaten


def _write(lake, write_raw, objects) -> None:
    for day, run, lines in objects:
        write_raw(lake, lines, ingest_dt=day, run_id=run)


def _contents(lake) -> dict[str, str]:
    posts = lake.read_table("posts", columns=["post_id", "content"]).to_pylist()
    assert len(posts) == len({p["post_id"] for p in posts}), "a post has one row"
    return {p["post_id"]: p["content"] for p in posts}


@pytest.mark.parametrize("buckets", [1, 3, 64])
def test_every_bucket_count_gives_each_posts_latest_version(lake, make_envelope, write_raw, monkeypatch, buckets):
    monkeypatch.setattr(merge, "BUCKETS", buckets)
    monkeypatch.setattr(job, "CHUNK_ROWS", 7)  # a post's versions land in several spill chunks
    monkeypatch.setattr(merge, "WRITE_ROWS", 5)
    objects = _objects(make_envelope)
    _write(lake, write_raw, objects)
    expected, oks, beaten = _oracle(objects)
    assert 0 < len(expected) < 40 and beaten > 0, "the data must hold deletions and survivors"
    s = run_cleanse(lake, full=True)
    assert _contents(lake) == expected
    assert s.reconciles() and s.cleansed == len(expected)
    assert s.duplicates == oks - len(expected) and s.superseded_by_deletion == beaten


def test_incremental_runs_in_buckets_equal_the_oracle(lake, make_envelope, write_raw, monkeypatch):
    """Existing rows join the buckets too: a later run's versions and deletions beat them, older ones do not."""
    monkeypatch.setattr(merge, "BUCKETS", 3)
    objects = _objects(make_envelope, seed=11)
    for n in range(1, len(objects) + 1):
        _write(lake, write_raw, objects[n - 1 : n])
        s = run_cleanse(lake)
        assert s.reconciles()
        assert _contents(lake) == _oracle(objects[:n])[0]
    removed_then = _contents(lake)
    run_cleanse(lake, full=True)
    assert _contents(lake) == removed_then


def test_ties_on_the_instant_go_to_the_later_object_and_new_beats_existing(lake, make_envelope, write_raw, monkeypatch):
    """Versions of the same instant and day: the later object key wins, a new version beats an existing row and a
    deletion in a later object removes the post."""
    envelope = make_envelope
    monkeypatch.setattr(merge, "BUCKETS", 2)
    at = "2026-11-18T01:00:00Z"
    write_raw(lake, [envelope(1, fetched_at=at, html="<p>첫 판</p>")], ingest_dt="2026-11-18", run_id="r1")
    run_cleanse(lake)
    write_raw(lake, [envelope(1, fetched_at=at, html="<p>둘째 판</p>")], ingest_dt="2026-11-18", run_id="r2")
    run_cleanse(lake)
    assert _contents(lake) == {f"naver_cafe:{CLUB}:1": "둘째 판"}
    write_raw(lake, [envelope(1, status="deleted", fetched_at=at)], ingest_dt="2026-11-18", run_id="r3")
    s = run_cleanse(lake)
    assert _contents(lake) == {} and s.removed == 1


def test_a_posts_bucket_is_the_same_in_every_process():
    """Tombstones saved by one run meet the versions of the next in the same bucket: no per-process hash."""
    ids = pa.array([f"naver_cafe:{CLUB}:{i}" for i in range(200)])
    here = merge.bucket_of(ids).tolist()
    code = (
        "import pyarrow as pa; from cafelake.cleanse import merge; "
        f"print(merge.bucket_of(pa.array([f'naver_cafe:{CLUB}:{{i}}' for i in range(200)])).tolist())"
    )
    env = os.environ | {"PYTHONHASHSEED": "123"}
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert str(here) == there.strip()
    assert len(set(here)) > merge.BUCKETS // 2, "posts spread over the buckets"
