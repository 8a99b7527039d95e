"""The mart's post dimension and the small dimension tables."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from cafelake.schemas import POSTS_DIM


def posts_dim(posts: pa.Table, tokens: pa.Table) -> pa.Table:
    """posts_dim rows (with dt) for cleansed posts; token_count counts their tokens_fact rows."""
    counts = tokens.group_by("post_id").aggregate([("token_position", "count")])
    joined = posts.join(counts, "post_id", join_type="left outer")
    token_count = pc.fill_null(joined.column("token_position_count"), 0).cast(pa.int32())
    joined = joined.append_column("token_count", token_count)
    joined = joined.append_column("post_year", pc.year(joined.column("post_date")).cast(pa.int32()))
    joined = joined.append_column("post_month", pc.month(joined.column("post_date")).cast(pa.int32()))
    cols = [f.name for f in POSTS_DIM.schema] + ["dt"]
    return joined.select(cols).sort_by([("dt", "ascending"), ("post_id", "ascending")])
