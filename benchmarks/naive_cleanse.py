"""The cleanse rules written the obvious way: pandas `.apply` per row, Python `re`, no Arrow.

The baseline for bench_cleanse. It implements the same rules as `cafelake.cleanse.transform`
(same whitelist, same date forms, same checks, same HMAC and hash, same version order)
as a careful engineer would without vectorising: one Python call per row and field.
It reuses the per-row helpers that are per-row in the real pipeline too (the text-date
parser for the rare non-epoch forms, the HMAC function), so only the vectorisable
work differs. HTML goes through regex plus `html.unescape` (cheaper than BeautifulSoup,
so the baseline is not handicapped), with lxml for the same hard-markup rows.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from cafelake.cleanse.authors import pseudonym
from cafelake.cleanse.dates import CLOCK_SKEW, EARLIEST, DateError, parse_text_date
from cafelake.cleanse.text import _BLOCKS, _DROP, html_to_text

KST = ZoneInfo("Asia/Seoul")
_BLOCK_TAG = re.compile(r"</?(?:" + "|".join(sorted(_BLOCKS)) + r")(?:\s[^<>]*)?/?>", re.I)
_SIMPLE_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_HARD = re.compile(r"<(?:!|\?|(?:" + "|".join(_DROP) + r")\b)", re.I)
_DECOMPOSED = re.compile("[\u0300-\u036f\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff]")
_BREAKS = re.compile("\r\n|[\r\u2028\u2029\u0085\u000b\u000c]")
_GLUE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\U000e0000-\U000e0fff]"
)
_PUNCT = r".,!?'\"()\[\]\-:/%~+=*#@_\^"


def _disallowed(keep_jamo: bool) -> re.Pattern:
    jamo = "\u3131-\u318e" if keep_jamo else ""
    return re.compile(f"[^\uac00-\ud7a3{jamo}A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff{_PUNCT} \\n]+")


def html_text(markup):
    if markup is None or (isinstance(markup, float) and pd.isna(markup)):
        return ""
    stripped = _SIMPLE_TAG.sub("", _BLOCK_TAG.sub("\n", markup))
    if _HARD.search(markup) or "<" in stripped or ">" in stripped:
        return html_to_text(markup)
    return html.unescape(stripped) if "&" in stripped else stripped


def clean(text, keep_jamo=True, single_line=False):
    if _DECOMPOSED.search(text):
        text = unicodedata.normalize("NFC", text)
    text = _BREAKS.sub("\n", text)
    text = _GLUE.sub("", text)
    text = _disallowed(keep_jamo).sub(" ", text)
    if single_line:
        text = text.replace("\n", " ")
    text = re.sub(" {2,}", " ", text)
    text = re.sub(" ?\n[ \n]*", "\n", text)
    return text.strip(" \n")


def parse_date(row):
    """(posted_at or None, KST day, reason) for one row; a day without a time takes the time of the
    other date field if that falls on the same day. raw_date stays the primary field's text."""
    posted, day, reason = _one_date(row["raw_date"], row["fetched_at"])
    alt = row["raw_date_alt"]
    if posted is None and day is not None and isinstance(alt, str):
        other, other_day, _ = _one_date(alt, row["fetched_at"])
        if other is not None and other_day == day:
            return other, day, None
    return posted, day, reason


def _one_date(text, fetched_at):
    if not isinstance(text, str):
        return None, None, "missing_date"
    latest = fetched_at.to_pydatetime() + CLOCK_SKEW
    if re.fullmatch(r"\d{1,15}", text):
        posted = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(text))
    else:
        try:
            posted = parse_text_date(text, fetched_at.to_pydatetime())
        except DateError as exc:
            return None, None, exc.reason
    if not isinstance(posted, datetime):  # a day without a time of day
        if posted < EARLIEST.date() or posted > latest.astimezone(KST).date():
            return None, None, "date_out_of_range"
        return None, posted, None
    if posted < EARLIEST or posted > latest:
        return None, None, "date_out_of_range"
    return posted.astimezone(UTC), posted.astimezone(KST).date(), None


def author(row, key):
    member, nick = row["member_key"], row["nickname"]
    if isinstance(member, str) and member:
        return pseudonym("m:" + member, key)
    if isinstance(nick, str) and nick:
        return pseudonym("n:" + nick, key)
    return None


def cleanse(cand: pd.DataFrame, key: bytes, max_chars: int = 50_000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidate rows (the DataFrame of `RawRecords.candidates()`) to (posts, quarantine), row by row."""
    df = cand.copy()
    dates = df.apply(parse_date, axis=1)
    df["posted_at"] = dates.apply(lambda d: d[0])
    df["post_date"] = dates.apply(lambda d: d[1])
    df["reason"] = dates.apply(lambda d: d[2])
    df["title"] = df["title_html"].apply(html_text).apply(lambda t: clean(t, single_line=True))
    df["content"] = df["content_html"].apply(html_text).apply(clean)
    df["question_text"] = df.apply(lambda r: "\n".join(x for x in (r["title"], r["content"]) if x), axis=1)
    df["text_truncated"] = df["question_text"].apply(len) > max_chars  # a long post is cut and kept
    for col in ("question_text", "content"):
        df[col] = df[col].apply(lambda t: t[:max_chars].rstrip() if len(t) > max_chars else t)
    df["reason"] = df.apply(
        lambda r: r["reason"] if isinstance(r["reason"], str) else "empty_text" if not r["question_text"] else None,
        axis=1,
    )
    bad = df["reason"].apply(lambda r: isinstance(r, str))
    quarantine = df[bad][["ingest_dt", "source_key", "line_no", "post_id", "reason", "payload"]]
    posts = df[~bad].copy()
    posts["time_known"] = posts["posted_at"].apply(lambda t: not pd.isna(t))
    posts["post_hour"] = posts["posted_at"].apply(lambda t: None if pd.isna(t) else t.astimezone(KST).hour)
    posts["dt"] = posts["post_date"].apply(lambda d: d.isoformat())
    posts["author_key"] = posts.apply(lambda r: author(r, key), axis=1)
    posts["content_hash"] = posts["question_text"].apply(lambda t: hashlib.sha256(t.encode("utf-8")).hexdigest())
    posts["url"] = posts.apply(
        lambda r: f"https://cafe.naver.com/ca-fe/cafes/{r['club_id']}/articles/{r['article_id']}", axis=1
    )
    posts = posts.sort_values(["post_id", "fetched_at", "ingest_dt", "source_key", "line_no"])
    posts = posts.drop_duplicates("post_id", keep="last")
    return posts.drop(
        columns=["title_html", "content_html", "payload", "reason", "raw_date_alt", "member_key", "nickname"]
    ), quarantine
