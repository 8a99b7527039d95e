"""The board's "too common to mean anything" nouns, derived from a lake's own mart.

A noun is a stopword candidate when it is both frequent and uninformative about the
keyword groups: used in at least `min_share` of the posts, at about the same rate in every
group. For each noun and each group g (with at least `min_group_posts` posts) the rate
r_g = posts of g using it / posts of g. Evenness is the entropy of the r_g normalised to
sum 1, divided by ln(number of groups): 1.0 is the same rate everywhere, and a group
keyword, used by all of its group and rarely elsewhere, scores low. Top lift is the highest
r_g over the noun's rate on the whole board: no group may lean on it more than `max_lift`
times. Spread (max r_g / min r_g) is shown, not used: one small group without the noun makes it
infinite. Suggestions go to a person: docs/text-analysis.md records which were kept and why.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from cafelake.config import KeywordGroup

# A chunk: tokens_fact rows (post_id, token, token_pos, is_stopword) and the post_keyword_groups
# rows (post_id, group_id) of the same, whole, posts (a month of partitions).
Chunk = tuple[pa.Table, pa.Table]


@dataclass(frozen=True)
class CommonWord:
    token: str
    pos: str
    posts: int  # posts that use it
    share: float  # posts that use it / posts with any token
    evenness: float  # 1.0 = the same rate in every group
    spread: float  # highest / lowest rate across groups (inf if a group never uses it)
    top_group: str  # the group where its rate is highest
    top_lift: float  # that rate / its rate over all posts
    is_stopword: bool  # flagged already
    is_keyword: bool  # a keyword of keyword_groups.yaml
    suggested: bool  # meets the thresholds and is neither flagged nor a keyword


def _count(tbl: pa.Table, keys: list[str], col: str = "posts", flag: str | None = None) -> pa.Table:
    """Rows per `keys` as `col` (or `col` summed, if `tbl` has it), with `flag` or-ed."""
    aggs = [(col, "sum") if col in tbl.column_names else ([], "count_all")] + ([(flag, "max")] if flag else [])
    out = tbl.group_by(keys).aggregate(aggs)
    names = {f"{col}_sum": col, "count_all": col, f"{flag}_max": flag}
    return out.rename_columns([names.get(n, n) for n in out.column_names])


def common_words(
    chunks: Callable[[], Iterable[Chunk]],
    groups: Sequence[KeywordGroup],
    *,
    pos: Sequence[str] = ("NNG", "NNP"),
    min_share: float = 0.02,
    min_group_posts: int = 50,
    min_evenness: float = 0.95,
    max_lift: float = 2.5,
) -> list[CommonWord]:
    """Every noun in >= `min_share` of the posts, with its spread over the groups; most used first."""
    n_posts = 0
    df_parts, size_parts, group_parts = [], [], []
    for tokens, pkg in chunks():
        n_posts += pc.count_distinct(tokens.column("post_id")).as_py()
        nouns = tokens.filter(pc.is_in(tokens.column("token_pos"), value_set=pa.array(list(pos))))
        pairs = nouns.group_by(["post_id", "token", "token_pos"]).aggregate([("is_stopword", "max")])
        pairs = pairs.rename_columns([n.removesuffix("_max") for n in pairs.column_names])  # a row per post and noun
        df_parts.append(_count(pairs, ["token", "token_pos"], flag="is_stopword"))
        member = pkg.group_by(["post_id", "group_id"]).aggregate([])
        size_parts.append(_count(member, ["group_id"]))
        joined = pairs.select(["post_id", "token", "token_pos"]).join(member, "post_id", join_type="inner")
        group_parts.append(_count(joined, ["token", "token_pos", "group_id"]))
    if not n_posts:
        return []
    df = _count(pa.concat_tables(df_parts), ["token", "token_pos"], flag="is_stopword")
    sizes = {r["group_id"]: r["posts"] for r in _count(pa.concat_tables(size_parts), ["group_id"]).to_pylist()}
    names = {g.group_id: g.group_name for g in groups}
    scored = sorted(gid for gid, n in sizes.items() if n >= min_group_posts and gid in names)
    per_group: dict[tuple[str, str], dict[int, int]] = {}
    for r in _count(pa.concat_tables(group_parts), ["token", "token_pos", "group_id"]).to_pylist():
        per_group.setdefault((r["token"], r["token_pos"]), {})[r["group_id"]] = r["posts"]
    keywords = {kw for g in groups for kw in g.keywords}
    out = []
    for r in df.to_pylist():
        posts = r["posts"]
        if posts < min_share * n_posts or not scored:
            continue
        key = (r["token"], r["token_pos"])
        rates = [per_group.get(key, {}).get(gid, 0) / sizes[gid] for gid in scored]
        evenness, spread = _evenness(rates), (max(rates) / min(rates) if min(rates) else math.inf)
        top = max(range(len(scored)), key=rates.__getitem__)
        lift = rates[top] / (posts / n_posts)
        flagged, keyword = bool(r["is_stopword"]), r["token"] in keywords
        out.append(
            CommonWord(
                r["token"],
                r["token_pos"],
                posts,
                posts / n_posts,
                evenness,
                spread,
                names[scored[top]],
                lift,
                flagged,
                keyword,
                evenness >= min_evenness and lift <= max_lift and not flagged and not keyword,
            )
        )
    return sorted(out, key=lambda w: (-w.posts, w.token))


def _evenness(rates: list[float]) -> float:
    """Entropy of the rates normalised to sum 1, over ln(len(rates)): 1.0 when all are equal."""
    total = sum(rates)
    if total == 0 or len(rates) < 2:
        return 0.0
    return -sum(p * math.log(p) for r in rates if (p := r / total) > 0) / math.log(len(rates))
