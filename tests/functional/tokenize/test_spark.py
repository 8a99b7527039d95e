"""The Spark path (mapInArrow, local mode) writes the same mart as the single-process path."""

from __future__ import annotations

import sys

import pytest

from cafelake.lake import Lake
from cafelake.pipeline import Pipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    import os

    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers must import cafelake and kiwipiepy
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("cafelake-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    yield session
    session.stop()


def _rows(lake: Lake, name: str, keys: list[str]) -> list[tuple]:
    tbl = lake.read_table(name).sort_by([(k, "ascending") for k in keys])
    return [tuple(r.values()) for r in tbl.to_pylist()]


def test_spark_path_matches_single_process(spark, tmp_path, make_posts, sample_rows, kiwi_analyzer, settings):
    posts = make_posts(sample_rows)
    single, distributed = Lake(str(tmp_path / "a")), Lake(str(tmp_path / "b"))
    for lake in (single, distributed):
        lake.write_table("posts", posts)
    expected = Pipeline(single, settings).tokenize()
    got = Pipeline(distributed, settings).tokenize(spark=spark)

    assert got.posts_in == expected.posts_in == len(sample_rows)
    assert got.tokens == expected.tokens > 0
    assert got.group_matches == expected.group_matches > 0
    for name, keys in {
        "tokens_fact": ["post_id", "token_position"],
        "post_keyword_groups": ["post_id", "group_id"],
        "token_daily_counts": ["dt", "token", "token_pos", "is_stopword"],
        "posts_dim": ["post_id"],
        "token_tfidf": ["scope", "ranking", "rank"],
    }.items():
        assert _rows(distributed, name, keys) == _rows(single, name, keys), name


def _kiwi_of_a_task(cfg, keyword_groups, posts, _ids):
    """In a Spark task: the spark path's transform on `posts`, then the worker's Kiwi thread count."""
    import pyarrow as pa

    from cafelake.tokenize import analyzer
    from cafelake.tokenize.spark import _transform_batches

    rows = sum(b.num_rows for b in _transform_batches(cfg, keyword_groups, iter(posts.to_batches())))
    yield pa.RecordBatch.from_pydict(
        {
            "kiwi_threads": pa.array([analyzer._analyzer.kiwi.num_workers], pa.int32()),
            "rows": pa.array([rows], pa.int64()),
        }
    )


def test_a_task_gets_a_kiwi_with_its_own_cores(spark, make_posts, sample_rows, settings):
    """Spark runs one task per core: a Kiwi using every core in each task's worker would oversubscribe them."""
    from functools import partial

    posts = make_posts(sample_rows).select(["post_id", "question_text", "dt"])
    probe = partial(_kiwi_of_a_task, settings.tokenizer, settings.keyword_groups, posts)
    [row] = spark.range(1, numPartitions=1).mapInArrow(probe, "kiwi_threads int, rows long").collect()

    assert row.rows > 0
    assert row.kiwi_threads == int(spark.conf.get("spark.task.cpus", "1")) == 1
