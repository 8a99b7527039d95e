"""Tokenize stage: overhead around Kiwi, speed-up over the old study, memory as the corpus grows."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from benchmarks._harness import peak_rss_mb, side_by_side, verdict

FULL_POSTS, QUICK_POSTS = 65_600, 3_000
RSS_SIZES, RSS_QUICK = (10_000, 40_000, 160_000), (2_000, 8_000)
TFIDF_SIZES, TFIDF_QUICK = (100_000, 1_000_000), (20_000, 100_000)
POSTS_PER_YEAR = 65_600  # the board's real density: bigger corpora span more days


def posts_table(n: int, seed: int = 42):
    """cleansed/posts rows for the generator's n posts (title + sentences, as cleanse merges them)."""
    import hashlib

    import pyarrow as pa

    from cafelake.schemas import POSTS
    from cafelake.sources.base import post_id
    from cafelake.sources.naver_cafe import SOURCE
    from cafelake.sources.naver_cafe.corpus import Corpus

    corpus = Corpus(posts=n, seed=seed, days=max(365, n * 365 // POSTS_PER_YEAR))
    rows = []
    for art in corpus.iter_articles():
        t = art.truth
        if t["status"] != "ok":
            continue
        text = t["title"] + "\n" + " ".join(t["sentences"])
        day = t["kst_date"]
        rows.append(
            {
                "post_id": post_id(SOURCE.name, corpus.club_id, art.article_id),
                "source": SOURCE.name,
                "club_id": corpus.club_id,
                "menu_id": corpus.menu_id,
                "article_id": art.article_id,
                "url": "",
                "title": t["title"],
                "content": " ".join(t["sentences"]),
                "question_text": text,
                "raw_date": "",
                "posted_at": t["posted_at"],
                "post_date": day,
                "post_hour": t["kst_hour"],
                "author_key": str(t["author"]),
                "read_count": 0,
                "comment_count": 0,
                "content_hash": hashlib.sha256(text.encode()).hexdigest(),
                "fetched_at": t["posted_at"],
                "ingest_dt": day.isoformat(),
                "text_truncated": False,
                "dt": day.isoformat(),
            }
        )
    return pa.Table.from_pylist(rows, schema=POSTS.schema.append(pa.field("dt", pa.string())))


_TFIDF_CODE = """
import sys
from cafelake.lake import Lake
from cafelake.settings import Settings
from cafelake.tokenize.job import _tfidf_chunks
from cafelake.tokenize.tfidf import compute_tfidf
print(compute_tfidf(_tfidf_chunks(Lake(sys.argv[1])), Settings.load().keyword_groups, 100).num_rows)
"""


def synthetic_mart(lake, n_posts: int, tokens_per_post: int = 25, vocab: int = 100_000, seed: int = 1) -> int:
    """tokens_fact and post_keyword_groups of n_posts without Kiwi (Zipf tokens, ~8% of posts per group,
    the board's density), for measuring TF-IDF memory at sizes Kiwi would take too long to reach."""
    import datetime as dt

    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    names = pa.array([f"t{i}" for i in range(vocab)])
    days = max(365, n_posts * 365 // POSTS_PER_YEAR)
    day_names = np.array([(dt.date(2010, 1, 1) + dt.timedelta(days=d)).isoformat() for d in range(days)])
    post_day = np.sort(rng.integers(0, days, n_posts))
    rows = 0
    for d0 in range(0, days, 90):  # whole days per write: a write replaces the partitions it holds
        ids = np.flatnonzero((post_day >= d0) & (post_day < d0 + 90))
        per = rng.poisson(tokens_per_post, len(ids))
        post_of = np.repeat(ids, per)
        term = np.minimum(rng.zipf(1.3, len(post_of)) - 1, vocab - 1)
        position = np.arange(len(post_of)) - np.repeat(np.cumsum(per) - per, per)
        lake.write_table(
            "tokens_fact",
            pa.table(
                {
                    "post_id": pa.array(post_of.astype(str)),
                    "token_position": pa.array(position, pa.int32()),
                    "token": names.take(pa.array(term)),
                    "token_pos": pa.array(np.full(len(term), "NNG")),
                    "is_stopword": pa.array(term < 20),
                    "dt": pa.array(day_names[post_day[post_of]]),
                }
            ),
        )
        p_idx, g_idx = np.nonzero(rng.random((len(ids), 22)) < 0.08)
        lake.write_table(
            "post_keyword_groups",
            pa.table(
                {
                    "post_id": pa.array(ids[p_idx].astype(str)),
                    "group_id": pa.array(g_idx + 1, pa.int32()),
                    "matched_keywords": pa.array([[]] * len(p_idx), pa.list_(pa.string())),
                    "dt": pa.array(day_names[post_day[ids[p_idx]]]),
                }
            ),
        )
        rows += len(term)
    return rows


_RSS_CODE = """
import sys
from cafelake.lake import Lake
from cafelake.pipeline import Pipeline
s = Pipeline(Lake(sys.argv[1])).tokenize(full=True)
print(s.posts_in, s.tokens)
"""


def run(runs: int = 3, quick: bool = False) -> str:
    import pyarrow.compute as pc

    from benchmarks.old_study_tokenize import old_study
    from cafelake.lake import Lake
    from cafelake.pipeline import Pipeline
    from cafelake.tokenize.analyzer import analyzer

    n = QUICK_POSTS if quick else FULL_POSTS
    runs = 1 if quick else runs
    posts = posts_table(n)
    texts = posts.column("question_text").to_pylist()
    work = Path(tempfile.mkdtemp(prefix="bench-tokenize-"))
    try:
        lake = Lake(str(work / "lake"))
        lake.write_table("posts", posts)
        pipeline = Pipeline(lake)
        an = analyzer(pipeline.settings.tokenizer)
        groups = pipeline.settings.keyword_groups

        batch = an.cfg.batch_size

        def raw_kiwi():  # in the stage's batch size, so both sides give Kiwi the same work units
            for i in range(0, len(texts), batch):
                for _ in an.kiwi.tokenize(texts[i : i + batch]):
                    pass

        times = side_by_side(
            {
                "raw": raw_kiwi,
                "stage": lambda: pipeline.tokenize(full=True),
                "old": lambda: old_study(texts, an.kiwi, groups),
            },
            runs=runs,
        )

        # incremental: 1% of posts edited, the rest reused without Kiwi
        edited = posts.set_column(
            posts.schema.get_field_index("content_hash"),
            "content_hash",
            pc.if_else(
                pc.less(pc.random(posts.num_rows), 0.01),
                pc.binary_join_element_wise(posts.column("content_hash"), "x", ""),
                posts.column("content_hash"),
            ),
        )
        pipeline.tokenize(full=True)
        lake.write_table("posts", edited)
        inc_times = side_by_side({"incremental": lambda: pipeline.tokenize()}, runs=1)
        inc = pipeline.tokenize()  # nothing left to do: shows the no-change cost

        rss = []
        for size in RSS_QUICK if quick else RSS_SIZES:
            folder = work / f"rss-{size}"
            Lake(str(folder)).write_table("posts", posts_table(size, seed=size))
            mb, out = peak_rss_mb(_RSS_CODE, str(folder))
            rss.append((size, int(out.split()[0]), mb))
            shutil.rmtree(folder)

        tfidf_rss = []
        for size in TFIDF_QUICK if quick else TFIDF_SIZES:
            folder = work / f"tfidf-{size}"
            rows = synthetic_mart(Lake(str(folder)), size)
            mb, _ = peak_rss_mb(_TFIDF_CODE, str(folder))
            tfidf_rss.append((size, rows, mb))
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    n_posts = posts.num_rows
    ratio_raw = times["raw"] / times["stage"]
    ratio_old = times["old"] / times["stage"]
    rss_rows = "\n".join(f"| {size:,} | {posts_in:,} | {mb:,.0f} |" for size, posts_in, mb in rss)
    growth = rss[-1][2] / rss[0][2]
    tfidf_rows = "\n".join(f"| {size:,} | {rows:,} | {mb:,.0f} |" for size, rows, mb in tfidf_rss)
    return f"""## tokenize

Same {n_posts:,} generated posts, same Kiwi instance ({an.kiwi.num_workers} worker threads, the project's
user dictionary), runs interleaved, median of {runs}:

| path | seconds | posts/s |
|---|---:|---:|
| raw `Kiwi.tokenize(list)` in batches of {an.cfg.batch_size:,}, tokens discarded | {times["raw"]:.1f} | {n_posts / times["raw"]:,.0f} |
| tokenize stage, `run_tokenize(full=True)`: read, Kiwi, tokens, groups, posts_dim, TF-IDF, writes | {times["stage"]:.1f} | {n_posts / times["stage"]:,.0f} |
| old study: per-row `kiwi.analyze` + one substring scan of the table per keyword group | {times["old"]:.1f} | {n_posts / times["old"]:,.0f} |
| stage, incremental after editing ~1% of posts (the rest reuse their tokens) | {inc_times["incremental"]:.1f} | {n_posts / inc_times["incremental"]:,.0f} |

- Stage vs raw Kiwi throughput: **{ratio_raw:.2f}** (target >= 0.85: {verdict(ratio_raw, 0.85)}). What the stage
  adds: normalising morphemes (a cached dict lookup each), building Arrow columns, group matching on tokens,
  Parquet reads/writes and a two-pass sparse TF-IDF.
- Stage vs the old study: **{ratio_old:.2f}x** (target >= 1.7x on 2 cores: {verdict(ratio_old, 1.7)}). Both sides
  are bound by Kiwi; the stage wins by batching across Kiwi's threads, so the ratio tracks the core count.
  What limits it: raw batched Kiwi itself is {times["old"] / times["raw"]:.2f}x the old approach in this run, so
  the stage can only reach that times its own raw-Kiwi ratio above; the rest of its time is Parquet I/O (one
  file per day per table: three files for each of the corpus's days) and the TF-IDF passes.
  Beyond it, only less Kiwi work helps: the incremental run above re-tokenizes only changed posts
  ({n_posts / inc_times["incremental"]:,.0f} posts/s effective); a run with nothing changed took {inc.seconds:.1f} s.

Peak RSS of a fresh process running `run_tokenize(full=True)` on a lake of generated posts at the board's
density ({POSTS_PER_YEAR:,} posts a year; Kiwi's model alone is ~530 MB):

| corpus posts | posts tokenized | peak RSS (MiB) |
|---:|---:|---:|
{rss_rows}

Peak RSS grew {growth:.2f}x while the corpus grew {rss[-1][0] / rss[0][0]:.0f}x: posts stream through Kiwi a few
partitions at a time and TF-IDF streams month by month, so memory holds one chunk plus vocabulary-long vectors.

The whole stage at 1,000,000 posts (Kiwi included, in one fresh process) is measured in the "End to end"
section above; the part whose memory could grow with the corpus - TF-IDF over the whole mart (vocabulary,
per-scope vectors) - was also measured alone on a synthetic mart (Zipf tokens over 100,000 terms, ~25 tokens
per post, 22 groups of ~8% of posts each, the board's density), in a fresh process, to show its own growth:

| posts | tokens_fact rows | TF-IDF peak RSS (MiB) |
|---:|---:|---:|
{tfidf_rows}
"""
