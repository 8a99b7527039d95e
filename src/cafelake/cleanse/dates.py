"""Post dates in every form the source shows, to a UTC instant with the hour kept.

About 98 % of records carry epoch milliseconds: those are parsed in one vectorised
pass. The rest are text the web pages render (`2024.03.05. 21:13`, `21:13`, `오후 9:13`,
`3시간 전`, `어제 21:13`, ...), parsed per row relative to the fetch time in KST.

A form without a time of day (`24.04.29.`, `어제`, `3일 전`) still gives the day, so the
post is kept, but it is never given an invented hour: midnight would plant a false 00 h
peak in the hour-of-day analysis the pipeline exists for. Such a row has `post_date`
and a null `posted_at`; the caller first tries the record's other date field for the
time. Text that gives no day at all is quarantined: `unparseable_date`, or
`date_without_day` for `3개월 전`/`1년 전` (the source rounds those, so the day is unknown).

A record whose fetch time is unknown (a row of an export) can still carry an absolute date;
a relative one (`21:13`, `어제`, `3시간 전`) is quarantined as `date_needs_fetch_time`, since
nothing says which day it was read on, and the latest a post can be dated is the cleanse
run's own time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from cafelake.schemas import KST, UTC_TS

_KST = ZoneInfo(KST)
# Naver Cafe opened in 2003; anything earlier is a unit mistake (e.g. epoch seconds).
EARLIEST = datetime(2003, 1, 1, tzinfo=_KST)
# A post cannot be younger than its fetch; allow for the two clocks disagreeing a little.
CLOCK_SKEW = timedelta(hours=1)
# Relative texts count from the page's render, which precedes its fetch: a page fetched at
# 00:00:00 sharp (the sample corpus's as_of) shows the day before as "today".
RENDERED_BEFORE = timedelta(microseconds=1)

MISSING, UNPARSEABLE, NO_DAY, OUT_OF_RANGE = "missing_date", "unparseable_date", "date_without_day", "date_out_of_range"
NEEDS_FETCH_TIME = "date_needs_fetch_time"

_EPOCH_MS = r"^\d{1,15}$"
_AMPM = {"오전": 0, "AM": 0, "am": 0, "오후": 12, "PM": 12, "pm": 12}
_ABSOLUTE = re.compile(
    r"(?P<y>\d{4}|\d{2})\s*[.\-/]\s*(?P<m>\d{1,2})\s*[.\-/]\s*(?P<d>\d{1,2})\.?"
    r"(?:[\sT]+(?:(?P<ap>오전|오후|AM|PM|am|pm)\s*)?(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
)
_CLOCK = re.compile(
    r"(?:(?P<day>어제|오늘)\s*)?(?:(?P<ap>오전|오후|AM|PM|am|pm)\s*)?"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
)
_AGO = re.compile(r"(?P<n>\d+)\s*(?P<unit>초|분|시간|일|주|개월|달|년)\s*전")
_AGO_UNITS = {"초": timedelta(seconds=1), "분": timedelta(minutes=1), "시간": timedelta(hours=1)}
_AGO_DAYS = {"일": 1, "주": 7}
_DAY_ONLY = {"오늘": 0, "어제": 1, "그제": 2, "그저께": 2}
_JUST_NOW = re.compile(r"방금(?:\s*전)?|지금")
_ISO_ZONED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})")


class DateError(ValueError):
    """A date text that cannot become an instant; `reason` is the quarantine code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def _hour(h: str, ampm: str | None) -> int:
    hour = int(h)
    if ampm is None:
        return hour
    if not 1 <= hour <= 12:
        raise DateError(UNPARSEABLE, f"hour {hour} with {ampm}")
    return hour % 12 + _AMPM[ampm]


def _at(day: date, hour: int, minute: int, second: int) -> datetime:
    try:
        return datetime.combine(day, time(hour, minute, second), _KST)
    except ValueError as exc:
        raise DateError(UNPARSEABLE, str(exc)) from None


def parse_text_date(text: str, fetched_at: datetime | None) -> datetime | date:
    """One non-epoch date text to an aware instant, or to a KST day (a `date`, not a
    `datetime`) when the text has no time of day; relative to `fetched_at` where the text is
    (None: the fetch time is unknown, and a relative text cannot be dated).

    Raises DateError (and only DateError) with the quarantine reason.
    """
    try:
        return _parse_text_date(text, fetched_at)
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, DateError):
            raise
        raise DateError(UNPARSEABLE, f"{text[:80]!r}: {exc}") from None


def _parse_text_date(text: str, fetched_at: datetime | None) -> datetime | date:
    s = text.strip()
    if not s:
        raise DateError(MISSING, "empty date text")
    if _ISO_ZONED.fullmatch(s):
        return datetime.fromisoformat(s)
    if m := _ABSOLUTE.fullmatch(s):
        year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
        try:
            day = date(year, int(m["m"]), int(m["d"]))
        except ValueError as exc:
            raise DateError(UNPARSEABLE, f"{s!r}: {exc}") from None
        if m["H"] is None:
            return day
        return _at(day, _hour(m["H"], m["ap"]), int(m["M"]), int(m["S"] or 0))
    ago = _AGO.fullmatch(s)
    if ago and ago["unit"] not in _AGO_UNITS and ago["unit"] not in _AGO_DAYS:
        raise DateError(NO_DAY, f"{s!r} gives neither a day nor a time of day")
    if not (ago or _CLOCK.fullmatch(s) or _JUST_NOW.fullmatch(s) or s in _DAY_ONLY):
        raise DateError(UNPARSEABLE, f"unknown date form {s[:80]!r}")
    if fetched_at is None:
        raise DateError(
            NEEDS_FETCH_TIME, f"{s[:80]!r} counts from when the page was read, which the record does not say"
        )
    today = (fetched_at - RENDERED_BEFORE).astimezone(_KST).date()
    if m := _CLOCK.fullmatch(s):
        day = today - timedelta(days=1 if m["day"] == "어제" else 0)
        posted = _at(day, _hour(m["H"], m["ap"]), int(m["M"]), int(m["S"] or 0))
        if m["day"] is None and posted > fetched_at + CLOCK_SKEW:
            posted -= timedelta(days=1)  # rendered just before midnight, fetched just after
        return posted
    if ago:
        if ago["unit"] in _AGO_UNITS:
            return fetched_at - int(ago["n"]) * _AGO_UNITS[ago["unit"]]
        return today - timedelta(days=int(ago["n"]) * _AGO_DAYS[ago["unit"]])
    if _JUST_NOW.fullmatch(s):
        return fetched_at
    return today - timedelta(days=_DAY_ONLY[s])


@dataclass(frozen=True)
class ParsedDates:
    """Per row: the instant (null where the time of day is unknown), the KST day, and why neither."""

    posted_at: pa.Array  # UTC_TS
    post_date: pa.Array  # date32; null exactly where reason is set
    reason: pa.Array
    detail: pa.Array


def parse_dates(raw: pa.Array, fetched_at: pa.Array, now: datetime) -> ParsedDates:
    """Date texts (epoch ms or any text form) to instants and KST days.

    `fetched_at` may be null where the fetch time is unknown; `now` (the run's time) then bounds
    the date instead. Epoch ms is vectorised; only the other rows go through `parse_text_date`.
    """
    raw = raw.combine_chunks() if isinstance(raw, pa.ChunkedArray) else raw
    fetched_at = fetched_at.combine_chunks() if isinstance(fetched_at, pa.ChunkedArray) else fetched_at
    is_ms = pc.fill_null(pc.match_substring_regex(raw, _EPOCH_MS), False)
    ms = pc.cast(pc.if_else(is_ms, raw, None), pa.int64())
    posted = pc.cast(pc.cast(ms, pa.timestamp("ms", tz="UTC")), UTC_TS)
    n = len(raw)
    reasons: list[str | None] = [None] * n
    details: list[str | None] = [None] * n
    days: list[date | None] = [None] * n  # the days of texts without a time of day
    others = pc.indices_nonzero(pc.invert(is_ms)).to_pylist()
    if others:
        texts, fetched = raw.take(others).to_pylist(), fetched_at.take(others).to_pylist()
        parsed: list[datetime | None] = []
        for i, text, at in zip(others, texts, fetched, strict=True):
            try:
                if text is None:
                    raise DateError(MISSING, "no date in the record")
                value = parse_text_date(text, at)
            except DateError as exc:
                reasons[i], details[i], value = exc.reason, str(exc), None
            if isinstance(value, datetime) or value is None:
                parsed.append(value)
            else:
                parsed.append(None)
                days[i] = value
        posted = pc.replace_with_mask(posted, pc.invert(is_ms), pa.array(parsed, type=UTC_TS))
    post_date = pc.coalesce(kst_date_hour(posted)[0], pa.array(days, pa.date32()))
    bound = pc.fill_null(fetched_at, pa.scalar(now, UTC_TS)) if fetched_at.null_count else fetched_at
    latest = pc.add(bound, pa.scalar(CLOCK_SKEW, pa.duration("us")))
    too_early = pc.less(post_date, pa.scalar(EARLIEST.date(), pa.date32()))
    too_late = pc.if_else(
        pc.is_valid(posted), pc.greater(posted, latest), pc.greater(post_date, kst_date_hour(latest)[0])
    )
    bad_range = pc.fill_null(pc.or_(too_early, too_late), False)
    if pc.any(bad_range).as_py():
        for i in pc.indices_nonzero(bad_range).to_pylist():
            shown = posted[i].as_py() or post_date[i].as_py()
            reasons[i] = OUT_OF_RANGE
            details[i] = f"{raw[i].as_py()!r} is {shown.isoformat()}, outside {EARLIEST.date()}..fetch time"
        posted = pc.if_else(bad_range, pa.scalar(None, UTC_TS), posted)
        post_date = pc.if_else(bad_range, pa.scalar(None, pa.date32()), post_date)
    return ParsedDates(posted, post_date, pa.array(reasons, type=pa.string()), pa.array(details, type=pa.string()))


def kst_date_hour(posted_at: pa.Array) -> tuple[pa.Array, pa.Array]:
    """post_date (date32) and post_hour (int32) in Asia/Seoul."""
    local = pc.cast(posted_at, pa.timestamp("us", tz=KST))
    return pc.cast(pc.local_timestamp(local), pa.date32()), pc.cast(pc.hour(local), pa.int32())
