"""`run_tokenize`: cleansed posts -> the mart, incrementally.

Only cleansed dt partitions whose files changed since the last run (a manifest under
`tokenized/_state/` lists each partition's files: the lake writes new file names on
every rewrite), or whose tokens have no daily counts yet, are processed. Within them a
post whose content_hash is unchanged keeps its tokens_fact rows and is not sent to Kiwi
again. Whole partitions are replaced, so a re-run never duplicates rows; dimensions and
TF-IDF are recomputed (cheap next to Kiwi). A changed configuration (dictionary,
stopwords, frames, Kiwi version) makes the run a full rebuild.

No reader, and no run that stops midway, sees a fact whose dimension row is missing: before a
batch's facts, posts_dim is given a row for every post they name (a new or changed post's with no
content_hash, so an interrupted run re-tokenizes it), and keyword_groups_dim every group old or new
facts name; the exact dimensions are written after the facts. The manifest is written last: a run
that stops midway leaves the old one, so the next run redoes what this one had not finished.
An unreadable mart file (truncated, corrupt) is deleted and the run becomes a full rebuild from the
cleansed posts; an unreadable cleansed file is the cleanse's to rebuild, and the run refuses.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from cafelake.errors import LakeError
from cafelake.lake import PARTITION_KEY, Lake
from cafelake.runs import Progress, new_run_id, utcnow, write_run
from cafelake.schemas import (
    KEYWORD_GROUPS_DIM,
    KEYWORDS_DICTIONARY,
    POST_BODY_PARTS,
    POST_KEYWORD_GROUPS,
    POSTS,
    POSTS_DIM,
    TOKEN_DAILY_COUNTS,
    TOKEN_TFIDF,
    TOKENS_FACT,
)
from cafelake.settings import Settings
from cafelake.tokenize.keywords import KeywordMatcher, groups_dim, keywords_dictionary
from cafelake.tokenize.mart import posts_dim, token_daily_counts
from cafelake.tokenize.stopwords import StopwordFlags
from cafelake.tokenize.tfidf import compute_tfidf
from cafelake.tokenize.transform import TOKENS_SCHEMA, match_body_parts, match_groups, tokenize_posts

MANIFEST_KEY = "_state/tokenize/manifest.json"
log = logging.getLogger(__name__)
# written in this order: posts_dim last
PARTITIONED = (TOKENS_FACT, TOKEN_DAILY_COUNTS, POST_KEYWORD_GROUPS, POST_BODY_PARTS, POSTS_DIM)


MART = (*PARTITIONED, KEYWORD_GROUPS_DIM, KEYWORDS_DICTIONARY, TOKEN_TFIDF)


@dataclass
class TokenizeSummary:
    run_id: str
    full: bool
    partitions_changed: int  # cleansed dt partitions (re)processed
    partitions_dropped: int  # mart partitions whose cleansed partition is gone
    posts_in: int  # posts in the changed partitions
    posts_tokenized: int  # sent to Kiwi
    posts_reused: int  # content_hash unchanged: tokens kept
    tokens: int  # tokens_fact rows written
    group_matches: int  # post_keyword_groups rows written
    body_part_matches: int  # post_body_parts rows written
    tfidf_rows: int
    seconds: float


@dataclass
class Plan:
    changed: list[str]
    dropped: list[str]
    files: dict[str, list[str]]
    config: str
    full: bool
    started: datetime  # when the run began (its run id and record say so)


def cleansed_files(lake: Lake) -> dict[str, list[str]]:
    """dt -> the version of cleansed/posts' day (`Lake.day_versions`): a changed one is re-tokenized,
    a day only moved into its month's file by compaction is not."""
    return {dt: [version] for dt, version in lake.day_versions(POSTS).items()}


def load_manifest(lake: Lake) -> dict:
    try:
        return json.loads(lake.get_bytes(TOKENS_FACT.zone, MANIFEST_KEY))
    except FileNotFoundError:
        return {}


def plan(lake: Lake, settings: Settings, full: bool = False) -> Plan:
    """Which cleansed partitions to (re)process and which mart partitions to drop."""
    started = utcnow()
    if bad := lake.unreadable_files(POSTS):
        raise LakeError(
            f"cleansed/posts has {len(bad)} unreadable file(s), e.g. {next(iter(bad))}: "
            "run `cafelake cleanse`, which rebuilds them from raw, then tokenize"
        )
    files = cleansed_files(lake)
    config = settings.tokenizer_fingerprint
    old = load_manifest(lake)
    if damaged := lake.discard_unreadable(MART):
        log.warning("rebuilding the mart: removed unreadable %s", "; ".join(f"{p} ({w})" for p, w in damaged.items()))
        full = True
    if old_layout := [t.name for t in PARTITIONED if lake.old_layout(t)]:
        log.warning("rebuilding the mart in the month layout (%s held day folders)", ", ".join(old_layout))
        full = True
    full = full or old.get("config") != config
    if full:
        changed = list(files)
        existing = set().union(*(lake.partitions(t) for t in PARTITIONED))
        dropped = sorted(existing - set(files))
    else:
        before = old.get("files", {})
        # tokens_fact partitions without their daily counts (a mart older than that table) are redone
        uncounted = set(lake.partitions(TOKENS_FACT)) - set(lake.partitions(TOKEN_DAILY_COUNTS))
        changed = [dt for dt, names in files.items() if before.get(dt) != names or dt in uncounted]
        dropped = sorted(set(before) - set(files))
    return Plan(changed, dropped, files, config, full, started)


def by_month(dts: list[str]) -> list[list[str]]:
    months: dict[str, list[str]] = {}
    for dt in sorted(dts):
        months.setdefault(dt[:7], []).append(dt)
    return list(months.values())


def count_rows(lake: Lake, tdef, dts: list[str]) -> int:
    """Rows of these partitions, a month of files at a time: one scan over every file would hold
    all their footers at once (~60 KB a file), memory that grows with the days in the lake."""
    return sum(d.count_rows() for month in by_month(dts) if (d := lake.dataset(tdef, dts=month)) is not None)


def _groups_of_partitions(lake: Lake, dts: list[str], target_rows: int) -> Iterator[pa.Table]:
    """Cleansed posts of whole partitions, read a month at a time, yielded once >= target_rows posts."""
    pending: list[pa.Table] = []
    rows = 0
    for month in by_month(dts):
        tbl = lake.read_table(POSTS, dts=month)
        pending.append(tbl)
        rows += tbl.num_rows
        if rows >= target_rows:
            yield pa.concat_tables(pending)
            pending, rows = [], 0
    if pending:
        yield pa.concat_tables(pending)


def _check_unique(posts: pa.Table) -> None:
    if posts.column("post_id").null_count:
        raise LakeError("cleansed/posts holds rows without post_id; re-run the cleanse with --full")
    if pc.count_distinct(posts.column("post_id")).as_py() != posts.num_rows:
        raise LakeError("cleansed/posts holds duplicate post_id values; re-run the cleanse with --full")


def write_replacing(lake: Lake, tdef, tbl: pa.Table, dts: set[str]) -> None:
    """Write `tbl`'s partitions and drop those of `dts` it no longer has rows for."""
    written = set(lake.write_table(tdef, tbl)) if tbl.num_rows else set()
    if gone := dts - written:
        lake.drop_partitions(tdef, sorted(gone))


def groups_dim_before_facts(lake: Lake, settings: Settings) -> None:
    """keyword_groups_dim as the union of the mart's and the configuration's groups, so that facts of either
    find their group while they are replaced (`finish` writes the configuration's alone)."""
    new = groups_dim(settings.keyword_groups)
    old = lake.read_table(KEYWORD_GROUPS_DIM)
    old = old.filter(pc.invert(pc.is_in(old.column("group_id"), new.column("group_id"))))
    lake.write_table(KEYWORD_GROUPS_DIM, pa.concat_tables([new, old.select(new.schema.names).cast(new.schema)]))


def posts_dim_before_facts(lake: Lake, dim: pa.Table, unchanged: pa.Array, dts: set[str]) -> None:
    """Give posts_dim a row for every post of `dim` (the batch's new rows) and keep the old rows of `dts`.

    Posts not in `unchanged` (post ids whose tokens are kept) get no content_hash, so until their final
    row is written they do not count as tokenized; old rows of posts now gone stay until the facts naming
    them are replaced.
    """
    old = lake.read_table(POSTS_DIM, dts=dts)
    old = old.filter(pc.invert(pc.is_in(old.column("post_id"), dim.column("post_id"))))
    same = pc.is_in(dim.column("post_id"), unchanged)
    hashes = pc.if_else(same, dim.column("content_hash"), pa.nulls(dim.num_rows, dim.schema.field("content_hash").type))
    pending = dim.set_column(dim.schema.get_field_index("content_hash"), "content_hash", hashes)
    lake.write_table(POSTS_DIM, pa.concat_tables([pending, old.select(pending.schema.names).cast(pending.schema)]))


def write_tokens(lake: Lake, tokens: pa.Table, dts: set[str], body_parts: KeywordMatcher) -> int:
    """tokens_fact, its daily counts and the body parts its tokens name, replacing the same partitions, so they
    always agree; the number of post_body_parts rows written."""
    write_replacing(lake, TOKENS_FACT, tokens, dts)
    write_replacing(lake, TOKEN_DAILY_COUNTS, token_daily_counts(tokens), dts)
    parts = match_body_parts(tokens, body_parts)
    write_replacing(lake, POST_BODY_PARTS, parts, dts)
    return parts.num_rows


def _tfidf_chunks(lake: Lake) -> Callable[[], Iterator[tuple[pa.Table, pa.Table]]]:
    """tokens_fact and post_keyword_groups a month of partitions at a time (posts never span chunks)."""
    months = by_month(lake.partitions(TOKENS_FACT))

    def chunks() -> Iterator[tuple[pa.Table, pa.Table]]:
        for dts in months:
            yield (
                lake.read_table(TOKENS_FACT, dts=dts, columns=["post_id", "token", "token_pos", "is_stopword"]),
                lake.read_table(POST_KEYWORD_GROUPS, dts=dts, columns=["post_id", "group_id"]),
            )

    return chunks


def write_posts_dim(lake: Lake, dts: list[str]) -> None:
    """posts_dim of partitions whose tokens_fact was written by another engine (Spark)."""
    for month in by_month(dts):
        posts = lake.read_table(POSTS, dts=month)
        _check_unique(posts)
        tokens = lake.read_table(TOKENS_FACT, dts=month, columns=["post_id", "token_position"])
        write_replacing(lake, POSTS_DIM, posts_dim(posts, tokens), set(month))


def finish(
    lake: Lake,
    settings: Settings,
    p: Plan,
    summary: TokenizeSummary,
    started: float,
    tfidf_progress: Progress | None = None,
) -> TokenizeSummary:
    """Dimensions, TF-IDF, the manifest and the run summary: what every engine does last.

    With the same configuration and no partition changed or dropped, the dimensions and TF-IDF in the
    mart are what they would be again: they are left as they are, so a run with nothing new writes no
    data (and readers never meet the moment a table is being replaced).
    """
    whole = (KEYWORD_GROUPS_DIM, KEYWORDS_DICTIONARY, TOKEN_TFIDF)
    if not (p.full or p.changed or p.dropped) and all(lake.dataset(t) is not None for t in whole):
        summary.tfidf_rows = lake.dataset(TOKEN_TFIDF).count_rows()
    else:
        cfg, groups = settings.tokenizer, settings.keyword_groups
        lake.write_table(KEYWORD_GROUPS_DIM, groups_dim(groups))
        lake.write_table(KEYWORDS_DICTIONARY, keywords_dictionary(groups, StopwordFlags(cfg).flag_any))
        tfidf = compute_tfidf(_tfidf_chunks(lake), groups, cfg.tfidf_top_n, tfidf_progress)
        lake.write_table(TOKEN_TFIDF, tfidf)
        summary.tfidf_rows = tfidf.num_rows
    if p.full:  # every day was rewritten in the month layout: the day folders of an older lake go
        for tdef in PARTITIONED:
            lake.remove_old_layout(tdef)
    summary.seconds = round(time.monotonic() - started, 3)
    # What the next run compares against, and nothing per run (the run record names the run): a run with
    # nothing new writes the same bytes.
    manifest = {"config": p.config, "files": p.files}
    lake.put_bytes(TOKENS_FACT.zone, MANIFEST_KEY, json.dumps(manifest, indent=1).encode())
    write_run(lake, "tokenize", summary.run_id, asdict(summary), started_at=p.started)
    return summary


def run_tokenize(
    lake: Lake,
    settings: Settings | None = None,
    *,
    full: bool = False,
    on_progress: Progress | None = None,
    tfidf_progress: Progress | None = None,
    run_id: str | None = None,
) -> TokenizeSummary:
    """Tokenize changed cleansed partitions and rebuild dimensions and TF-IDF (`settings.tokenizer`)."""
    from cafelake.tokenize.analyzer import analyzer

    start = time.monotonic()
    settings = settings or Settings.load()
    cfg = settings.tokenizer
    matcher, body_parts = KeywordMatcher(settings.keyword_groups), KeywordMatcher(settings.body_parts)
    p = plan(lake, settings, full)
    for tdef in PARTITIONED:
        lake.drop_partitions(tdef, p.dropped)
    if p.changed:
        groups_dim_before_facts(lake, settings)
    total = count_rows(lake, POSTS, p.changed)
    posts_in = tokenized = reused = n_tokens = n_groups = n_parts = 0
    if on_progress:
        on_progress(0, total)
    for posts in _groups_of_partitions(lake, p.changed, cfg.batch_size):
        _check_unique(posts)
        dts = set(posts.column(PARTITION_KEY).to_pylist())
        keep = pa.array([False] * posts.num_rows)
        old_tokens = TOKENS_SCHEMA.empty_table()
        if not p.full:
            key_cols = ["post_id", "content_hash", PARTITION_KEY]
            old = lake.read_table(POSTS_DIM, dts=dts, columns=key_cols)
            seen = set(zip(*(old.column(c).to_pylist() for c in key_cols), strict=True))
            keep = pa.array(
                [k in seen for k in zip(*(posts.column(c).to_pylist() for c in key_cols), strict=True)], pa.bool_()
            )
            old_tokens = lake.read_table(TOKENS_FACT, dts=dts)
            old_tokens = old_tokens.filter(
                pc.is_in(old_tokens.column("post_id"), value_set=posts.column("post_id").filter(keep))
            )
        todo = posts.filter(pc.invert(keep))
        parts = [old_tokens.select(TOKENS_SCHEMA.names).cast(TOKENS_SCHEMA)] if old_tokens.num_rows else []
        done = posts_in + posts.num_rows - todo.num_rows
        for i in range(0, todo.num_rows, cfg.batch_size):
            parts.append(tokenize_posts(todo.slice(i, cfg.batch_size), analyzer(cfg)))
            if on_progress:
                on_progress(done + min(i + cfg.batch_size, todo.num_rows), total)
        tokens = pa.concat_tables(parts) if parts else TOKENS_SCHEMA.empty_table()
        tokens = tokens.sort_by(
            [(PARTITION_KEY, "ascending"), ("post_id", "ascending"), ("token_position", "ascending")]
        )
        pkg = match_groups(tokens, matcher)
        dim = posts_dim(posts, tokens)
        posts_dim_before_facts(lake, dim, posts.column("post_id").filter(keep), dts)
        n_parts += write_tokens(lake, tokens, dts, body_parts)
        write_replacing(lake, POST_KEYWORD_GROUPS, pkg, dts)
        write_replacing(lake, POSTS_DIM, dim, dts)  # last: its hashes mark the commit
        posts_in += posts.num_rows
        tokenized += todo.num_rows
        reused += posts.num_rows - todo.num_rows
        n_tokens += tokens.num_rows
        n_groups += pkg.num_rows
        if on_progress:
            on_progress(posts_in, total)
    summary = TokenizeSummary(
        run_id or new_run_id(p.started),
        p.full,
        len(p.changed),
        len(p.dropped),
        posts_in,
        tokenized,
        reused,
        n_tokens,
        n_groups,
        n_parts,
        0,
        0.0,
    )
    return finish(lake, settings, p, summary, start, tfidf_progress)
