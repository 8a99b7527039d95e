"""Data contracts: the one source of truth for every zone table.

Glue tables (CDK), Athena DDL (`athena_queries/ddl/`), local DuckDB views and the
writers all derive from the `TableDef`s below, so no copy can drift from another.
Column names of the mart are the analysts' contract: add columns, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from cafelake.layout import MONTH_KEY, PARTITION_KEY, ZONES  # dt: YYYY-MM-DD, the KST post date; month: YYYY-MM

KST = "Asia/Seoul"
UTC_TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class TableDef:
    """A zone table: where it lives, its columns, how it is partitioned, what it means."""

    name: str
    zone: str
    schema: pa.Schema
    description: str
    partitioned: bool = True
    comments: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.zone not in ZONES:
            raise ValueError(f"{self.name}: unknown zone {self.zone!r}; zones are {', '.join(ZONES)}")

    @property
    def partition_keys(self) -> list[str]:
        """The folder keys (`month`); the day, `dt`, is a column of the files (`layout.py`)."""
        return [MONTH_KEY] if self.partitioned else []

    @property
    def location(self) -> str:
        """Path of the table below its zone root."""
        return self.name

    def empty(self) -> pa.Table:
        return self.schema.empty_table()


# Parquet min/max statistics sit in every file footer, which every query reads, but they let a
# filter skip a file or row group only on columns whose values cluster by it. Files and row groups
# hold whole days in dt order, so those are dt, the times and the ids (a cafe's article ids grow
# with time); on any other column a day's min/max spans nearly every value and skips nothing, so
# the writer leaves them out. dt's let a dashboard's period filter skip the other months' files.
STATISTICS_COLUMNS = frozenset(
    {PARTITION_KEY, "post_id", "article_id", "posted_at", "post_date", "fetched_at", "ingest_dt", "quarantined_at"}
)


def _schema(*cols: tuple[str, pa.DataType, str]) -> tuple[pa.Schema, dict[str, str]]:
    return pa.schema([pa.field(n, t) for n, t, _ in cols]), {n: c for n, _, c in cols}


# --- raw zone -----------------------------------------------------------------
# The raw envelope is JSON, not Parquet: see cafelake.raw for its contract.

# --- cleansed zone ------------------------------------------------------------
_POSTS, _POSTS_C = _schema(
    ("post_id", pa.string(), "stable post id: '<source>:<club_id>:<article_id>', e.g. 'naver_cafe:10050146:3500001'"),
    (
        "source",
        pa.string(),
        "source system the post lives in (post_id's first part), e.g. naver_cafe; also for a "
        "post imported from an export of it",
    ),
    ("club_id", pa.string(), "cafe id"),
    ("menu_id", pa.string(), "board id"),
    ("article_id", pa.int64(), "the source's article id"),
    ("url", pa.string(), "public URL of the article"),
    ("title", pa.string(), "cleansed title"),
    ("content", pa.string(), "cleansed body text"),
    ("question_text", pa.string(), "title and content merged, cleansed"),
    ("raw_date", pa.string(), "the date text as the source showed it: the article's, else the list item's"),
    ("posted_at", UTC_TS, "when it was posted (UTC-aware, hour kept); null if time_known is false"),
    ("post_date", pa.date32(), "post date in KST"),
    ("post_hour", pa.int32(), "post hour 0-23 in KST; null if time_known is false"),
    ("time_known", pa.bool_(), "false if the source showed only the day (24.04.29., 어제): no hour is invented"),
    ("author_key", pa.string(), "pseudonymised author (keyed HMAC)"),
    ("read_count", pa.int64(), "views at fetch time"),
    ("comment_count", pa.int64(), "comments at fetch time"),
    ("content_hash", pa.string(), "hash of question_text: unchanged posts are not re-tokenized"),
    (
        "fetched_at",
        UTC_TS,
        "when the kept version was fetched; null for a row of an export that does not say "
        "(such a version loses to any fetched one)",
    ),
    ("ingest_dt", pa.string(), "raw ingest date (YYYY-MM-DD) of the kept version"),
    (
        "text_truncated",
        pa.bool_(),
        "true if question_text (and content) were cut at max_text_chars (cleanse.yaml): a long post is kept, shortened",
    ),
)
POSTS = TableDef("posts", "cleansed", _POSTS, "Cleansed posts, one row per post (latest fetch).", comments=_POSTS_C)

_QUARANTINE, _QUARANTINE_C = _schema(
    ("ingest_dt", pa.string(), "raw ingest date of the record"),
    ("source_key", pa.string(), "raw object key the record came from"),
    ("line_no", pa.int64(), "1-based line in that object"),
    ("post_id", pa.string(), "post id if one could be read"),
    ("reason", pa.string(), "why it could not be used (a short code)"),
    ("detail", pa.string(), "human-readable detail"),
    (
        "payload",
        pa.string(),
        "the raw record, author identities replaced by pseudonyms; for a deleted, blind "
        "or private post only its ids and status; null for an unreadable object",
    ),
    ("quarantined_at", UTC_TS, "when the cleanse run quarantined it"),
)
QUARANTINE = TableDef(
    "_quarantine",
    "cleansed",
    _QUARANTINE,
    "Records the cleanse could not use, with the reason.",
    comments=_QUARANTINE_C,
)

# --- tokenized zone (the mart) -------------------------------------------------
_POSTS_DIM, _POSTS_DIM_C = _schema(
    ("post_id", pa.string(), "post id"),
    ("club_id", pa.string(), "cafe id"),
    ("menu_id", pa.string(), "board id"),
    ("url", pa.string(), "public URL"),
    ("title", pa.string(), "cleansed title"),
    ("content", pa.string(), "cleansed body"),
    ("question_text", pa.string(), "title and content merged, cleansed"),
    ("raw_date", pa.string(), "date text as the source showed it"),
    ("posted_at", UTC_TS, "posted instant, UTC-aware; null if time_known is false"),
    ("post_date", pa.date32(), "post date in KST"),
    ("post_hour", pa.int32(), "post hour 0-23 in KST; null if time_known is false"),
    ("time_known", pa.bool_(), "false if the source showed only the day: count hours over true rows"),
    ("post_year", pa.int32(), "year of post_date"),
    ("post_month", pa.int32(), "month of post_date"),
    ("author_key", pa.string(), "pseudonymised author"),
    ("read_count", pa.int64(), "views at fetch time"),
    ("comment_count", pa.int64(), "comments at fetch time"),
    ("token_count", pa.int32(), "kept token occurrences in tokens_fact"),
    ("content_hash", pa.string(), "hash of question_text"),
    (
        "baby_age_months",
        pa.int32(),
        "the baby's age in whole months as the text states it (생후 5개월, 100일, 돌, 4살); null if it states none "
        "(docs/text-analysis.md#the-babys-age)",
    ),
    (
        "baby_age_band",
        pa.string(),
        "baby_age_months as a band: 0 신생아 (<1), 01-03개월, 04-06개월, 07-12개월, 13-24개월, 25-36개월, "
        "37개월+; null if none",
    ),
)
POSTS_DIM = TableDef(
    "posts_dim", "tokenized", _POSTS_DIM, "One row per post: the mart's post dimension.", comments=_POSTS_DIM_C
)

_TOKENS, _TOKENS_C = _schema(
    ("post_id", pa.string(), "post id"),
    ("token_position", pa.int32(), "0-based position among the post's kept tokens"),
    ("token", pa.string(), "normalised form (lemma for VA/VV, synonyms mapped)"),
    ("token_pos", pa.string(), "part of speech (Kiwi tag without suffix)"),
    ("is_stopword", pa.bool_(), "true if on a stopword list (kept, flagged)"),
)
TOKENS_FACT = TableDef("tokens_fact", "tokenized", _TOKENS, "One row per kept token occurrence.", comments=_TOKENS_C)

_TOKEN_DAILY, _TOKEN_DAILY_C = _schema(
    ("token", pa.string(), "normalised form, as in tokens_fact"),
    ("token_pos", pa.string(), "part of speech"),
    ("is_stopword", pa.bool_(), "the tokens_fact stopword flag"),
    ("occurrences", pa.int64(), "the day's tokens_fact rows of the token"),
    ("posts", pa.int64(), "distinct posts using the token that day; additive over days (a post has one dt)"),
)
TOKEN_DAILY_COUNTS = TableDef(
    "token_daily_counts",
    "tokenized",
    _TOKEN_DAILY,
    "Token occurrences and posts per KST day: tokens_fact summed, written with it, for period top-token queries.",
    comments=_TOKEN_DAILY_C,
)

_GROUPS, _GROUPS_C = _schema(
    ("group_id", pa.int32(), "group id"),
    ("group_name", pa.string(), "group key, e.g. skin"),
    ("display_name", pa.string(), "Korean label, e.g. 피부"),
    ("description", pa.string(), "what the group covers"),
)
KEYWORD_GROUPS_DIM = TableDef(
    "keyword_groups_dim", "tokenized", _GROUPS, "Keyword groups (frames).", partitioned=False, comments=_GROUPS_C
)

_KEYWORDS, _KEYWORDS_C = _schema(
    ("keyword", pa.string(), "a token that puts a post in the group"),
    ("group_id", pa.int32(), "group id"),
    ("is_stopword", pa.bool_(), "true if the keyword is also a stopword"),
)
KEYWORDS_DICTIONARY = TableDef(
    "keywords_dictionary", "tokenized", _KEYWORDS, "Keyword to group map.", partitioned=False, comments=_KEYWORDS_C
)

_PKG, _PKG_C = _schema(
    ("post_id", pa.string(), "post id"),
    ("group_id", pa.int32(), "matched group"),
    ("matched_keywords", pa.list_(pa.string()), "the group's keywords found among the post's tokens"),
)
POST_KEYWORD_GROUPS = TableDef(
    "post_keyword_groups", "tokenized", _PKG, "One row per (post, matched group).", comments=_PKG_C
)

_PBP, _PBP_C = _schema(
    ("post_id", pa.string(), "post id"),
    ("part_id", pa.int32(), "body part id (keyword_groups.yaml body_parts; stable)"),
    ("part_name", pa.string(), "body part key, e.g. cheek"),
    ("display_name", pa.string(), "Korean label, e.g. 볼"),
    ("matched_keywords", pa.list_(pa.string()), "the part's keywords found among the post's tokens"),
)
POST_BODY_PARTS = TableDef(
    "post_body_parts", "tokenized", _PBP, "One row per (post, body part it names).", comments=_PBP_C
)

_TFIDF, _TFIDF_C = _schema(
    ("scope", pa.string(), "'all' or a group_name"),
    ("token", pa.string(), "token"),
    ("token_pos", pa.string(), "part of speech"),
    ("doc_freq", pa.int64(), "posts in scope containing the token"),
    ("term_freq", pa.int64(), "occurrences in scope"),
    ("tfidf_score", pa.float64(), "sum over the scope's posts of the L2-normalised TF-IDF weight"),
    ("rank", pa.int32(), "1 = first within the scope and ranking"),
    (
        "ranking",
        pa.string(),
        "what rank orders by: 'sum' (tfidf_score; tracks frequency) or 'mean' (mean_tfidf "
        "of the terms in enough posts, see docs/querying.md: the distinctive terms)",
    ),
    (
        "mean_tfidf",
        pa.float64(),
        "mean weight in the scope's posts that use the token, weighed on the board's scale "
        "('all' idf and norms); for 'all' tfidf_score / doc_freq",
    ),
)
TOKEN_TFIDF = TableDef(
    "token_tfidf",
    "tokenized",
    _TFIDF,
    "Top TF-IDF tokens per scope, two rankings.",
    partitioned=False,
    comments=_TFIDF_C,
)

TABLES: dict[str, TableDef] = {
    t.name: t
    for t in (
        POSTS,
        QUARANTINE,
        POSTS_DIM,
        TOKENS_FACT,
        TOKEN_DAILY_COUNTS,
        KEYWORD_GROUPS_DIM,
        KEYWORDS_DICTIONARY,
        POST_KEYWORD_GROUPS,
        TOKEN_TFIDF,
        POST_BODY_PARTS,
    )
}
# Tables exposed to Athena (the quarantine is an operator's table, not the analysts').
CATALOG_TABLES: tuple[TableDef, ...] = tuple(t for t in TABLES.values() if not t.name.startswith("_"))


def table(name: str) -> TableDef:
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(TABLES)}") from None


# Every Arrow type a table may hold, as Athena (Glue/Hive) and as DuckDB (the local engine) name it: one
# row per type, so a type the tables start using is given to both engines or to neither.
_SQL_TYPES = {
    pa.string(): ("string", "VARCHAR"),
    pa.int64(): ("bigint", "BIGINT"),
    pa.int32(): ("int", "INTEGER"),
    pa.bool_(): ("boolean", "BOOLEAN"),
    pa.float64(): ("double", "DOUBLE"),
    pa.date32(): ("date", "DATE"),
    UTC_TS: ("timestamp", "TIMESTAMPTZ"),
}
_ENGINES = ("Athena", "DuckDB")


def _sql_type(t: pa.DataType, engine: int) -> str:
    if pa.types.is_list(t):
        element = _sql_type(t.value_type, engine)
        return f"array<{element}>" if engine == 0 else f"{element}[]"
    try:
        return _SQL_TYPES[t][engine]
    except KeyError:
        raise TypeError(f"no {_ENGINES[engine]} type for {t}") from None


def athena_type(t: pa.DataType) -> str:
    """Glue/Athena (Hive) type of an Arrow type; the one mapping DDL and CDK both use."""
    return _sql_type(t, 0)


def duck_type(t: pa.DataType) -> str:
    """DuckDB type of an Arrow type, for the local engine's empty tables."""
    return _sql_type(t, 1)


DT_COMMENT = (
    "post date in KST, YYYY-MM-DD (the raw ingest date for the quarantine); files and row groups are sorted by it"
)
MONTH_COMMENT = "the month of dt, YYYY-MM: the folder (partition) the rows are stored in"


def athena_columns(tdef: TableDef) -> list[tuple[str, str, str]]:
    """(name, athena type, comment) of the data columns: dt among them (the month partition key excluded)."""
    cols = [(f.name, athena_type(f.type), tdef.comments.get(f.name, "")) for f in tdef.schema]
    return [*cols, (PARTITION_KEY, "string", DT_COMMENT)] if tdef.partitioned else cols


# Partition projection on month: a range that starts before any post and ends a day ahead of
# UTC "now", so the current KST month is always inside the range.
PROJECTION_START = "2015-01"


def projection_properties(location: str) -> dict[str, str]:
    """TBLPROPERTIES enabling partition projection on month for a table stored at `location`."""
    return {
        "projection.enabled": "true",
        f"projection.{MONTH_KEY}.type": "date",
        f"projection.{MONTH_KEY}.format": "yyyy-MM",
        f"projection.{MONTH_KEY}.range": f"{PROJECTION_START},NOW+1DAYS",
        f"projection.{MONTH_KEY}.interval": "1",
        f"projection.{MONTH_KEY}.interval.unit": "MONTHS",
        "storage.location.template": f"{location.rstrip('/')}/{MONTH_KEY}=${{{MONTH_KEY}}}/",
    }


def conform(tbl: pa.Table, tdef: TableDef) -> pa.Table:
    """Select and cast `tbl` to the table's schema (plus `dt` if partitioned); fail loudly on gaps."""
    missing = [f.name for f in tdef.schema if f.name not in tbl.column_names]
    if missing:
        raise ValueError(f"{tdef.name}: missing columns {missing}")
    cols = [tbl.column(f.name).cast(f.type) for f in tdef.schema]
    names = [f.name for f in tdef.schema]
    if tdef.partitioned:
        if PARTITION_KEY not in tbl.column_names:
            raise ValueError(f"{tdef.name}: missing partition column {PARTITION_KEY!r}")
        cols.append(tbl.column(PARTITION_KEY).cast(pa.string()))
        names.append(PARTITION_KEY)
    return pa.Table.from_arrays(cols, names=names)


def markdown() -> str:
    """The column tables of docs/data-model.md, generated so the document cannot drift."""
    out = []
    for t in TABLES.values():
        part = f", partitioned by `{MONTH_KEY}`, sorted by `{PARTITION_KEY}`" if t.partitioned else ""
        out.append(
            f"### `{t.zone}/{t.name}`\n\n{t.description} Parquet{part}.\n\n"
            "| column | type (Arrow / Athena) | meaning |\n|---|---|---|"
        )
        out += [
            f"| `{n}` | `{f}` / `{a}` | {c} |"
            for (n, a, c), f in zip(athena_columns(t), [*t.schema.types, pa.string()], strict=False)
        ]
        if t.partitioned:
            out.append(f"| `{MONTH_KEY}` | partition / `string` | {MONTH_COMMENT} |")
        out.append("")
    return "\n".join(out)
