"""The per-batch transform shared by the single-process job and the Spark path.

Posts (post_id, question_text, dt) in; tokens_fact and post_keyword_groups rows out,
as Arrow tables. Nothing here knows where the posts came from or where rows go.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from cafelake.schemas import POST_KEYWORD_GROUPS, TOKENS_FACT
from cafelake.tokenize.analyzer import Analyzer
from cafelake.tokenize.keywords import KeywordMatcher

TOKENS_SCHEMA = TOKENS_FACT.schema.append(pa.field("dt", pa.string()))
GROUPS_SCHEMA = POST_KEYWORD_GROUPS.schema.append(pa.field("dt", pa.string()))


def tokenize_posts(posts: pa.Table | pa.RecordBatch, analyzer: Analyzer) -> pa.Table:
    """tokens_fact rows (with dt) for the posts, in post order then token position."""
    ids = posts.column("post_id").to_pylist()
    dts = posts.column("dt").to_pylist()
    post_col, pos_col, tok_col, tag_col, stop_col, dt_col = [], [], [], [], [], []
    for post_id, dt, kept in zip(ids, dts, analyzer.tokenize(posts.column("question_text").to_pylist()),
                                 strict=True):
        n = len(kept)
        if not n:
            continue
        toks, tags, stops = zip(*kept, strict=True)
        post_col += [post_id] * n
        pos_col += range(n)
        tok_col += toks
        tag_col += tags
        stop_col += stops
        dt_col += [dt] * n
    return pa.Table.from_arrays(
        [pa.array(post_col, pa.string()), pa.array(pos_col, pa.int32()), pa.array(tok_col, pa.string()),
         pa.array(tag_col, pa.string()), pa.array(stop_col, pa.bool_()), pa.array(dt_col, pa.string())],
        schema=TOKENS_SCHEMA)


def match_groups(tokens: pa.Table, matcher: KeywordMatcher) -> pa.Table:
    """post_keyword_groups rows (with dt) from tokens_fact rows: only keyword tokens are looked at."""
    hits = tokens.filter(pc.is_in(tokens.column("token"), value_set=pa.array(list(matcher.index), pa.string())))
    per_post: dict[tuple[str, str], list[str]] = {}
    for post_id, token, dt in zip(hits.column("post_id").to_pylist(), hits.column("token").to_pylist(),
                                  hits.column("dt").to_pylist(), strict=True):
        per_post.setdefault((post_id, dt), []).append(token)
    rows = [{"post_id": post_id, "group_id": gid, "matched_keywords": kws, "dt": dt}
            for (post_id, dt), toks in sorted(per_post.items())
            for gid, kws in matcher.match(toks).items()]
    return pa.Table.from_pylist(rows, schema=GROUPS_SCHEMA)


def transform(posts: pa.Table | pa.RecordBatch, analyzer: Analyzer, matcher: KeywordMatcher) -> tuple[pa.Table, pa.Table]:
    """(tokens_fact, post_keyword_groups) rows for a batch of posts."""
    tokens = tokenize_posts(posts, analyzer)
    return tokens, match_groups(tokens, matcher)
