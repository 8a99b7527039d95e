"""Every date form the source shows, relative forms against the fetch time in KST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
    # (source text, expected instant or the quarantine reason)
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
    # no time of day: never invented
    ("24.04.29.", "date_without_time"),
    ("2024.04.29.", "date_without_time"),
    ("어제", "date_without_time"),
    ("3일 전", "date_without_time"),
    ("2주 전", "date_without_time"),
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
]


def test_every_date_form():
    raw = pa.array([text for text, _ in FORMS], pa.string())
    fetched = pa.array([FETCHED] * len(FORMS), UTC_TS)
    posted, reason, detail = parse_dates(raw, fetched)
    for (text, expected), at, why, note in zip(FORMS, posted.to_pylist(), reason.to_pylist(), detail.to_pylist()):
        if isinstance(expected, datetime):
            assert (at, why) == (expected.astimezone(UTC), None), text
        else:
            assert (at, why) == (None, expected), text
            assert note, text


def test_kst_date_and_hour_cross_midnight():
    posted = pa.array([kst(2024, 3, 5, 23, 59), kst(2024, 3, 6, 0, 1), kst(2024, 12, 31, 9, 0)], UTC_TS)
    day, hour = kst_date_hour(posted)
    assert [str(d) for d in day.to_pylist()] == ["2024-03-05", "2024-03-06", "2024-12-31"]
    assert hour.to_pylist() == [23, 0, 9] and hour.type == pa.int32() and day.type == pa.date32()


@pytest.mark.parametrize("fetched_utc", [datetime(2026, 11, 22, 15, 10, tzinfo=UTC),  # 00:10 KST
                                         datetime(2026, 11, 22, 14, 50, tzinfo=UTC)])  # 23:50 KST
def test_relative_forms_use_the_kst_day_of_the_fetch(fetched_utc):
    posted, reason, _ = parse_dates(pa.array(["00:05", "23:40"]), pa.array([fetched_utc] * 2, UTC_TS))
    assert reason.null_count == 2
    for at in posted.to_pylist():
        assert at <= fetched_utc and fetched_utc - at < timedelta(days=1)
