"""The lake interface: partition replacement, pruning, objects, hidden files."""

from __future__ import annotations

import pyarrow as pa
import pytest

from cafelake.lake import Lake
from cafelake.schemas import TOKEN_TFIDF, TOKENS_FACT


def _tokens(post_ids: list[str], day: str) -> pa.Table:
    n = len(post_ids)
    return pa.table(
        {
            "post_id": post_ids,
            "token_position": list(range(n)),
            "token": ["열"] * n,
            "token_pos": ["NNG"] * n,
            "is_stopword": [False] * n,
            "dt": [day] * n,
        }
    )


def test_write_replaces_only_the_partitions_it_holds(tmp_path):
    lake = Lake(str(tmp_path))
    lake.write_table(TOKENS_FACT, pa.concat_tables([_tokens(["a", "b"], "2024-01-01"), _tokens(["c"], "2024-01-02")]))
    lake.write_table(TOKENS_FACT, _tokens(["z"], "2024-01-02"))
    lake.write_table(TOKENS_FACT, _tokens(["z"], "2024-01-02"))  # a re-run must not duplicate
    got = lake.read_table("tokens_fact").to_pydict()
    assert sorted(zip(got["dt"], got["post_id"], strict=True)) == [
        ("2024-01-01", "a"),
        ("2024-01-01", "b"),
        ("2024-01-02", "z"),
    ]
    assert lake.partitions("tokens_fact") == ["2024-01-01", "2024-01-02"]


def test_read_prunes_to_requested_partitions(tmp_path):
    lake = Lake(str(tmp_path))
    lake.write_table(TOKENS_FACT, pa.concat_tables([_tokens(["a"], "2024-01-01"), _tokens(["b"], "2024-01-02")]))
    assert lake.read_table("tokens_fact", dts=["2024-01-02", "2030-01-01"]).column("post_id").to_pylist() == ["b"]
    assert lake.read_table("tokens_fact", dts=[]).num_rows == 0


def test_unpartitioned_table_is_replaced_whole(tmp_path):
    lake = Lake(str(tmp_path))
    row = {
        "scope": ["all"],
        "token": ["열"],
        "token_pos": ["NNG"],
        "doc_freq": [1],
        "term_freq": [2],
        "tfidf_score": [0.5],
        "rank": [1],
        "ranking": ["sum"],
        "mean_tfidf": [0.5],
    }
    lake.write_table(TOKEN_TFIDF, pa.table(row))
    lake.write_table(TOKEN_TFIDF, pa.table(row | {"token": ["기침"]}))
    assert lake.read_table("token_tfidf").column("token").to_pylist() == ["기침"]


def test_conform_rejects_missing_columns(tmp_path):
    with pytest.raises(ValueError, match="missing columns"):
        Lake(str(tmp_path)).write_table(TOKENS_FACT, pa.table({"post_id": ["a"], "dt": ["2024-01-01"]}))


def test_empty_table_reads_with_schema(tmp_path):
    t = Lake(str(tmp_path)).read_table("posts_dim")
    assert t.num_rows == 0 and "posted_at" in t.column_names and "dt" in t.column_names


def test_objects_and_hidden_keys(tmp_path):
    lake = Lake(str(tmp_path))
    lake.put_bytes("raw", "naver_cafe/club_id=1/a.jsonl.gz", b"x")
    lake.put_bytes("raw", "_state/naver_cafe/state.json", b"{}")
    assert lake.list_keys("raw") == ["naver_cafe/club_id=1/a.jsonl.gz"]
    assert lake.list_keys("raw", "_state") == ["_state/naver_cafe/state.json"]
    assert lake.get_bytes("raw", "naver_cafe/club_id=1/a.jsonl.gz") == b"x"
    assert lake.exists("raw", "_state/naver_cafe/state.json")
    lake.delete("raw", "_state/naver_cafe/state.json")
    assert not lake.exists("raw", "_state/naver_cafe/state.json")


def test_s3_lake_on_moto_server(moto_server):
    import boto3

    boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1").create_bucket(Bucket="lake-test")
    lake = Lake("s3://lake-test/pfx", endpoint_url=moto_server)
    lake.write_table(TOKENS_FACT, _tokens(["a", "b"], "2024-01-01"))
    lake.write_table(TOKENS_FACT, _tokens(["c"], "2024-01-01"))
    assert lake.read_table("tokens_fact").column("post_id").to_pylist() == ["c"]
    lake.put_bytes("raw", "k/obj.json", b"{}")
    assert lake.list_keys("raw", "k") == ["k/obj.json"]
    assert lake.uri("tokenized", "tokens_fact") == "s3://lake-test/pfx/tokenized/tokens_fact"


def test_zone_roots_map_each_zone_to_its_bucket():
    lake = Lake("s3://unused", zone_roots={"raw": "s3://raw-bkt", "cleansed": "s3://clean-bkt"})
    assert lake.uri("raw", "naver_cafe/x") == "s3://raw-bkt/naver_cafe/x"
    assert lake.uri("tokenized", "posts_dim") == "s3://unused/tokenized/posts_dim"


def test_objects_need_no_pyarrow(tmp_path):
    """The scraper Lambda bundle carries no pyarrow: object I/O must not import it."""
    import subprocess
    import sys

    code = (
        "import sys; from cafelake.lake import Lake; import cafelake.raw; "
        f"l = Lake({str(tmp_path)!r}); l.put_bytes('raw', 'a/b', b'1'); l.list_keys('raw'); "
        "assert 'pyarrow' not in sys.modules, 'pyarrow imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_s3_objects_on_moto_server(moto_server):
    import boto3

    boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1").create_bucket(Bucket="obj-test")
    lake = Lake("s3://obj-test", endpoint_url=moto_server)
    lake.put_bytes("raw", "_state/x/state.json", b"{}")
    lake.put_bytes("raw", "naver_cafe/a.jsonl.gz", b"1")
    assert lake.exists("raw", "_state/x/state.json") and not lake.exists("raw", "nope")
    assert lake.list_keys("raw") == ["naver_cafe/a.jsonl.gz"]
    assert lake.list_keys("raw", "_state") == ["_state/x/state.json"]
    with pytest.raises(FileNotFoundError):
        lake.get_bytes("raw", "nope")
    lake.delete("raw", "_state")
    assert lake.list_keys("raw", "_state") == []


def test_footers_stay_small_and_reads_keep_the_schema_types(tmp_path):
    """Every query reads every footer: no Arrow schema blob, statistics only on columns that can
    skip a file, dictionaries only for text that recurs out of order; reads still get the contract."""
    import pyarrow.parquet as pq

    from cafelake.schemas import POSTS

    lake = Lake(str(tmp_path))
    n = 6
    row = {f.name: pa.nulls(n, f.type) for f in POSTS.schema} | {
        "post_id": [f"1-{i}" for i in range(n)],
        "source": ["naver_cafe"] * n,
        "menu_id": ["386", "412"] * 3,
        "question_text": [f"긴 글 {i} " * 50 for i in range(n)],
        "dt": ["2024-01-01"] * n,
        "posted_at": pa.array(range(n), pa.timestamp("us", tz="UTC")),
        "post_hour": [9] * n,
    }
    lake.write_table(POSTS, pa.table(row, schema=POSTS.schema.append(pa.field("dt", pa.string()))))
    (path,) = (tmp_path / "cleansed" / "posts" / "month=2024-01").glob("day-2024-01-01-*.parquet")
    pf = pq.ParquetFile(path)
    assert b"ARROW:schema" not in (pf.metadata.metadata or {})
    assert pf.schema_arrow.field("posted_at").type == pa.timestamp("us", tz="UTC")
    rg = pf.metadata.row_group(0)
    chunks = {rg.column(i).path_in_schema: rg.column(i) for i in range(rg.num_columns)}
    assert chunks["post_id"].is_stats_set and chunks["posted_at"].is_stats_set and chunks["dt"].is_stats_set
    assert not chunks["post_hour"].is_stats_set and not chunks["question_text"].is_stats_set
    assert chunks["menu_id"].dictionary_page_offset is not None  # recurs out of order
    assert all(chunks[c].dictionary_page_offset is None for c in ("post_id", "source", "question_text"))
    back = lake.read_table(POSTS)
    assert back.schema == POSTS.schema.append(pa.field("dt", pa.string()))
    assert back.column("posted_at").to_pylist() == row["posted_at"].to_pylist()


def test_list_columns_get_their_dictionary_by_leaf_path(tmp_path):
    import pyarrow.parquet as pq

    from cafelake.schemas import POST_KEYWORD_GROUPS

    lake = Lake(str(tmp_path))
    lake.write_table(
        POST_KEYWORD_GROUPS,
        pa.table(
            {
                "post_id": ["1-1", "1-2", "1-3"],
                "group_id": pa.array([1, 2, 1], pa.int32()),
                "matched_keywords": [["열", "기침"], ["열"], ["기침", "열", "기침"]],
                "dt": ["2024-01-01"] * 3,
            }
        ),
    )
    (path,) = (tmp_path / "tokenized" / "post_keyword_groups" / "month=2024-01").glob("day-2024-01-01-*.parquet")
    rg = pq.ParquetFile(path).metadata.row_group(0)
    chunks = {rg.column(i).path_in_schema: rg.column(i) for i in range(rg.num_columns)}
    assert chunks["matched_keywords.list.element"].dictionary_page_offset is not None
    assert lake.read_table(POST_KEYWORD_GROUPS).column("matched_keywords").type == pa.list_(pa.string())
