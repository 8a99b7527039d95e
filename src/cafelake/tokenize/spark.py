"""The same tokenize transform under Spark, for a corpus one machine cannot hold.

`mapInArrow` hands each Python worker Arrow record batches of posts; the worker runs
`transform.transform` (Kiwi loaded once per Python worker, which Spark reuses, with as
many threads as the task has cores: Spark already runs one task per core, so a Kiwi on
every core in every worker would oversubscribe the executor) and yields Arrow batches
back. Pure Arrow both ways: no pandas conversion, so pandas 3 and pyspark 3.5 never have
to agree. One pass yields both outputs, tagged by `kind`, so Kiwi runs once per post.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING

import pyarrow as pa

from cafelake.lake import PARTITION_KEY, Lake
from cafelake.runs import new_run_id
from cafelake.schemas import POST_KEYWORD_GROUPS, POSTS, TOKENS_FACT

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from cafelake.config import KeywordGroup
    from cafelake.settings import Settings
    from cafelake.tokenize.job import TokenizeSummary
    from cafelake.tokenize.settings import TokenizerConfig

_OUT = pa.schema(
    [
        pa.field("kind", pa.string()),
        pa.field("post_id", pa.string()),
        pa.field("token_position", pa.int32()),
        pa.field("token", pa.string()),
        pa.field("token_pos", pa.string()),
        pa.field("is_stopword", pa.bool_()),
        pa.field("group_id", pa.int32()),
        pa.field("matched_keywords", pa.list_(pa.string())),
        pa.field(PARTITION_KEY, pa.string()),
    ]
)
OUT_DDL = (
    "kind string, post_id string, token_position int, token string, token_pos string, is_stopword boolean, "
    "group_id int, matched_keywords array<string>, dt string"
)
TOKENS = "tokens"
GROUPS = "groups"
log = logging.getLogger(__name__)


def _tagged(kind: str, tbl: pa.Table) -> pa.RecordBatch:
    n = tbl.num_rows
    cols = [pa.array([kind] * n, pa.string())] + [
        tbl.column(f.name).combine_chunks() if f.name in tbl.column_names else pa.nulls(n, f.type)
        for f in list(_OUT)[1:]
    ]
    return pa.RecordBatch.from_arrays(cols, schema=_OUT)


def _transform_batches(
    cfg: TokenizerConfig, keyword_groups: Sequence[KeywordGroup], batches: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """Runs in the Python worker: posts batches in, tagged tokens_fact/post_keyword_groups rows out.

    The configuration comes from the driver, pickled with the function: the workers read no files.
    """
    from pyspark import TaskContext

    from cafelake.tokenize.analyzer import analyzer
    from cafelake.tokenize.keywords import KeywordMatcher
    from cafelake.tokenize.transform import transform

    matcher = KeywordMatcher(keyword_groups)
    threads = TaskContext.get().cpus()  # spark.task.cpus: the cores Spark gave this task
    for batch in batches:
        tokens, groups = transform(batch, analyzer(cfg, threads), matcher)
        for kind, tbl in ((TOKENS, tokens), (GROUPS, groups)):
            if tbl.num_rows:
                yield _tagged(kind, tbl)


def tokenize_dataframe(posts: DataFrame, settings: Settings) -> DataFrame:
    """Tagged rows (kind = 'tokens' | 'groups') for a DataFrame with post_id, question_text, dt."""
    from pyspark.sql import functions as F

    dt = F.col(PARTITION_KEY).cast("string").alias(PARTITION_KEY)  # the mart keeps dt as text
    work = partial(_transform_batches, settings.tokenizer, settings.keyword_groups)
    return posts.select("post_id", "question_text", dt).mapInArrow(work, OUT_DDL)


def split(tagged: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(tokens_fact, post_keyword_groups) DataFrames, columns in schema order plus dt."""
    from pyspark.sql import functions as F

    tokens = tagged.where(F.col("kind") == TOKENS).select(*TOKENS_FACT.schema.names, PARTITION_KEY)
    groups = tagged.where(F.col("kind") == GROUPS).select(*POST_KEYWORD_GROUPS.schema.names, PARTITION_KEY)
    return tokens, groups


def run_spark(
    spark: SparkSession, lake: Lake, settings: Settings, *, full: bool = False, run_id: str | None = None
) -> TokenizeSummary:
    """The tokenize stage with Kiwi on Spark: every post of a changed partition is re-tokenized.

    Rows come back to the driver one partition group at a time and are written with the
    lake's writer, so the files are exactly those of the single-process path.
    """
    from pyspark.sql import functions as F

    from cafelake.tokenize import job
    from cafelake.tokenize.keywords import KeywordMatcher
    from cafelake.tokenize.mart import posts_dim
    from cafelake.tokenize.transform import TOKENS_SCHEMA

    start = time.monotonic()
    p = job.plan(lake, settings, full)
    for tdef in job.PARTITIONED:
        lake.drop_partitions(tdef, p.dropped)
    posts_in = n_tokens = n_groups = n_parts = 0
    body_parts = KeywordMatcher(settings.body_parts)
    if p.changed:
        job.groups_dim_before_facts(lake, settings)
        # the lake's files of those days (a month file holds its other days too: filtered out)
        paths = lake.table_uris(POSTS, dts=p.changed)
        posts = spark.read.parquet(*paths).where(F.col(PARTITION_KEY).isin(p.changed))
        posts_in = posts.count()
        tagged = tokenize_dataframe(posts, settings).cache()
        kiwi_start = time.monotonic()
        rows = tagged.count()  # Kiwi runs here, on every executor core; the rest is the driver's
        log.info("spark: %d posts through Kiwi in %.3f s (%d rows)", posts_in, time.monotonic() - kiwi_start, rows)
        tokens_df, groups_df = split(tagged)
        for dts in job.by_month(p.changed):  # the driver holds one month of rows at a time
            month = F.col(PARTITION_KEY).isin(dts)
            month_posts = lake.read_table(POSTS, dts=dts)  # every post is re-tokenized: none keeps its hash
            pending = posts_dim(month_posts, TOKENS_SCHEMA.empty_table())
            job.posts_dim_before_facts(lake, pending, pa.array([], pa.string()), set(dts))
            tokens = _collect_arrow(tokens_df.where(month), TOKENS_FACT)
            n_parts += job.write_tokens(lake, tokens, set(dts), body_parts)
            groups = _collect_arrow(groups_df.where(month), POST_KEYWORD_GROUPS)
            job.write_replacing(lake, POST_KEYWORD_GROUPS, groups, set(dts))
            n_tokens += tokens.num_rows
            n_groups += groups.num_rows
        tagged.unpersist()
        job.write_posts_dim(lake, p.changed)
    summary = job.TokenizeSummary(
        run_id or new_run_id(p.started),
        p.full,
        len(p.changed),
        len(p.dropped),
        posts_in,
        posts_in,
        0,
        n_tokens,
        n_groups,
        n_parts,
        0,
        0.0,
    )
    return job.finish(lake, settings, p, summary, start)


def _collect_arrow(df: DataFrame, tdef) -> pa.Table:
    """A Spark DataFrame as an Arrow table of the table's schema (plus dt)."""
    schema = tdef.schema.append(pa.field(PARTITION_KEY, pa.string()))
    batches = df._collect_as_arrow()  # pyspark 3.5 has no public toArrow (it arrives in 4.0)
    if not batches:
        return schema.empty_table()
    return pa.Table.from_batches(batches).cast(schema)
