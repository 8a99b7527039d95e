"""Every date form the source shows, relative forms against the fetch time in KST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from cafelake.cleanse.dates import kst_date_hour, parse_dates
from cafelake.schemas import UTC_TS

KST = ZoneInfo("Asia/Seoul")
FETCHED = datetime(2026, 11, 22, 14, 30, tzinfo=KST)  # 05:30 UTC


def kst(*args) -> datetime:
    return datetime(*args, tzinfo=KST)


FORMS = [
    # (source text, expected instant, or the KST day of a form without a time, or the quarantine reason)
    ("1709640780000", kst(2024, 3, 5, 21, 13)),
    ("2024.03.05. 21:13", kst(2024, 3, 5, 21, 13)),
    ("2024.03.05 21:13", kst(2024, 3, 5, 21, 13)),
    ("2024.3.5. 09:05:30", kst(2024, 3, 5, 9, 5, 30)),
    ("2024-03-05 21:13", kst(2024, 3, 5, 21, 13)),
    ("24.03.05. 21:13", kst(2024, 3, 5, 21, 13)),
    ("2024.03.05. 오후 9:13", kst(2024, 3, 5, 21, 13)),
    ("2024-03-05T12:13:00Z", kst(2024, 3, 5, 21, 13)),
    ("2024-03-05T21:13:00+09:00", kst(2024, 3, 5, 21, 13)),
    ("09:13", kst(2026, 11, 22, 9, 13)),  # today
    ("14:30", kst(2026, 11, 22, 14, 30)),
    ("23:50", kst(2026, 11, 21, 23, 50)),  # later than the fetch: rendered before midnight
    ("오후 1:13", kst(2026, 11, 22, 13, 13)),
    ("오전 9:13", kst(2026, 11, 22, 9, 13)),
    ("오전 12:05", kst(2026, 11, 22, 0, 5)),
    ("오후 12:05", kst(2026, 11, 22, 12, 5)),
    ("PM 2:00", kst(2026, 11, 22, 14, 0)),
    ("3시간 전", kst(2026, 11, 22, 11, 30)),
    ("45분 전", kst(2026, 11, 22, 13, 45)),
    ("10초 전", kst(2026, 11, 22, 14, 29, 50)),
    ("방금", kst(2026, 11, 22, 14, 30)),
    ("방금 전", kst(2026, 11, 22, 14, 30)),
    ("어제 21:13", kst(2026, 11, 21, 21, 13)),
    ("어제 오후 9:13", kst(2026, 11, 21, 21, 13)),
    ("  2024.03.05. 21:13  ", kst(2024, 3, 5, 21, 13)),
    # no time of day: the day is kept, the hour never invented
    ("24.04.29.", date(2024, 4, 29)),
    ("2024.04.29.", date(2024, 4, 29)),
    ("26.11.22.", date(2026, 11, 22)),  # the fetch's own day
    ("어제", date(2026, 11, 21)),
    ("그제", date(2026, 11, 20)),
    ("오늘", date(2026, 11, 22)),
    ("3일 전", date(2026, 11, 19)),
    ("2주 전", date(2026, 11, 8)),
    # no day either: the source rounds months and years
    ("3개월 전", "date_without_day"),
    ("1년 전", "date_without_day"),
    # not dates
    ("2024.13.45.", "unparseable_date"),
    ("2024.02.30. 10:00", "unparseable_date"),
    ("25:99", "unparseable_date"),
    ("오후 13:00", "unparseable_date"),
    ("언젠가", "unparseable_date"),
    ("9" * 30 + "시간 전", "unparseable_date"),
    ("", "missing_date"),
    (None, "missing_date"),
    ("1700000000", "date_out_of_range"),  # epoch seconds read as ms: 1970
    ("1000000000000", "date_out_of_range"),  # 2001: before Naver Cafe
    (str(int((FETCHED + timedelta(days=2)).timestamp() * 1000)), "date_out_of_range"),  # after the fetch
    ("2030.01.01. 10:00", "date_out_of_range"),
    ("26.11.23.", "date_out_of_range"),  # a day after the fetch's KST day
    ("2002.12.31.", "date_out_of_range"),  # before Naver Cafe
    ("9" * 30 + "일 전", "unparseable_date"),
]


def test_every_date_form():
    raw = pa.array([text for text, _ in FORMS], pa.string())
    fetched = pa.array([FETCHED] * len(FORMS), UTC_TS)
    got = parse_dates(raw, fetched, FETCHED)
    rows = zip(
        FORMS,
        got.posted_at.to_pylist(),
        got.post_date.to_pylist(),
        got.reason.to_pylist(),
        got.detail.to_pylist(),
        strict=True,
    )
    for (text, expected), at, day, why, note in rows:
        if isinstance(expected, datetime):
            assert (at, day, why) == (expected.astimezone(UTC), expected.date(), None), text
        elif isinstance(expected, date):
            assert (at, day, why) == (None, expected, None), text
        else:
            assert (at, day, why) == (None, None, expected), text
            assert note, text


def test_kst_date_and_hour_cross_midnight():
    posted = pa.array([kst(2024, 3, 5, 23, 59), kst(2024, 3, 6, 0, 1), kst(2024, 12, 31, 9, 0)], UTC_TS)
    day, hour = kst_date_hour(posted)
    assert [str(d) for d in day.to_pylist()] == ["2024-03-05", "2024-03-06", "2024-12-31"]
    assert hour.to_pylist() == [23, 0, 9] and hour.type == pa.int32() and day.type == pa.date32()


@pytest.mark.parametrize(
    "fetched_utc",
    [
        datetime(2026, 11, 22, 15, 10, tzinfo=UTC),  # 00:10 KST
        datetime(2026, 11, 22, 14, 50, tzinfo=UTC),
    ],
)  # 23:50 KST
def test_relative_forms_use_the_kst_day_of_the_fetch(fetched_utc):
    got = parse_dates(pa.array(["00:05", "23:40"]), pa.array([fetched_utc] * 2, UTC_TS), fetched_utc)
    assert got.reason.null_count == 2
    for at in got.posted_at.to_pylist():
        assert at <= fetched_utc and fetched_utc - at < timedelta(days=1)


def test_a_page_fetched_at_midnight_sharp_was_rendered_the_day_before():
    """The sample corpus fetches at as_of, 00:00 KST after end_date: its "today" is end_date."""
    midnight = datetime(2026, 11, 1, 0, 0, tzinfo=KST)
    got = parse_dates(pa.array(["오늘", "어제", "2일 전", "21:13"]), pa.array([midnight] * 4, UTC_TS), midnight)
    assert [str(d) for d in got.post_date.to_pylist()] == ["2026-10-31", "2026-10-30", "2026-10-29", "2026-10-31"]


def test_without_a_fetch_time_only_absolute_dates_are_dated_and_the_run_bounds_them():
    """A row of an export says nothing of when it was read: `21:13` or `어제` cannot be placed on a day."""
    texts = [
        "2024.03.05. 21:13",
        "24.03.05.",
        "21:13",
        "어제",
        "3시간 전",
        "방금",
        "3개월 전",
        "2026.11.23. 10:00",
        "1709640780000",
    ]
    run = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    got = parse_dates(pa.array(texts), pa.nulls(len(texts), UTC_TS), run)
    assert got.reason.to_pylist() == [
        None,
        None,
        *["date_needs_fetch_time"] * 4,
        "date_without_day",
        "date_out_of_range",
        None,
    ]
    assert got.posted_at[0].as_py() == kst(2024, 3, 5, 21, 13) and str(got.post_date[1]) == "2024-03-05"
    assert "does not say" in got.detail[2].as_py()
