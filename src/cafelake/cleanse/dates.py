"""Post dates in every form the source shows, to a UTC instant with the hour kept.

About 98 % of records carry epoch milliseconds: those are parsed in one vectorised
pass. The rest are text the web pages render (`2024.03.05. 21:13`, `21:13`, `오후 9:13`,
`3시간 전`, `어제 21:13`, ...), parsed per row relative to the fetch time in KST.

A form without a time of day (`24.04.29.`, `어제`, `3일 전`) is never given an
invented hour: midnight would plant a false 00 h peak in the hour-of-day analysis the
pipeline exists for. The caller first tries the record's other date field (the list
item's epoch ms); if none has a time, the record is quarantined as
`date_without_time`, so it is counted and kept, not guessed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from cafelake.schemas import KST, UTC_TS

_KST = ZoneInfo(KST)
# Naver Cafe opened in 2003; anything earlier is a unit mistake (e.g. epoch seconds).
EARLIEST = datetime(2003, 1, 1, tzinfo=_KST)
# A post cannot be younger than its fetch; allow for the two clocks disagreeing a little.
CLOCK_SKEW = timedelta(hours=1)

MISSING, UNPARSEABLE, NO_TIME, OUT_OF_RANGE = "missing_date", "unparseable_date", "date_without_time", \
    "date_out_of_range"

_EPOCH_MS = r"^\d{1,15}$"
_AMPM = {"오전": 0, "AM": 0, "am": 0, "오후": 12, "PM": 12, "pm": 12}
_ABSOLUTE = re.compile(
    r"(?P<y>\d{4}|\d{2})\s*[.\-/]\s*(?P<m>\d{1,2})\s*[.\-/]\s*(?P<d>\d{1,2})\.?"
    r"(?:[\sT]+(?:(?P<ap>오전|오후|AM|PM|am|pm)\s*)?(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?")
_CLOCK = re.compile(r"(?:(?P<day>어제|오늘)\s*)?(?:(?P<ap>오전|오후|AM|PM|am|pm)\s*)?"
                    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?")
_AGO = re.compile(r"(?P<n>\d+)\s*(?P<unit>초|분|시간|일|주|개월|달|년)\s*전")
_AGO_UNITS = {"초": timedelta(seconds=1), "분": timedelta(minutes=1), "시간": timedelta(hours=1)}
_DAY_ONLY = re.compile(r"어제|그제|그저께|오늘")
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


def parse_text_date(text: str, fetched_at: datetime) -> datetime:
    """One non-epoch date text to an aware instant, relative to `fetched_at` where the text is.

    Raises DateError (and only DateError) with the quarantine reason.
    """
    try:
        return _parse_text_date(text, fetched_at)
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, DateError):
            raise
        raise DateError(UNPARSEABLE, f"{text[:80]!r}: {exc}") from None


def _parse_text_date(text: str, fetched_at: datetime) -> datetime:
    s = text.strip()
    now = fetched_at.astimezone(_KST)
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
            raise DateError(NO_TIME, f"{s!r} has a date but no time of day")
        return _at(day, _hour(m["H"], m["ap"]), int(m["M"]), int(m["S"] or 0))
    if m := _CLOCK.fullmatch(s):
        day = now.date() - timedelta(days=1 if m["day"] == "어제" else 0)
        posted = _at(day, _hour(m["H"], m["ap"]), int(m["M"]), int(m["S"] or 0))
        if m["day"] is None and posted > fetched_at + CLOCK_SKEW:
            posted -= timedelta(days=1)  # rendered just before midnight, fetched just after
        return posted
    if m := _AGO.fullmatch(s):
        if m["unit"] not in _AGO_UNITS:
            raise DateError(NO_TIME, f"{s!r} gives a day, not a time of day")
        return fetched_at - int(m["n"]) * _AGO_UNITS[m["unit"]]
    if _JUST_NOW.fullmatch(s):
        return fetched_at
    if _DAY_ONLY.fullmatch(s):
        raise DateError(NO_TIME, f"{s!r} gives a day, not a time of day")
    raise DateError(UNPARSEABLE, f"unknown date form {s[:80]!r}")


def parse_dates(raw: pa.Array, fetched_at: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Date texts (epoch ms or any text form) to (posted_at UTC, reason, detail).

    `posted_at` is null where `reason` is set. Epoch ms is vectorised; only the other
    rows go through `parse_text_date`.
    """
    raw = raw.combine_chunks() if isinstance(raw, pa.ChunkedArray) else raw
    fetched_at = fetched_at.combine_chunks() if isinstance(fetched_at, pa.ChunkedArray) else fetched_at
    is_ms = pc.fill_null(pc.match_substring_regex(raw, _EPOCH_MS), False)
    ms = pc.cast(pc.if_else(is_ms, raw, None), pa.int64())
    posted = pc.cast(pc.cast(ms, pa.timestamp("ms", tz="UTC")), UTC_TS)
    n = len(raw)
    reasons: list[str | None] = [None] * n
    details: list[str | None] = [None] * n
    others = pc.indices_nonzero(pc.invert(is_ms)).to_pylist()
    if others:
        texts, fetched = raw.take(others).to_pylist(), fetched_at.take(others).to_pylist()
        parsed: list[datetime | None] = []
        for i, text, at in zip(others, texts, fetched):
            try:
                if text is None:
                    raise DateError(MISSING, "no date in the record")
                parsed.append(parse_text_date(text, at))
            except DateError as exc:
                reasons[i], details[i] = exc.reason, str(exc)
                parsed.append(None)
        posted = pc.replace_with_mask(posted, pc.invert(is_ms), pa.array(parsed, type=UTC_TS))
    lo = pa.scalar(EARLIEST.astimezone(UTC), UTC_TS)
    hi = pc.add(fetched_at, pa.scalar(CLOCK_SKEW, pa.duration("us")))
    bad_range = pc.fill_null(pc.or_(pc.less(posted, lo), pc.greater(posted, hi)), False)
    if pc.any(bad_range).as_py():
        for i in pc.indices_nonzero(bad_range).to_pylist():
            reasons[i] = OUT_OF_RANGE
            details[i] = f"{raw[i].as_py()!r} is {posted[i].as_py().isoformat()}, outside {EARLIEST.date()}..fetch time"
        posted = pc.if_else(bad_range, pa.scalar(None, UTC_TS), posted)
    return posted, pa.array(reasons, type=pa.string()), pa.array(details, type=pa.string())


def kst_date_hour(posted_at: pa.Array) -> tuple[pa.Array, pa.Array]:
    """post_date (date32) and post_hour (int32) in Asia/Seoul."""
    local = pc.cast(posted_at, pa.timestamp("us", tz=KST))
    return pc.cast(pc.local_timestamp(local), pa.date32()), pc.cast(pc.hour(local), pa.int32())
