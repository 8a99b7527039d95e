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


def _lines(n: int) -> list[dict]:
    """n envelopes whose text does not compress away (so a cut loses lines, not just a trailer)."""
    import hashlib

    return [_env(contentHtml=hashlib.sha256(str(i).encode()).hexdigest() * 20) for i in range(1, n + 1)]


def test_a_truncated_object_keeps_its_lines_and_quarantines_each_lost_one():
    from cafelake.collect.writer import encode

    data = encode(_lines(40))
    cut = data[: int(len(data) * 0.6)]
    acc = RawRecords()
    read_object(acc, "k", "d", cut, NOW)
    lost = [q for q in acc.quarantine if q["reason"] == "truncated_object"]
    assert 0 < len(acc.rows) < 40 and len(lost) == 40 - len(acc.rows)
    assert acc.records == 40  # every line the object held is accounted for
    assert [q["line_no"] for q in lost] == list(range(len(acc.rows) + 1, 41))
    assert f"line {len(acc.rows) + 1} of 40 lost" in lost[0]["detail"]
    assert f"from the object's {len(cut)} bytes" in lost[0]["detail"] and lost[0]["payload"] is None


def test_an_older_truncated_object_is_one_record_with_the_byte_counts_right():
    """Objects written before the line count: the lost rest is one record, and the detail says which bytes are which."""
    lines = b"".join(json.dumps(e).encode() + b"\n" for e in _lines(40))
    data = gzip.compress(lines)
    cut = data[: int(len(data) * 0.6)]
    acc = RawRecords()
    read_object(acc, "k", "d", cut, NOW)
    (q,) = [q for q in acc.quarantine if q["reason"] == "unreadable_object"]
    body, _ = gunzip(cut)
    assert acc.records == len(acc.rows) + 1
    assert f"{len(body)} bytes decompressed from the object's {len(cut)} bytes" in q["detail"]
    assert f"{len(acc.rows)} whole lines recovered" in q["detail"]
