"""Envelope lines to candidate rows: the common head, Naver's field precedence, statuses, gzip damage."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

from cafelake.cleanse.records import RawRecords, gunzip, read_object

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def _env(status="ok", **body):
    article = {
        "id": 7,
        "subject": "본문 제목",
        "writer": {"memberKey": "mk-body", "nick": "본문닉"},
        "writeDate": 1_700_000_000_000,
        "readCount": 9,
        "contentHtml": "<p>x</p>",
        **body,
    }
    return {
        "source": "naver_cafe",
        "club_id": "1",
        "menu_id": "2",
        "article_id": 7,
        "run_id": "r",
        "seq": 0,
        "fetched_at": "2026-11-20T00:00:00.5Z",
        "article_status": status,
        "list_item": {
            "articleId": 7,
            "subject": "목록 제목",
            "memberKey": "mk-list",
            "writerNickname": "목록닉",
            "writeDateTimestamp": 1_700_000_001_000,
            "readCount": 3,
            "commentCount": 4,
        },
        "article": {"result": {"article": {k: v for k, v in article.items() if v is not None}}},
    }


def _read(*envs) -> dict:
    acc = RawRecords()
    read_object(acc, "k", "2026-11-20", gzip.compress("\n".join(json.dumps(e) for e in envs).encode()), NOW)
    return acc.candidates().to_pylist()


def test_body_first_then_list_item_field_by_field():
    (row,) = _read(_env(subject=None, commentCount=None))
    assert row["title"] == "목록 제목" and row["content"] == "<p>x</p>" and row["is_html"] is True
    assert (row["author_id"], row["author_name"], row["read_count"], row["comment_count"]) == (
        "mk-body",
        "본문닉",
        9,
        4,
    )
    assert (row["raw_date"], row["raw_date_alt"]) == ("1700000000000", "1700000001000")
    assert row["fetched_at"] == datetime(2026, 11, 20, 0, 0, 0, 500_000, tzinfo=UTC)
    assert row["post_id"] == "naver_cafe:1:7" and row["source"] == "naver_cafe" and row["payload"].startswith("{")
    assert row["url"] == "https://cafe.naver.com/ca-fe/cafes/1/articles/7"


def test_member_only_uses_the_list_item_and_no_body():
    (row,) = _read(_env(status="member_only"))
    assert (row["title"], row["content"], row["author_id"]) == ("목록 제목", None, "mk-list")


def test_deletions_become_tombstones_and_keep_only_ids_and_status():
    acc = RawRecords()
    for status in ("deleted", "blind", "private"):
        read_object(acc, "k", "d", gzip.compress(json.dumps(_env(status=status), ensure_ascii=False).encode()), NOW)
    assert [q["reason"] for q in acc.quarantine] == ["source_deleted", "source_blind", "source_private"]
    assert acc.records == 3 and acc.tombstone_table().column("post_id").to_pylist() == ["naver_cafe:1:7"] * 3
    for q, status in zip(acc.quarantine, ("deleted", "blind", "private"), strict=True):
        assert json.loads(q["payload"]) == {
            "source": "naver_cafe",
            "club_id": "1",
            "menu_id": "2",
            "article_id": 7,
            "run_id": "r",
            "seq": 0,
            "fetched_at": "2026-11-20T00:00:00.5Z",
            "article_status": status,
        }  # the author removed the text: none is kept


def test_an_unreadable_object_keeps_no_payload():
    acc = RawRecords()
    data = gzip.compress(json.dumps(_env(), ensure_ascii=False).encode() + b"\n" + b"x" * 5000)
    read_object(acc, "k", "d", data[: len(data) // 2], NOW)
    (q,) = [q for q in acc.quarantine if q["reason"] == "unreadable_object"]
    assert q["payload"] is None and "stays in the raw zone" in q["detail"]


def test_gunzip_reads_every_member_and_reports_damage():
    data = gzip.compress(b"a\n") + gzip.compress(b"b\n")
    assert gunzip(data) == (b"a\nb\n", None)
    body, damage = gunzip(data[:-6])
    assert body.startswith(b"a\n") and damage
    assert gunzip(b"plain text")[1].startswith("not gzip")


def test_blank_lines_are_not_records():
    acc = RawRecords()
    read_object(acc, "k", "d", gzip.compress(b"\n\n" + json.dumps(_env()).encode() + b"\n  \n"), NOW)
    assert acc.records == 1 and len(acc.rows) == 1 and acc.rows[0][1] == 3  # line numbers count every line


def test_the_post_id_is_the_origins_and_an_unknown_source_is_quarantined():
    env = _env()
    acc = RawRecords()
    lines = [
        {**env, "source": "somewhere"},
        {**env, "origin": "elsewhere"},
        {k: v for k, v in env.items() if k != "source"},
    ]
    read_object(acc, "k", "d", gzip.compress("\n".join(json.dumps(e) for e in lines).encode()), NOW)
    assert [(q["reason"], q["post_id"]) for q in acc.quarantine] == [
        ("unknown_source", "somewhere:1:7"),
        ("unknown_source", "elsewhere:1:7"),
        ("missing_id", None),
    ]
    assert acc.rows == [] and acc.records == 3
