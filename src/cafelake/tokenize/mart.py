"""The mart's post dimension and the per-day token counts, derived from the facts."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from cafelake.lake import PARTITION_KEY
from cafelake.schemas import POSTS_DIM, TOKEN_DAILY_COUNTS
from cafelake.tokenize.age import age_band, ages


def posts_dim(posts: pa.Table, tokens: pa.Table) -> pa.Table:
    """posts_dim rows (with dt) for cleansed posts; token_count counts their tokens_fact rows, and the baby's
    age is read from question_text (title and content, cleansed)."""
    counts = tokens.group_by("post_id").aggregate([("token_position", "count")])
    joined = posts.join(counts, "post_id", join_type="left outer")
    token_count = pc.fill_null(joined.column("token_position_count"), 0).cast(pa.int32())
    joined = joined.append_column("token_count", token_count)
    joined = joined.append_column("post_year", pc.year(joined.column("post_date")).cast(pa.int32()))
    joined = joined.append_column("post_month", pc.month(joined.column("post_date")).cast(pa.int32()))
    months = ages(joined.column("question_text").to_pylist())
    joined = joined.append_column("baby_age_months", pa.array(months, pa.int32()))
    joined = joined.append_column("baby_age_band", pa.array([age_band(m) for m in months], pa.string()))
    cols = [f.name for f in POSTS_DIM.schema] + ["dt"]
    return joined.select(cols).sort_by([("dt", "ascending"), ("post_id", "ascending")])


def token_daily_counts(tokens: pa.Table) -> pa.Table:
    """token_daily_counts rows (with dt) for whole partitions of tokens_fact rows.

    Sorted by stopword flag, part of speech and token within a day, so the token strings'
    shared prefixes sit together and compress.
    """
    keys = [PARTITION_KEY, "token", "token_pos", "is_stopword"]
    counts = tokens.group_by(keys).aggregate([([], "count_all"), ("post_id", "count_distinct")])
    counts = counts.rename_columns({"count_all": "occurrences", "post_id_count_distinct": "posts"})
    cols = [f.name for f in TOKEN_DAILY_COUNTS.schema] + [PARTITION_KEY]
    order = (PARTITION_KEY, "is_stopword", "token_pos", "token")
    return counts.select(cols).sort_by([(k, "ascending") for k in order])
