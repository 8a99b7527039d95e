"""LocalAthena: partition pruning, empty tables, fresh files, and Athena-only syntax."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cafelake.athena import sqlfiles
from cafelake.athena.local import LocalAthena
from cafelake.environment import Environment
from cafelake.errors import UsageError
from cafelake.lake import Lake
from cafelake.schemas import CATALOG_TABLES, athena_columns


def test_dt_filter_skips_row_groups_month_filter_prunes_folders(mart_lake):
    with LocalAthena(mart_lake) as engine:
        days = mart_lake.partitions("posts_dim")
        files = mart_lake.table_files("posts_dim")
        month = [d for d in days if d.startswith("2025-10")]
        [scan] = engine.scans(
            "SELECT post_hour, sum(posts) FROM v_posts_by_hour "
            "WHERE dt BETWEEN '2025-10-01' AND '2025-10-31' GROUP BY 1"
        )
        # a day file each: every footer is read (dt is a column), only the month's row groups
        assert scan.table == "posts_dim" and len(scan.files) == scan.files_total == len(files) == len(days)
        assert scan.days == frozenset(month) and scan.row_groups == (len(month), len(days))
        assert scan.columns == ("dt", "post_date", "post_hour")
        # a month filter prunes folders, as partition projection does
        [scan] = engine.scans("SELECT count(*) FROM posts_dim WHERE month = '2025-10'")
        assert [Path(f).parent.name for f in scan.files] == ["month=2025-10"] * len(month)
        # the FIELD_NOTES trap: with CROSS JOIN UNNEST, filter on dt in a CTE first
        [scan] = engine.scans("""
            WITH g AS (SELECT * FROM post_keyword_groups WHERE dt = '2025-10-07')
            SELECT k, count(*) AS n FROM g CROSS JOIN UNNEST(matched_keywords) AS u(k) GROUP BY k""")
        assert scan.row_groups[0] == 1 and scan.columns == ("dt", "matched_keywords")
        whole = engine.explain_bytes("SELECT post_hour, count(*) FROM posts_dim GROUP BY 1")
        one_month = engine.explain_bytes(
            "SELECT post_hour, count(*) FROM posts_dim WHERE dt LIKE '2025-10-%' GROUP BY 1"
        )
        all_columns = engine.explain_bytes("SELECT * FROM posts_dim WHERE dt LIKE '2025-10-%'")
        assert 0 < one_month < whole and one_month < all_columns


def test_a_scan_of_columns_two_referenced_tables_share_is_reported_not_guessed(mart_lake):
    with LocalAthena(mart_lake) as engine, pytest.raises(RuntimeError, match="cannot tell"):
        engine.scans("SELECT count(*) FROM posts_dim AS d JOIN posts AS p ON p.post_id = d.post_id")


def test_every_view_and_table_is_queryable_on_an_empty_lake(tmp_path):
    with LocalAthena(Lake(str(tmp_path))) as engine:
        for t in CATALOG_TABLES:
            df = engine.view(t.name)
            assert df.empty
            assert list(df.columns) == [n for n, _, _ in athena_columns(t)] + t.partition_keys
        for v in sqlfiles.views():
            assert engine.view(v.name).empty


def test_new_files_are_seen_without_reopening(tmp_path, mart_builder):
    lake = Lake(str(tmp_path))
    with LocalAthena(lake) as engine:
        assert engine.query("SELECT count(*) AS n FROM v_posts_enriched")["n"].iloc[0] == 0
        mart_builder(lake, posts=50, days=5)
        assert engine.query("SELECT count(*) AS n FROM v_posts_enriched")["n"].iloc[0] == 50


def test_athena_syntax_runs_locally(mart_lake):
    with LocalAthena(mart_lake) as engine:
        df = engine.query("""
            SELECT post_id, post_hour,
                   hour(at_timezone(posted_at, 'Asia/Seoul')) AS kst_hour,
                   approx_distinct(author_key) OVER () AS authors
            FROM cafelake.posts_dim WHERE dt = (SELECT min(dt) FROM posts_dim)""")
        assert len(df) > 0
        assert (df["kst_hour"] == df["post_hour"]).all()  # UTC-aware storage: KST hour recovered
        sums = engine.query("SELECT sum(posts) AS posts, sum(CAST(posts AS double)) AS f FROM v_daily_posts")
        assert pd.api.types.is_integer_dtype(sums["posts"])  # bigint, as in Athena, not DuckDB's HUGEINT
        assert sums["posts"].iloc[0] == len(mart_lake.read_table("posts_dim"))
        assert pd.api.types.is_float_dtype(sums["f"])
        ts = engine.query("SELECT posted_at FROM posts_dim LIMIT 1")["posted_at"]
        assert str(ts.dt.tz) in ("UTC", "Etc/UTC")


def test_unknown_view_is_a_clear_error(mart_lake):
    with LocalAthena(mart_lake) as engine, pytest.raises(UsageError, match="unknown view 'v_nope'"):
        engine.view("v_nope")
    with LocalAthena(mart_lake) as engine, pytest.raises(UsageError, match="unknown view 'v_nope'"):
        engine.row_count("v_nope")


def test_row_count_streams_every_view_to_the_same_rows_as_view(mart_lake):
    with LocalAthena(mart_lake) as engine:
        for v in sqlfiles.views():
            assert engine.row_count(v.name, batch_rows=7) == len(engine.view(v.name)), v.name
        assert engine.row_count("posts_dim") == len(mart_lake.read_table("posts_dim")) > 0


def test_an_s3_lake_is_queried_through_pyarrow(moto_server, mart_builder, monkeypatch):
    """DuckDB cannot read S3 here; the lake's pyarrow datasets stand in, with the same results."""
    import boto3

    monkeypatch.setenv("CAFELAKE_S3_ENDPOINT", moto_server)
    boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1").create_bucket(Bucket="athena-s3-lake")
    lake = Lake.from_settings(Environment.read(lake="s3://athena-s3-lake/lake"))
    with LocalAthena(lake) as engine:
        assert engine.view("v_daily_posts").empty
        tables = mart_builder(lake, posts=60, days=6)
        daily = engine.view("v_daily_posts")
        first = tables["posts_dim"].column("dt")[0].as_py()
        one_day = engine.view("v_posts_enriched", f"dt = '{first}'")
    assert daily["posts"].sum() == 60 and len(daily) == len(set(tables["posts_dim"].column("dt").to_pylist()))
    assert set(one_day["dt"]) == {first} and len(one_day) == tables["posts_dim"].column("dt").to_pylist().count(first)
