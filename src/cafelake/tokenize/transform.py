"""The per-batch transform shared by the single-process job and the Spark path.

Posts (post_id, question_text, dt) in; tokens_fact and post_keyword_groups rows out,
as Arrow tables. Nothing here knows where the posts came from or where rows go.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cafelake.schemas import POST_BODY_PARTS, POST_KEYWORD_GROUPS, TOKENS_FACT
from cafelake.tokenize.analyzer import Analyzer
from cafelake.tokenize.keywords import KeywordMatcher

TOKENS_SCHEMA = TOKENS_FACT.schema.append(pa.field("dt", pa.string()))
GROUPS_SCHEMA = POST_KEYWORD_GROUPS.schema.append(pa.field("dt", pa.string()))
BODY_PARTS_SCHEMA = POST_BODY_PARTS.schema.append(pa.field("dt", pa.string()))


def _repeat_index(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, position) of each element of consecutive runs of the given lengths."""
    owner = np.repeat(np.arange(len(counts)), counts)
    return owner, np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)


def _take(col: pa.Array | pa.ChunkedArray, rows: np.ndarray) -> pa.Array:
    """The rows of a post column repeated per token, as the string array tokens_fact holds."""
    taken = col.take(pa.array(rows)).cast(pa.string())
    return taken.combine_chunks() if isinstance(taken, pa.ChunkedArray) else taken


def tokenize_posts(posts: pa.Table | pa.RecordBatch, analyzer: Analyzer) -> pa.Table:
    """tokens_fact rows (with dt) for the posts, in post order then token position.

    Kiwi's output is reduced to token ids per post; every column is then one `take`, so the
    Python work per token is a list item, not six list appends and a string conversion.
    """
    rows = list(analyzer.token_ids(posts.column("question_text").to_pylist()))
    counts = np.fromiter(map(len, rows), np.int64, len(rows))
    ids = pa.array(np.fromiter(chain.from_iterable(rows), np.int32, int(counts.sum())))
    post, position = _repeat_index(counts)
    token, token_pos, is_stopword = analyzer.vocab_arrays()  # after Kiwi: it holds the batch's new tokens
    return pa.Table.from_arrays(
        [
            _take(posts.column("post_id"), post),
            pa.array(position, pa.int32()),
            token.take(ids),
            token_pos.take(ids),
            is_stopword.take(ids),
            _take(posts.column("dt"), post),
        ],
        schema=TOKENS_SCHEMA,
    )


def match_groups(tokens: pa.Table, matcher: KeywordMatcher) -> pa.Table:
    """post_keyword_groups rows (with dt) from tokens_fact rows: only keyword tokens are looked at.

    Rows come sorted by post_id, dt and group id, each with its distinct keywords sorted (Arrow sorts
    strings by their UTF-8 bytes, which is code point order, as Python's `sorted`).
    """
    keyword = pc.index_in(tokens.column("token"), value_set=matcher.keywords)
    hit = pc.is_valid(keyword)
    source, group_id = matcher.groups_of(keyword.filter(hit).to_numpy())
    pairs = tokens.select(["post_id", "dt", "token"]).filter(hit).take(pa.array(source))
    pairs = (
        pairs.append_column("group_id", pa.array(group_id, pa.int32()))
        .sort_by([(c, "ascending") for c in ("post_id", "dt", "group_id", "token")])
        .combine_chunks()
    )
    new_group = _run_starts(pairs, ["post_id", "dt", "group_id"])
    distinct = new_group | _run_starts(pairs, ["token"])  # a keyword once per (post, group)
    pairs, new_group = pairs.filter(pa.array(distinct)), new_group[distinct]
    starts = np.flatnonzero(new_group)
    first = pairs.take(pa.array(starts))
    keywords = pa.ListArray.from_arrays(
        pa.array(np.r_[starts, len(new_group)], pa.int32()), pairs.column("token").combine_chunks()
    )
    return pa.Table.from_arrays(
        [first.column("post_id"), first.column("group_id"), keywords, first.column("dt")], schema=GROUPS_SCHEMA
    )


def match_body_parts(tokens: pa.Table, matcher: KeywordMatcher) -> pa.Table:
    """post_body_parts rows (with dt): the body parts matched as keyword groups are, named from the frames."""
    hits = match_groups(tokens, matcher)
    parts = {g.group_id: g for g in matcher.groups}
    ids = hits.column("group_id").to_pylist()
    return pa.Table.from_arrays(
        [
            hits.column("post_id"),
            hits.column("group_id"),
            pa.array([parts[i].group_name for i in ids], pa.string()),
            pa.array([parts[i].display_name for i in ids], pa.string()),
            hits.column("matched_keywords"),
            hits.column("dt"),
        ],
        schema=BODY_PARTS_SCHEMA,
    )


def _run_starts(tbl: pa.Table, cols: list[str]) -> np.ndarray:
    """Per row of a sorted table: does it start a run of equal `cols` (differ from the row before)."""
    new = np.zeros(tbl.num_rows, bool)
    new[:1] = True
    for c in cols:
        col = tbl.column(c)
        new[1:] |= pc.fill_null(pc.not_equal(col[1:], col[:-1]), True).to_numpy()
    return new


def transform(
    posts: pa.Table | pa.RecordBatch, analyzer: Analyzer, matcher: KeywordMatcher
) -> tuple[pa.Table, pa.Table]:
    """(tokens_fact, post_keyword_groups) rows for a batch of posts."""
    tokens = tokenize_posts(posts, analyzer)
    return tokens, match_groups(tokens, matcher)
