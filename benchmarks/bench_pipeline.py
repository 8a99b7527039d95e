"""End to end: time per stage, the share spent outside Kiwi, growth to 1,000,000 posts, and cost.

Each stage runs in a fresh Python process, so its peak RSS is its own. At the seed scale
(65,600 posts, the analysts' first study) the board is scraped over HTTP from the local
server; at 1,000,000 posts the raw zone is seeded directly with the scraper's own writer
(HTTP at that size measures the loopback, not cafelake). The AWS cost of one day at the
seed scale is then worked out on paper from the measured sizes and times.
"""

from __future__ import annotations

import json
import math
import shutil
import statistics
import tempfile
from pathlib import Path

from benchmarks._harness import peak_rss_mb, verdict
from cafelake.environment import DEFAULT_DUCKDB_MEMORY

SEED_POSTS, BIG_POSTS = 65_600, 1_000_000
QUICK_SEED, QUICK_BIG = 3_000, 12_000
POSTS_PER_YEAR = 65_600
RSS_LIMIT_MB = 1_024  # every stage's peak at the large size
RSS_GROWTH_LIMIT = 1.15  # each stage's peak at the large size / its own peak at the seed size

_PRELUDE = f"""
import json, sys, time
from datetime import UTC, datetime, timedelta
from cafelake.lake import Lake
from cafelake.pipeline import Pipeline
lake = Lake(sys.argv[1]); posts = int(sys.argv[2]); pipeline = Pipeline(lake); pipeline.init()
def corpus():
    from cafelake.sources.naver_cafe.corpus import Corpus
    return Corpus(posts=posts, seed=7, days=max(365, posts * 365 // {POSTS_PER_YEAR}))
t0 = time.perf_counter()
"""

STAGES: dict[str, str] = {
    "scrape": """
from cafelake.sources.naver_cafe.server import NaverServer
c = corpus()
with NaverServer(c) as server:
    s = pipeline.collect(server.base_url, c.club_id, c.menu_id, rate_limit=0, now=lambda: c.as_of)
assert s.complete, s
out = {"records": s.articles_fetched, "requests": s.requests}
""",
    "seed": """
from cafelake.collect import seed_raw
c = corpus()
out = {"records": seed_raw(lake, c, run_id="bench", fetched_at=c.as_of)}
""",
    "cleanse": """
s = pipeline.cleanse(full=True)
assert s.reconciles()
out = {"records": s.cleansed, "quarantined": s.quarantined}
""",
    "tokenize": """
s = pipeline.tokenize(full=True)
out = {"records": s.posts_tokenized, "tokens": s.tokens}
""",
    "views+checks": """
rows = sum(pipeline.views().values())
failed = [r.name for r in pipeline.checks() if not r.passed]
assert not failed, failed
out = {"records": rows}
""",
    # Raw Kiwi on the very texts the tokenize stage read: what "inside Kiwi" costs.
    "kiwi-only": """
from kiwipiepy import Kiwi
texts = [t or "" for t in lake.read_table("posts_dim", columns=["question_text"]).column("question_text").to_pylist()]
kiwi = Kiwi(num_workers=-1); kiwi.tokenize("")
t0 = time.perf_counter()
n = sum(1 for _ in kiwi.tokenize(texts))
out = {"records": n}
""",
}
_EPILOGUE = "\nout['seconds'] = time.perf_counter() - t0\nprint(json.dumps(out))\n"


def _stage(name: str, lake: Path, posts: int) -> dict:
    rss, stdout = peak_rss_mb(_PRELUDE + STAGES[name] + _EPILOGUE, str(lake), str(posts))
    return json.loads(stdout.strip().splitlines()[-1]) | {"rss_mb": rss}


def _zone_bytes(lake: Path) -> dict[str, int]:
    def size(p: Path) -> int:
        return sum(
            f.stat().st_size
            for f in p.rglob("*")
            if f.is_file() and not any(part.startswith(("_", ".")) for part in f.relative_to(p).parts)
        )

    return {z: size(lake / z) for z in ("raw", "cleansed", "tokenized")}


def pipeline(posts: int, collect: str, runs: int, kiwi_only: bool = True) -> dict:
    """Median seconds and max peak RSS per stage over `runs` fresh runs (plus raw Kiwi alone, if asked)."""
    names = [collect, "cleanse", "tokenize", "views+checks", *(["kiwi-only"] if kiwi_only else [])]
    results: dict[str, list[dict]] = {n: [] for n in names}
    sizes: dict[str, int] = {}
    for _ in range(runs):
        lake = Path(tempfile.mkdtemp(prefix="cafelake-bench-"))
        try:
            for n in names:
                results[n].append(_stage(n, lake, posts))
            sizes = _zone_bytes(lake)
        finally:
            shutil.rmtree(lake, ignore_errors=True)
    stages = {
        n: {
            "seconds": statistics.median(r["seconds"] for r in rs),
            "rss_mb": max(r["rss_mb"] for r in rs),
            "records": rs[-1]["records"],
        }
        for n, rs in results.items()
    }
    return {
        "posts": posts,
        "runs": runs,
        "stages": stages,
        "bytes": sizes,
        "cleansed": results["cleanse"][-1]["records"],
    }


def _table(res: dict) -> list[str]:
    total = sum(s["seconds"] for n, s in res["stages"].items() if n != "kiwi-only")
    lines = ["| stage | seconds | share | peak RSS (MiB) | records out |", "|---|---:|---:|---:|---:|"]
    for n, s in res["stages"].items():
        share = "" if n == "kiwi-only" else f"{s['seconds'] / total:.0%}"
        lines.append(f"| {n} | {s['seconds']:.1f} | {share} | {s['rss_mb']:.0f} | {s['records']:,} |")
    lines.append(f"| **pipeline** | **{total:.1f}** | | | |")
    return lines


# --- cost on paper ---------------------------------------------------------------------
# us-east-1 list prices (USD); check them against the AWS pricing pages before budgeting.
PRICES = {
    "glue_dpu_hour": 0.44,
    "glue_min_s": 60,
    "crawler_dpu_hour": 0.44,
    "crawler_min_s": 600,
    "athena_tb": 5.0,
    "athena_min_bytes": 10 * 2**20,
    "lambda_gb_s_arm": 0.0000133334,
    "lambda_req": 0.20 / 1e6,
    "s3_gb_month": 0.023,
    "s3_put": 0.005 / 1000,
    "s3_get": 0.0004 / 1000,
    "sfn_transition": 0.025 / 1000,
}
GLUE_STARTUP_S = 45  # Glue 5.0 start-up; billed from the start of the job run
# Assumed per job run beyond start-up (docs/deploy.md): installing its wheel set with no index (measured
# offline: cleanse 20 s, tokenize 36 s) plus, for tokenize, loading and warming Kiwi.
SETUP_S = {"cleanse": 25, "tokenize": 60}
CRAWLER_DPU = 2  # as in AWS's pricing example for crawlers
RUNS_PER_DAY = 6  # hourly in the evening, 18:00-23:00 KST (cdk.json)
CRAWLS_PER_DAY = 1  # the state machine crawls the raw zone at most once a UTC day
DASHBOARD_QUERIES_PER_DAY = 50


def cost(seed: dict) -> list[str]:
    """One day's AWS bill at the seed scale, from the measured per-post time and bytes."""
    p = PRICES
    per_day = POSTS_PER_YEAR / 365
    per_run = per_day / RUNS_PER_DAY
    st = seed["stages"]
    n = seed["posts"]
    # Glue: measured local seconds per post (2 cores, like one G.1X worker's 4 vCPU at best),
    # plus model load, plus start-up; never less than the 1-minute minimum; 2 DPU (G.1X x 2).
    glue_s = {
        job: max(p["glue_min_s"], GLUE_STARTUP_S + SETUP_S[job] + st[job]["seconds"] / n * per_run)
        for job in ("cleanse", "tokenize")
    }
    dpu_s = sum(2 * s for s in glue_s.values()) * RUNS_PER_DAY
    glue = dpu_s / 3600 * p["glue_dpu_hour"]
    crawler = CRAWLS_PER_DAY * CRAWLER_DPU * p["crawler_min_s"] / 3600 * p["crawler_dpu_hour"]
    # Lambda: at the polite 1 request/s, each run reads the list pages back to the 24-hour
    # look-back horizon (50 items a page) and the bodies of the new posts and of every post
    # of the last 24 hours (to pick up edits and counts); 512 MB ARM.
    bodies = per_run + per_day
    requests = RUNS_PER_DAY * (math.ceil(bodies / 50) + bodies)
    lam = requests * 1.05 * 0.5 * p["lambda_gb_s_arm"] + RUNS_PER_DAY * p["lambda_req"]
    # Athena: a month of posts for a dashboard query scans at most the month's posts_dim and
    # tokens_fact columns; each query is billed at least 10 MB.
    month_bytes = (seed["bytes"]["tokenized"] / n) * per_day * 30
    athena = DASHBOARD_QUERIES_PER_DAY * max(p["athena_min_bytes"], month_bytes) / 1e12 * p["athena_tb"]
    # S3: a year of all zones stored (plus raw versions), and the day's requests.
    year_gb = sum(seed["bytes"].values()) / n * POSTS_PER_YEAR / 1e9
    s3 = year_gb * p["s3_gb_month"] / 30 + (RUNS_PER_DAY * 40) * p["s3_put"] + (RUNS_PER_DAY * 200) * p["s3_get"]
    sfn = RUNS_PER_DAY * 20 * p["sfn_transition"]
    items = {
        "Glue jobs (cleanse + tokenize)": glue,
        f"Glue crawler (once a day, 10-minute minimum, {CRAWLER_DPU} DPU)": crawler,
        "Athena (dashboard queries)": athena,
        "Lambda (scraper)": lam,
        "S3 (storage and requests)": s3,
        "Step Functions": sfn,
    }
    total = sum(items.values())
    lines = [
        f"A {POSTS_PER_YEAR:,}-posts-a-year board, scraped hourly in the evening ({RUNS_PER_DAY} runs a day, "
        f"~{per_run:.0f} new posts a run). Measured here: cleanse {st['cleanse']['seconds'] / n * 1000:.2f} ms "
        f"and tokenize {st['tokenize']['seconds'] / n * 1000:.2f} ms per post on this machine; "
        f"{sum(seed['bytes'].values()) / n:,.0f} bytes stored per post over all zones. "
        f"Glue billed: {dpu_s:,.0f} DPU-seconds a day (each run is start-up, plus installing the job's wheels - "
        f"about {SETUP_S['cleanse']} s for cleanse, {SETUP_S['tokenize']} s with loading Kiwi for tokenize - and at "
        "least the 1-minute minimum: the work itself is seconds; start-up and setup are assumed, not measured on Glue).",
        "",
        "| item | per day (USD) | per month (USD) |",
        "|---|---:|---:|",
    ]
    lines += [f"| {k} | {v:.3f} | {v * 30:.2f} |" for k, v in items.items()]
    lines += [
        f"| **total** | **{total:.3f}** | **{total * 30:.2f}** |",
        "",
        "Fixed monthly costs not in the table: the KMS key (about 1 USD), two Secrets Manager secrets "
        "(about 0.80 USD), CloudWatch dashboard and alarms (a few USD). The crawler is billed at least 10 "
        "minutes a crawl, which is why the pipeline crawls the raw zone once a day, not every run; the "
        "cleansed and mart tables need no crawler at all (partition projection).",
    ]
    return lines


def run(runs: int = 3, quick: bool = False) -> str:
    seed_n, big_n = (QUICK_SEED, QUICK_BIG) if quick else (SEED_POSTS, BIG_POSTS)
    seed = pipeline(seed_n, "scrape", runs)
    big = pipeline(big_n, "seed", 1, kiwi_only=False)  # the Kiwi share is measured at the seed size
    st = seed["stages"]
    total = sum(s["seconds"] for k, s in st.items() if k != "kiwi-only")
    outside = 1 - st["kiwi-only"]["seconds"] / total
    tok_outside = 1 - st["kiwi-only"]["seconds"] / st["tokenize"]["seconds"]
    processing = ("cleanse", "tokenize", "views+checks")
    per_post = {k: (big["stages"][k]["seconds"] / big_n) / (st[k]["seconds"] / seed_n) for k in processing}
    growth = {k: big["stages"][k]["rss_mb"] / st[k]["rss_mb"] for k in processing}
    peak_stage = max(big["stages"], key=lambda k: big["stages"][k]["rss_mb"])
    peak_big = big["stages"][peak_stage]["rss_mb"]
    worst = max(growth, key=growth.get)
    out = [
        "## End to end",
        "",
        f"### {seed_n:,} posts (median of {runs} runs; scraped over HTTP from the local server)",
        "",
        *_table(seed),
        "",
        f"Share of the pipeline's time spent outside Kiwi: **{outside:.0%}** (raw `Kiwi.tokenize` on the same "
        f"texts and threads takes {st['kiwi-only']['seconds']:.1f} s; the tokenize stage spends "
        f"{tok_outside:.0%} of its time around Kiwi: reading, keyword groups, TF-IDF, writing).",
        "",
        f"### {big_n:,} posts (one run; raw zone seeded with the scraper's writer, no HTTP)",
        "",
        *_table(big),
        "",
        f"### Growth from {seed_n:,} to {big_n:,} posts ({big_n / seed_n:.1f}× the posts)",
        "",
        "| stage | time per post at the large size ÷ at the seed size (1.0 = linear) | peak RSS (MiB), seed size "
        "| peak RSS (MiB), large size | memory growth |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {k} | {v:.2f} | {st[k]['rss_mb']:.0f} | {big['stages'][k]['rss_mb']:.0f} | ×{growth[k]:.2f} |"
            for k, v in per_post.items()
        ],
        "",
        f"Peak RSS of every stage at {big_n:,} posts ≤ {RSS_LIMIT_MB:,} MiB: "
        f"{verdict(peak_big, RSS_LIMIT_MB, higher_is_better=False)} (the highest is {peak_stage}'s, "
        f"{peak_big:.0f} MiB). Each stage within ×{RSS_GROWTH_LIMIT} of its own peak at {seed_n:,} posts: "
        f"{verdict(growth[worst], RSS_GROWTH_LIMIT, higher_is_better=False)} (the most is {worst}'s, "
        f"×{growth[worst]:.2f}). What bounds each stage: cleanse holds one chunk of raw records, one hash bucket "
        "of the version index (the index itself is spilled to disk in 64 buckets) and one group of days of posts; "
        "tokenize holds Kiwi's model (~530 MB), a few partitions and the TF-IDF vocabulary; views and checks run "
        f"in DuckDB, capped at `CAFELAKE_DUCKDB_MEMORY` (default {DEFAULT_DUCKDB_MEMORY}) and spilling to a temp "
        "folder beyond it. No stage scans every file of a table at once (a pyarrow scan holds every file's "
        "footer while it runs, and the lake has a file per day): counts and reads go a month of files at a time.",
        "",
        "## AWS cost of a day at the seed scale (on paper)",
        "",
        *cost(seed),
    ]
    return "\n".join(out) + "\n"
