"""An `s3://` lake on a local S3 (moto's server): the time and the S3 requests of a query, tokenize and report.

The lake is the small one the issue measured (482 posts over a year, so a few hundred daily
partitions per table), built by the real pipeline into `s3://` on a counting moto server
(`benchmarks._s3_server`, in its own process) on loopback. Each operation is timed (median of the
runs) and its S3 requests counted by kind: the counts are deterministic, where seconds on a loaded
machine are not.

Before and after: the same bench runs the lake code of `BASELINE` (the commit before the S3 round
trips were removed, its `src/` and SQL taken with `git archive`) and of this checkout, each in a fresh
process (`python -m benchmarks.bench_s3 --json`), one after the other on the same machine.

The lake is measured in each of its `STATES`, in order: a state is a name and a step that turns
the lake into it (the first one, as the pipeline writes it, is no step; then `cafelake compact`);
the baseline is measured in the first state only (its code has no other).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from benchmarks._s3_server import KINDS, CountingS3
from cafelake.lake import Lake
from cafelake.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "9730ce4"  # a listing per partition folder, a HEAD per file read, multipart uploads and folder markers
BUCKET = "cafelake-bench"
KEY = b"bench-pseudonym-key-0123456789ab"
QUERY = "SELECT post_date, posts, authors FROM v_daily_posts ORDER BY post_date"

# (state name, the step that turns the lake into it); each state's operations are measured after its step.
STATES: list[tuple[str, Callable[[Pipeline], object] | None]] = [
    ("daily partitions", None),
    ("compacted", lambda pipeline: pipeline.compact()),  # every month before the current one: the corpus ends 2026-10
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


def build(server: CountingS3 | None, posts: int, days: int, folder: Path) -> Pipeline:
    """The sample corpus through the pipeline into s3://BUCKET/lake on `server` (None: into `folder`)."""
    import boto3

    from cafelake.collect.seed import seed_raw
    from cafelake.sources.naver_cafe.corpus.sample import Corpus

    if server is None:
        lake = Lake(str(folder))
    else:
        boto3.client("s3", endpoint_url=server.url, region_name="us-east-1").create_bucket(Bucket=BUCKET)
        lake = Lake(f"s3://{BUCKET}/lake", endpoint_url=server.url, region="us-east-1")
    corpus = Corpus(posts=posts, days=days, end_date=date(2026, 10, 31))
    seed_raw(lake, corpus, run_id="bench", fetched_at=corpus.as_of)
    pipeline = Pipeline(lake, key=KEY)
    pipeline.transform()
    return pipeline


def measure(
    server: CountingS3 | None, pipeline: Pipeline, runs: int, out: Path
) -> dict[str, tuple[float, dict[str, int]]]:
    """Median seconds and the S3 requests (of the last run; they do not vary) of each operation."""
    results = {}
    for name, op in _operations(pipeline, out).items():
        times, counts = [], {}
        for _ in range(max(1, runs)):
            if server:
                server.reset()
            start = time.perf_counter()
            op()
            times.append(time.perf_counter() - start)
            counts = server.counts() if server else {}
        results[name] = (statistics.median(times), counts)
    return results


def lake_files(pipeline: Pipeline) -> int:
    """Parquet files in the lake's tables (what per-file round trips multiply)."""
    return sum(1 for zone in ("cleansed", "tokenized") for k in pipeline.lake.list_keys(zone) if k.endswith(".parquet"))


def measure_states(
    posts: int, days: int, runs: int, *, threaded: bool = False, first_only: bool = False, local: bool = False
) -> dict:
    """Each state's measurements, the table files in each state, the build's seconds and the commit measured.

    `local`: the same lake in a folder (no server), what the S3 times compare with."""
    _offline_aws()
    tmp = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    try:
        with contextlib.nullcontext() if local else CountingS3(threaded=threaded) as server:
            start = time.perf_counter()
            pipeline = build(server, posts, days, tmp / "lake")
            built = time.perf_counter() - start
            by_state, files = {}, {}
            for state, step in STATES[:1] if first_only else STATES:
                if step is not None:
                    step(pipeline)
                files[state] = lake_files(pipeline)
                by_state[state] = measure(server, pipeline, runs, tmp / state.replace(" ", "-"))
        return {"commit": _commit(), "built": built, "files": files, "states": by_state}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _requests(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    return f"{total:,} (" + ", ".join(f"{k} {counts[k]:,}" for k in KINDS if counts.get(k)) + ")"


def _commit() -> str:
    """The commit of the lake code measured (that of the `cafelake` imported), marked dirty if changed."""
    import cafelake

    src = Path(cafelake.__file__).resolve().parent
    if (src / "BASELINE").exists():  # a baseline unpacked by `baseline`
        return (src / "BASELINE").read_text().strip()

    def git(*cmd: str) -> str:
        return subprocess.run(["git", *cmd], cwd=src, capture_output=True, text=True).stdout.strip()

    return (git("rev-parse", "--short", "HEAD") or "unknown") + ("-dirty" if git("status", "--porcelain", ".") else "")


def measured(
    src: Path | None, posts: int, days: int, runs: int, *, first_only: bool = False, local: bool = False
) -> dict:
    """`measure_states` in a fresh process, with the lake code of `src` (None: this checkout)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), str(ROOT)])
    cmd = [sys.executable, "-m", "benchmarks.bench_s3", "--json", "--runs", str(runs), "--posts", str(posts)]
    cmd += ["--days", str(days)] + (["--first-only"] if first_only else []) + (["--local"] if local else [])
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed with the code of {src or ROOT}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def baseline(into: Path) -> Path:
    """`BASELINE`'s `src/` (and the SQL beside it) unpacked below `into` (git archive: no work tree touched)."""
    archive = ["git", "archive", BASELINE, "src", "athena_queries"]
    data = subprocess.run(archive, cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    (into / "src" / "cafelake" / "BASELINE").write_text(BASELINE)
    return into / "src"


def table(before: dict, after: dict, local: dict | None = None) -> list[str]:
    """Before and after side by side for the first state (the later states: after only), and the same
    operation on a local folder (no S3 at all) where measured."""
    rows = [
        "| lake state | operation | time before | time after | × faster | local folder | S3 requests before | "
        "S3 requests after | × fewer |",
        "|---|---|---:|---:|---:|---:|---|---|---:|",
    ]
    for state, results in after["states"].items():
        old = before["states"].get(state, {})
        here = (local or {"states": {}})["states"].get(state, {})
        for name, (seconds, counts) in results.items():
            cells = ["", "", "", ""]
            if name in old:
                was, was_counts = old[name]
                cells = [
                    f"{was:.2f} s",
                    f"{was / seconds:.1f}",
                    _requests(was_counts),
                    f"{sum(was_counts.values()) / max(1, sum(counts.values())):.1f}",
                ]
            folder = f"{here[name][0]:.2f} s" if name in here else ""
            rows.append(
                f"| {state} ({after['files'][state]} files) | {name} | {cells[0]} | {seconds:.2f} s | {cells[1]} | "
                f"{folder} | {cells[2]} | {_requests(counts)} | {cells[3]} |"
            )
    return rows


def section(before: dict, after: dict, local: dict, posts: int, days: int, runs: int) -> str:
    return "\n".join(
        [
            "## S3: an s3:// lake on a local S3, before and after removing per-file round trips",
            "",
            f"The sample corpus ({posts:,} posts over {days} days) built by the pipeline into `s3://` on moto's "
            "server on loopback, in its own process, with a counter of the requests it answers by kind "
            f"(`benchmarks/_s3_server.py`). Before: the lake code at {before['commit']} (built in "
            f"{before['built']:.0f} s); after: at {after['commit']} (built in {after['built']:.0f} s); each in a "
            f"fresh process, one after the other. Time: median of {runs} runs on this machine (before: one run, "
            "its operations take minutes); S3 requests: those "
            "of one run (they do not vary between runs). The query is a new engine (every table listed, every "
            "view created) and one view; a report runs every chart's query. Local folder: the same operations "
            f"on the same lake in a folder at {local['commit']}, the part of each time S3 does not explain.",
            "",
            *table(before, after, local),
            "",
            "What changed: a table is listed once (`ObjectStore.sizes`, one request per 1,000 keys) where it was "
            "listed once per partition folder, again for every query; the listing's sizes go to pyarrow with each "
            "file (`make_fragment(file_size=)`), so reading a footer is one ranged GET, not a HEAD and a GET; "
            "`unreadable_files` reads footers 16 at a time; a write makes no folder markers (pyarrow checked and "
            "marked each level of the path) and sends a small file as one PutObject (delayed open), not a "
            "four-request multipart upload. What remains per file: one GET per footer and the column reads "
            "(DuckDB scans an S3 table through the pyarrow dataset, a few files at a time), and on a rewrite "
            "pyarrow's folder marker put back when it deletes a folder's last file.",
        ]
    )


def run(runs: int = 3, quick: bool = False) -> str:
    posts, days = (60, 30) if quick else (482, 365)
    with tempfile.TemporaryDirectory(prefix="bench-s3-base-") as tmp:
        before = measured(baseline(Path(tmp)), posts, days, 1, first_only=True)  # minutes per operation: one run
    after = measured(None, posts, days, runs)
    local = measured(None, posts, days, runs, local=True)
    return section(before, after, local, posts, days, runs)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Measure this process's lake code on a counting local S3.")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--posts", type=int, default=482)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--first-only", action="store_true", help="only the first lake state")
    ap.add_argument("--threaded", action="store_true", help="serve moto from a thread of this process")
    ap.add_argument("--local", action="store_true", help="the same lake in a local folder (no S3)")
    ap.add_argument("--json", action="store_true", help="the measurements as one JSON line")
    args = ap.parse_args()
    got = measure_states(
        args.posts, args.days, args.runs, threaded=args.threaded, first_only=args.first_only, local=args.local
    )
    if args.json:
        print(json.dumps(got))
    else:
        print(f"commit {got['commit']}, built in {got['built']:.1f} s, threaded={args.threaded}")
        print("\n".join(table({"states": {}}, got)))
