"""An `s3://` lake on a local S3 (moto's server): the time and the S3 requests of a query, tokenize and report.

The lake is the small one the issue measured (482 posts over a year, so a few hundred daily
partitions per table), built by the real pipeline into `s3://` on a counting moto server
(`benchmarks._s3_server`) on loopback. Each operation is timed (median of the runs) and its S3
requests counted by kind: the counts are deterministic, where seconds on a loaded machine are not.

The lake is measured in each of its `STATES`, in order: a state is a name and a step that turns
the lake into it (the first one, as the pipeline writes it, is no step). A compaction state is
inserted there as `("compacted", <compact the lake>)` once compaction exists.

`python -m benchmarks.bench_s3 [--runs N] [--quick]` prints the section; with the source of
another commit first on PYTHONPATH it measures that commit's lake code with the same bench.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from benchmarks._s3_server import KINDS, CountingS3
from cafelake.lake import Lake
from cafelake.pipeline import Pipeline

BUCKET = "cafelake-bench"
KEY = b"bench-pseudonym-key-0123456789ab"
QUERY = "SELECT post_date, posts, authors FROM v_daily_posts ORDER BY post_date"

# (state name, the step that turns the lake into it); each state's operations are measured after its step.
STATES: list[tuple[str, Callable[[Pipeline], object] | None]] = [
    ("daily partitions", None),
]


def _operations(pipeline: Pipeline, out: Path) -> dict[str, Callable[[], object]]:
    """What a user does to an S3 lake, each one from a cold start (a new engine, a new run)."""

    def query() -> object:
        with pipeline.query_engine() as engine:
            return engine.query(QUERY)

    return {
        "query (engine + one view)": query,
        "tokenize, nothing new": lambda: pipeline.tokenize(),
        "tokenize --full": lambda: pipeline.tokenize(full=True),
        "report": lambda: pipeline.report(out),
    }


def _offline_aws() -> None:
    """Fake credentials and a region for the local S3 (the bench never reaches AWS)."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        os.environ[key] = value
    os.environ.pop("AWS_PROFILE", None)


def build(server: CountingS3, posts: int, days: int) -> Pipeline:
    """The sample corpus through the pipeline into s3://BUCKET/lake on `server`."""
    import boto3

    from cafelake.collect.seed import seed_raw
    from cafelake.sources.naver_cafe.corpus.sample import Corpus

    boto3.client("s3", endpoint_url=server.url, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    lake = Lake(f"s3://{BUCKET}/lake", endpoint_url=server.url, region="us-east-1")
    corpus = Corpus(posts=posts, days=days, end_date=date(2026, 10, 31))
    seed_raw(lake, corpus, run_id="bench", fetched_at=corpus.as_of)
    pipeline = Pipeline(lake, key=KEY)
    pipeline.transform()
    return pipeline


def measure(server: CountingS3, pipeline: Pipeline, runs: int, out: Path) -> dict[str, tuple[float, dict[str, int]]]:
    """Median seconds and the S3 requests (of the last run; they do not vary) of each operation."""
    results = {}
    for name, op in _operations(pipeline, out).items():
        times = []
        for _ in range(max(1, runs)):
            server.reset()
            start = time.perf_counter()
            op()
            times.append(time.perf_counter() - start)
            counts = server.counts()
        results[name] = (statistics.median(times), counts)
    return results


def lake_files(pipeline: Pipeline) -> int:
    """Parquet files in the lake's tables (what per-file round trips multiply)."""
    return sum(1 for zone in ("cleansed", "tokenized") for k in pipeline.lake.list_keys(zone) if k.endswith(".parquet"))


def measure_states(
    posts: int, days: int, runs: int, *, threaded: bool = False
) -> tuple[dict[str, dict[str, tuple[float, dict[str, int]]]], dict[str, int], float]:
    """Each state's measurements, the table files in each state, and the build's seconds."""
    _offline_aws()
    tmp = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    try:
        with CountingS3(threaded=threaded) as server:
            start = time.perf_counter()
            pipeline = build(server, posts, days)
            built = time.perf_counter() - start
            by_state, files = {}, {}
            for state, step in STATES:
                if step is not None:
                    step(pipeline)
                files[state] = lake_files(pipeline)
                by_state[state] = measure(server, pipeline, runs, tmp / state.replace(" ", "-"))
        return by_state, files, built
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _requests(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    return f"{total:,} (" + ", ".join(f"{k} {counts[k]:,}" for k in KINDS if counts.get(k)) + ")"


def _commit() -> str:
    import cafelake

    src = Path(cafelake.__file__).resolve().parent
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=src, capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def table(by_state: dict[str, dict[str, tuple[float, dict[str, int]]]], files: dict[str, int]) -> list[str]:
    rows = ["| lake state | operation | time | S3 requests |", "|---|---|---:|---|"]
    for state, results in by_state.items():
        for name, (seconds, counts) in results.items():
            rows.append(f"| {state} ({files[state]} files) | {name} | {seconds:.2f} s | {_requests(counts)} |")
    return rows


def run(runs: int = 3, quick: bool = False) -> str:
    posts, days = (60, 30) if quick else (482, 365)
    by_state, files, built = measure_states(posts, days, runs)
    return "\n".join(
        [
            "## S3: an s3:// lake on a local S3",
            "",
            f"The sample corpus ({posts:,} posts over {days} days) built by the pipeline into `s3://` on moto's "
            f"server on loopback, in its own process ({built:.0f} s to build), measured at commit {_commit()}. "
            f"Time: median of {runs} runs; S3 requests: those the server answered during one run, by kind.",
            "",
            *table(by_state, files),
        ]
    )


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threaded", action="store_true", help="serve moto from a thread of this process")
    args = ap.parse_args()
    posts, days = (60, 30) if args.quick else (482, 365)
    by_state, files, built = measure_states(posts, days, args.runs, threaded=args.threaded)
    print(f"commit {_commit()}, built in {built:.1f} s, threaded={args.threaded}")
    print("\n".join(table(by_state, files)))
