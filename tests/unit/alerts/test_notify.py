"""The notice of a rising group: read from a query's row, written in Korean and English, sent once."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from cafelake.alerts.notify import LEDGER_ZONE, RETAKE_AFTER, Alert, publish_new
from cafelake.lake import Lake

ROW = {
    "week_start": "2026-06-08",
    "group_name": "hand_foot",
    "display_name": "수족구",
    "posts": "50",
    "expected": "22.797218",
    "score": "4.503259",
    "example_urls": "https://cafe.naver.com/1/11 https://cafe.naver.com/1/12 https://cafe.naver.com/1/13",
}
NOW = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)


def _athena_csv(*rows: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(ROW), quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def lake(tmp_path) -> Lake:
    return Lake(str(tmp_path / "lake"))


def test_a_row_of_athenas_csv_is_an_alert():
    (row,) = csv.DictReader(io.StringIO(_athena_csv(ROW)))
    alert = Alert.from_row(row)
    assert (alert.posts, round(alert.expected, 1), alert.week) == (50, 22.8, "2026-W24")
    assert alert.example_urls == tuple(ROW["example_urls"].split())
    assert Alert.from_row({**ROW, "example_urls": ""}).example_urls == ()
    assert alert.ledger_key == "_alerts/2026-06-08/hand_foot.json"


def test_the_message_is_in_korean_and_english_with_the_week_the_counts_and_the_examples():
    subject, body = Alert.from_row(ROW).message()
    assert subject == "[cafelake] 급상승 수족구 / rising: hand_foot (2026-W24)" and len(subject) < 100
    assert (
        "'수족구' 키워드 그룹의 질문이 급증했습니다." in body
        and "The keyword group 'hand_foot' (수족구) is rising." in body
    )
    assert "2026-06-08 ~ 2026-06-14" in body and "2026-06-08 to 2026-06-14" in body
    assert "게시글 수: 50건 (기대값 22.8건, 2.2배" in body and "Posts: 50 (expected 22.8, 2.2x" in body
    assert [line for line in body.splitlines() if line.startswith("- https://")] == [
        f"- {u}" for u in ROW["example_urls"].split()
    ]


def test_each_group_week_is_sent_once_across_runs(lake):
    sent = []
    alerts = [Alert.from_row(ROW), Alert.from_row({**ROW, "group_name": "fever", "display_name": "열"})]
    first = publish_new(alerts, lake, lambda s, b: sent.append(s), now=NOW)
    again = publish_new(alerts, lake, lambda s, b: sent.append(s), now=NOW + timedelta(days=1))
    assert [a.group_name for a in first] == ["hand_foot", "fever"] and again == []
    assert len(sent) == 2
    entry = json.loads(lake.get_bytes(LEDGER_ZONE, alerts[0].ledger_key))
    assert entry["status"] == "sent" and entry["posts"] == 50
    next_week = Alert.from_row({**ROW, "week_start": "2026-06-15"})
    assert publish_new([next_week], lake, lambda s, b: sent.append(s), now=NOW) == [next_week]


def test_a_run_that_died_before_sending_is_retaken_only_once_it_is_stale(lake):
    alert = Alert.from_row(ROW)

    def dies(subject, body):
        raise ConnectionError("the topic could not be reached")

    with pytest.raises(ConnectionError):
        publish_new([alert], lake, dies, now=NOW)
    assert json.loads(lake.get_bytes(LEDGER_ZONE, alert.ledger_key))["status"] == "pending"
    sent = []
    assert publish_new([alert], lake, lambda s, b: sent.append(s), now=NOW + RETAKE_AFTER / 2) == []
    assert publish_new([alert], lake, lambda s, b: sent.append(s), now=NOW + RETAKE_AFTER) == [alert]
    assert len(sent) == 1 and json.loads(lake.get_bytes(LEDGER_ZONE, alert.ledger_key))["status"] == "sent"


def test_an_unreadable_ledger_entry_is_left_alone(lake):
    alert = Alert.from_row(ROW)
    lake.put_bytes(LEDGER_ZONE, alert.ledger_key, b"not json")
    assert publish_new([alert], lake, lambda s, b: pytest.fail("sent"), now=NOW) == []
