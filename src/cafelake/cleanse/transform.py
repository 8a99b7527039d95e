"""The pure core: candidate rows (Arrow) in, cleansed posts and quarantine rows out.

Knows nothing of objects, S3 or Glue. Vectorised over the whole batch except the two
things that have no vector form: HTML parsing and hashing (per row, in C).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cafelake.cleanse import dates
from cafelake.cleanse.authors import author_keys
from cafelake.cleanse.records import TOMBSTONE
from cafelake.cleanse.text import clean_text, html_to_text_array, merge_question
from cafelake.lake import PARTITION_KEY
from cafelake.schemas import POSTS, QUARANTINE, UTC_TS

# Columns that order versions of a post: a later fetch wins (an unknown fetch time, an export's, loses to any
# known one: nulls sort last); ties go to the later object/line.
ORDER = [("fetched_at", "ascending"), ("ingest_dt", "ascending"), ("source_key", "ascending"), ("line_no", "ascending")]
POSTS_WORK = (
    POSTS.schema.append(pa.field(PARTITION_KEY, pa.string()))
    .append(pa.field("source_key", pa.string()))
    .append(pa.field("line_no", pa.int64()))
)


@dataclass(frozen=True)
class CleanseConfig:
    """Tunable rules, set in config/cleanse.yaml (see settings.py); the defaults are that file's.
    `max_text_chars` bounds the cleansed question_text and content: a longer post is cut there, kept and
    flagged `text_truncated` (a pasted document is still a question someone asked)."""

    keep_jamo: bool = True
    max_text_chars: int = 50_000


@dataclass
class Cleansed:
    posts: pa.Table  # POSTS columns + dt + source_key, line_no (the version order)
    quarantine: pa.Table  # QUARANTINE columns


def _dates_with_fallback(cand: pa.Table, now: datetime) -> dates.ParsedDates:
    """Parse raw_date; where it gives only a day, take the time from the record's other date
    field if that has one on the same day. raw_date stays the text the primary field showed."""
    fetched = cand.column("fetched_at").combine_chunks()
    first = dates.parse_dates(cand.column("raw_date"), fetched, now)
    alt_raw = cand.column("raw_date_alt").combine_chunks()
    retry = pc.and_(pc.and_(pc.is_null(first.posted_at), pc.is_valid(first.post_date)), pc.is_valid(alt_raw))
    if not pc.any(retry).as_py():
        return first
    idx = pc.indices_nonzero(retry)
    alt = dates.parse_dates(alt_raw.take(idx), fetched.take(idx), now)
    same_day = pc.fill_null(pc.equal(alt.post_date, first.post_date.take(idx)), False)
    ok = pc.and_(pc.is_valid(alt.posted_at), same_day)
    use = pc.replace_with_mask(pa.array([False] * len(fetched)), retry, ok)
    posted = pc.replace_with_mask(first.posted_at, use, alt.posted_at.filter(ok))
    return dates.ParsedDates(posted, first.post_date, first.reason, first.detail)


def _sha256(values: pa.Array) -> pa.Array:
    """Hex SHA-256 of each UTF-8 string of a null-free array.

    Hashes slices of the Arrow data buffer (no Python string or bytes object per row) and
    hex-encodes all digests in one call, laid out as fixed 64-character strings.
    """
    n = len(values)
    if n == 0:  # an empty array may come without an offsets buffer
        return pa.array([], pa.string())
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset : values.offset + n + 1].tolist()
    data = memoryview(values.buffers()[2] or b"")
    sha256 = hashlib.sha256
    digests = b"".join([sha256(data[start:end]).digest() for start, end in pairwise(offsets)])
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(np.arange(0, 64 * n + 1, 64, dtype=np.int32)), pa.py_buffer(digests.hex().encode("ascii"))
    )


def _visible_text(values: pa.ChunkedArray, is_html: pa.ChunkedArray) -> pa.Array:
    """The text a reader sees: HTML rows through the HTML path, plain-text rows (an export's) as they are
    (a `<` in plain text is a less-than sign, and its line breaks are line breaks)."""
    values, is_html = values.combine_chunks(), pc.fill_null(is_html.combine_chunks(), True)
    html_rows = pc.sum(is_html).as_py() or 0
    if html_rows == len(values):
        return html_to_text_array(values)
    if html_rows == 0:
        return values
    return pc.replace_with_mask(values, is_html, html_to_text_array(values.filter(is_html)))


def truncate(text: pa.Array, max_chars: int) -> pa.Array:
    """At most `max_chars` characters of each row, trailing whitespace dropped.

    Cleansed text is NFC and holds only whitelisted characters (`clean_text`): precomposed
    Hangul, compatibility jamo, Latin letters, digits, punctuation, spaces and line breaks,
    none of them combining. So a code point is a whole character (a grapheme), and Arrow
    slices whole code points (UTF-8 has no surrogate halves): a cut never splits one.
    """
    cut = pc.utf8_slice_codeunits(text, 0, max_chars)
    return pc.if_else(pc.greater(pc.utf8_length(text), max_chars), pc.utf8_rtrim_whitespace(cut), text)


def cleanse(
    cand: pa.Table, *, key: bytes, quarantined_at: datetime, config: CleanseConfig = CleanseConfig()
) -> Cleansed:
    """Dates, text, pseudonyms and checks over a batch of candidate rows (records.CANDIDATE)."""
    parsed = _dates_with_fallback(cand, quarantined_at)
    is_html = cand.column("is_html")
    title = clean_text(_visible_text(cand.column("title"), is_html), keep_jamo=config.keep_jamo, single_line=True)
    content = clean_text(_visible_text(cand.column("content"), is_html), keep_jamo=config.keep_jamo)
    question = merge_question(title, content)
    truncated = pc.greater(pc.utf8_length(question), config.max_text_chars)
    question, content = truncate(question, config.max_text_chars), truncate(content, config.max_text_chars)
    empty = pc.equal(pc.utf8_length(question), 0)
    reason = pc.coalesce(parsed.reason, pc.if_else(empty, "empty_text", None))
    detail = pc.coalesce(parsed.detail, pc.if_else(empty, "no text left after cleansing", None))
    good = pc.is_null(reason)

    bad = cand.filter(pc.invert(good))
    quarantine = pa.table(
        {
            "ingest_dt": bad.column("ingest_dt"),
            "source_key": bad.column("source_key"),
            "line_no": bad.column("line_no"),
            "post_id": bad.column("post_id"),
            "reason": reason.filter(pc.invert(good)),
            "detail": detail.filter(pc.invert(good)),
            "payload": bad.column("payload"),
            "quarantined_at": pa.array([quarantined_at] * bad.num_rows, type=UTC_TS),
        },
        schema=QUARANTINE.schema,
    )

    keep = cand.drop_columns(["payload", "title", "content"]).filter(good)
    posted_ok = parsed.posted_at.filter(good)
    question_ok = question.filter(good)
    post_date = parsed.post_date.filter(good)
    post_hour = dates.kst_date_hour(posted_ok)[1]
    dt = pc.cast(post_date, pa.string())  # YYYY-MM-DD, as strftime would write it at a tenth of the cost
    posts = pa.table(
        {
            "post_id": keep.column("post_id"),
            "source": keep.column("source"),
            "club_id": keep.column("club_id"),
            "menu_id": keep.column("menu_id"),
            "article_id": keep.column("article_id"),
            "url": keep.column("url"),
            "title": title.filter(good),
            "content": content.filter(good),
            "question_text": question_ok,
            "raw_date": keep.column("raw_date"),
            "posted_at": posted_ok,
            "post_date": post_date,
            "post_hour": post_hour,
            "time_known": pc.is_valid(posted_ok),
            "author_key": author_keys(
                keep.column("author_id").combine_chunks(), keep.column("author_name").combine_chunks(), key
            ),
            "read_count": keep.column("read_count"),
            "comment_count": keep.column("comment_count"),
            "content_hash": _sha256(question_ok),
            "fetched_at": keep.column("fetched_at"),
            "ingest_dt": keep.column("ingest_dt"),
            "text_truncated": truncated.filter(good),
            PARTITION_KEY: dt,
            "source_key": keep.column("source_key"),
            "line_no": keep.column("line_no"),
        },
        schema=POSTS_WORK,
    )
    return Cleansed(posts, quarantine)


def latest(posts: pa.Table, tombstones: pa.Table) -> pa.Table:
    """One row per post: its latest version, unless a later tombstone removes the post.

    `posts` has POSTS_WORK columns, `tombstones` TOMBSTONE columns; both are ordered the
    same way (ORDER), and a tombstone wins only a complete tie (privacy first).
    """
    marks = pa.table(
        {
            "post_id": pa.concat_arrays(
                [posts.column("post_id").combine_chunks(), tombstones.column("post_id").combine_chunks()]
            ),
            "fetched_at": pa.concat_arrays(
                [posts.column("fetched_at").combine_chunks(), tombstones.column("fetched_at").combine_chunks()]
            ),
            "ingest_dt": pa.concat_arrays(
                [posts.column("ingest_dt").combine_chunks(), tombstones.column("ingest_dt").combine_chunks()]
            ),
            "source_key": pa.concat_arrays(
                [posts.column("source_key").combine_chunks(), tombstones.column("source_key").combine_chunks()]
            ),
            "line_no": pa.concat_arrays(
                [posts.column("line_no").combine_chunks(), tombstones.column("line_no").combine_chunks()]
            ),
            "is_tomb": pa.array([False] * posts.num_rows + [True] * tombstones.num_rows, pa.bool_()),
            "row": pa.concat_arrays(
                [pa.array(np.arange(posts.num_rows, dtype=np.int64)), pa.nulls(tombstones.num_rows, pa.int64())]
            ),
        }
    )
    order = marks.sort_by([("post_id", "ascending"), *[(c, "descending") for c, _ in ORDER], ("is_tomb", "descending")])
    ids = order.column("post_id").combine_chunks()
    first = pa.concat_arrays(
        [
            pa.array([True] * min(1, len(ids)), pa.bool_()),
            pc.not_equal(ids[1:], ids[:-1]) if len(ids) > 1 else pa.array([], pa.bool_()),
        ]
    )
    winners = order.filter(first)
    rows = winners.filter(pc.invert(winners.column("is_tomb"))).column("row")
    return posts.take(rows)


def latest_tombstones(tombstones: pa.Table) -> pa.Table:
    """The latest tombstone per post (all a later run needs to know)."""
    if tombstones.num_rows == 0:
        return TOMBSTONE.empty_table()
    order = tombstones.sort_by([("post_id", "ascending"), *[(c, "descending") for c, _ in ORDER]])
    ids = order.column("post_id").combine_chunks()
    first = pa.concat_arrays([pa.array([True]), pc.not_equal(ids[1:], ids[:-1])])
    return order.filter(first)
