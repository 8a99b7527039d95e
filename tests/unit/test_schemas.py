"""The data contracts: the analysts' column names, and the docs derived from them."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from cafelake import schemas

ROOT = Path(__file__).resolve().parents[2]

# The names and meanings analysts, views and dashboards rely on (issue: Foundation, item 4).
CONTRACT = {
    "posts_dim": [
        "post_id",
        "club_id",
        "menu_id",
        "url",
        "title",
        "content",
        "question_text",
        "raw_date",
        "posted_at",
        "post_date",
        "post_hour",
        "post_year",
        "post_month",
        "author_key",
        "read_count",
        "comment_count",
    ],
    "tokens_fact": ["post_id", "token_position", "token", "token_pos", "is_stopword"],
    "token_daily_counts": ["token", "token_pos", "is_stopword", "occurrences", "posts"],
    "keyword_groups_dim": ["group_id", "group_name", "display_name", "description"],
    "keywords_dictionary": ["keyword", "group_id", "is_stopword"],
    "post_keyword_groups": ["post_id", "group_id", "matched_keywords"],
    "token_tfidf": ["scope", "token", "token_pos", "doc_freq", "term_freq", "tfidf_score", "rank", "ranking"],
}


@pytest.mark.parametrize("name", CONTRACT)
def test_mart_keeps_the_analysts_columns(name):
    assert set(CONTRACT[name]) <= set(schemas.table(name).schema.names)


def test_partitioning_follows_the_contract():
    partitioned = {t.name for t in schemas.TABLES.values() if t.partitioned}
    assert {"posts", "posts_dim", "tokens_fact", "token_daily_counts", "post_keyword_groups"} <= partitioned
    assert not {"keyword_groups_dim", "keywords_dictionary", "token_tfidf"} & partitioned


def test_timestamps_are_utc_aware():
    for t in schemas.TABLES.values():
        for f in t.schema:
            if pa.types.is_timestamp(f.type):
                assert f.type.tz == "UTC", f"{t.name}.{f.name}"


def test_every_column_has_a_comment_and_an_athena_type():
    for t in schemas.TABLES.values():
        for name, athena, comment in schemas.athena_columns(t):
            assert comment, f"{t.name}.{name} has no comment"
            assert re.fullmatch(r"[a-z<>]+", athena)


def test_projection_names_every_partition_key():
    props = schemas.projection_properties("s3://b/tokens_fact/")
    assert props["storage.location.template"] == "s3://b/tokens_fact/month=${month}/"
    assert props["projection.month.format"] == "yyyy-MM"
    assert props["projection.month.range"].endswith("NOW+1DAYS")  # KST dates run ahead of UTC


def test_conform_casts_and_orders_columns():
    t = pa.table(
        {
            "is_stopword": [True],
            "token": ["열"],
            "token_pos": ["NNG"],
            "token_position": [3],
            "post_id": ["1-2"],
            "dt": ["2024-01-01"],
            "extra": [1],
        }
    )
    out = schemas.conform(t, schemas.TOKENS_FACT)
    assert out.column_names == [*schemas.TOKENS_FACT.schema.names, "dt"]
    assert out.schema.field("token_position").type == pa.int32()


def test_data_model_doc_is_generated_from_the_schemas():
    doc = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    generated = doc.split("-->\n", 1)[1].split("<!-- END GENERATED -->")[0]
    assert generated == schemas.markdown(), "docs/data-model.md drifted: regenerate its tables section"


def test_time_known_travels_with_the_hour_from_posts_to_posts_dim():
    """posts_dim takes every column it shares with cleansed posts (tokenize/mart.py selects by schema)."""
    for tdef in (schemas.POSTS, schemas.POSTS_DIM):
        assert tdef.schema.field("time_known").type == pa.bool_()
        assert "time_known" in tdef.comments["posted_at"] and "time_known" in tdef.comments["post_hour"]
    derived = {"post_year", "post_month", "token_count", "baby_age_months", "baby_age_band"}
    assert set(schemas.POSTS_DIM.schema.names) - derived <= set(schemas.POSTS.schema.names)
