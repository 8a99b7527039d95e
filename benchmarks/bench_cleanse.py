"""Cleanse throughput: the vectorised Arrow core against a per-row pandas `.apply` baseline.

Both sides get the same candidate rows (the sample corpus, seeded into a raw zone and
read by the shared per-line envelope reader), run interleaved in one process, and must
produce the same posts. The end-to-end `run_cleanse` (reading gzip JSONL, the transform,
writing Parquet partitions and the quarantine) is timed beside them to show what the
transform's speed-up is worth once JSON parsing and file writing are counted.
"""

from __future__ import annotations

import gc
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from benchmarks import naive_cleanse
from benchmarks._harness import median_time, verdict
from cafelake.cleanse.job import raw_objects
from cafelake.cleanse.records import RawRecords, read_object
from cafelake.cleanse.transform import cleanse, latest
from cafelake.lake import Lake
from cafelake.pipeline import Pipeline

TARGET = 10.0
KEY = b"benchmark-key"


def _seed(root: Path, posts: int) -> Lake:
    from cafelake.collect.seed import seed_raw
    from cafelake.sources.naver_cafe.corpus import Corpus

    corpus = Corpus(posts=posts, seed=42)
    lake = Lake(str(root))
    seed_raw(lake, corpus, run_id="bench", fetched_at=corpus.as_of)
    return lake


def _read(lake: Lake) -> RawRecords:
    acc, now = RawRecords(), datetime.now().astimezone()
    for key, ingest_dt in raw_objects(lake):
        read_object(acc, key, ingest_dt, lake.get_bytes("raw", key), now)
    return acc


def _ours(cand: pa.Table, tombs: pa.Table) -> pa.Table:
    out = cleanse(cand, key=KEY, quarantined_at=datetime.now().astimezone())
    return latest(out.posts, tombs)


def _agreement(ours: pa.Table, naive) -> float:
    """Share of posts whose question_text, posted_at, author_key and content_hash agree."""
    a = {
        r["post_id"]: (r["question_text"], r["posted_at"], r["author_key"], r["content_hash"])
        for r in ours.select(["post_id", "question_text", "posted_at", "author_key", "content_hash"]).to_pylist()
    }
    b = {
        r.post_id: (
            r.question_text,
            None if pd.isna(r.posted_at) else r.posted_at.to_pydatetime(),
            r.author_key,
            r.content_hash,
        )  # posted_at is null where only the day is known
        for r in naive.itertuples()
    }
    return sum(a.get(k) == v for k, v in b.items()) / max(len(a), len(b), 1)


def _interleaved(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds per function, runs interleaved. CPU time is what the verdict
    uses: on a shared machine wall time mostly measures the neighbours."""
    got: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    for _ in range(max(1, runs)):
        for name, fn in fns.items():
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            got[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t)) for name, t in got.items()}


def run(runs: int = 3, quick: bool = False) -> str:
    posts = 3_000 if quick else 65_600
    work = Path(tempfile.mkdtemp(prefix="bench-cleanse-"))
    try:
        lake = _seed(work / "lake", posts)
        read_s, acc = median_time(lambda: _read(lake), runs=1)
        cand, tombs = acc.candidates(), acc.tombstone_table()
        cand_df = cand.to_pandas()
        ours_out, (naive_posts, _) = _ours(cand, tombs), naive_cleanse.cleanse(cand_df, KEY)
        agree = _agreement(ours_out, naive_posts)
        times = _interleaved(
            {"vectorised": lambda: _ours(cand, tombs), "naive": lambda: naive_cleanse.cleanse(cand_df, KEY)}, runs=runs
        )

        pipeline = Pipeline(lake, key=KEY)

        def end_to_end() -> None:
            pipeline.cleanse(full=True)

        e2e_s, summary = median_time(end_to_end, runs=max(1, runs - 1))
        summary = pipeline.cleanse(full=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    (ours_wall, ours_cpu), (naive_wall, naive_cpu) = times["vectorised"], times["naive"]
    ratio, wall_ratio = naive_cpu / ours_cpu, naive_wall / ours_wall
    n = cand.num_rows
    naive_e2e = e2e_s - ours_wall + naive_wall
    return "\n".join(
        [
            "## Cleanse",
            "",
            f"Sample: `Corpus(posts={posts:,}, seed=42)` seeded into a raw zone ({summary.objects} objects, "
            f"{summary.records_in:,} records; {n:,} candidate rows after the envelope checks, "
            f"{summary.cleansed:,} cleansed, {summary.quarantined:,} quarantined). Medians of {runs} interleaved runs "
            "in one process; the baseline (`benchmarks/naive_cleanse.py`) applies the same rules row by row with "
            "pandas `.apply` and Python `re`, and its output agrees with the vectorised core on "
            f"{agree:.1%} of posts.{' *Quick run: small sample, not the published numbers.*' if quick else ''}",
            "",
            "| step | vectorised | naive | ratio |",
            "|---|---:|---:|---:|",
            f"| transform, CPU time (dates, HTML, text, checks, pseudonyms, hashes, de-duplication) | "
            f"{ours_cpu:.2f} s ({n / ours_cpu:,.0f} rows/s) | {naive_cpu:.2f} s ({n / naive_cpu:,.0f} rows/s) | "
            f"**{ratio:.1f}x** |",
            f"| transform, wall time | {ours_wall:.2f} s | {naive_wall:.2f} s | {wall_ratio:.1f}x |",
            f"| reading raw gzip JSONL (shared, per line) | {read_s:.2f} s | {read_s:.2f} s | 1x |",
            f"| end to end `run_cleanse(full=True)` (naive: estimated by swapping the transform) | {e2e_s:.2f} s | "
            f"{naive_e2e:.2f} s | {naive_e2e / e2e_s:.1f}x |",
            "",
            f"Target >= {TARGET:.0f}x on the cleanse rules (CPU time): {verdict(ratio, TARGET)} ({ratio:.1f}x). "
            "What bounds the vectorised transform: most of its time is RE2 passes over the HTML bytes (tag "
            "stripping, the character whitelist, whitespace), and SHA-256/HMAC stay per row (Arrow has no kernel for "
            "them); the baseline is a strong one (precompiled regexes, not BeautifulSoup). End to end, the gain is "
            "capped by what both sides share: `json.loads` of every line (the raw envelopes keep the source JSON "
            "untouched, so parsing stays per line) and one Parquet file per dt partition.",
            "",
        ]
    )


if __name__ == "__main__":
    print(run(quick=True))
