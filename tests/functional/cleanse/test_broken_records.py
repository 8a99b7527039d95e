"""A corpus of broken records: each is quarantined with its reason, the rest is cleansed."""

from __future__ import annotations

import gzip
import json

import pyarrow.compute as pc

from cafelake.cleanse import CleanseConfig, run_cleanse
from cafelake.raw import object_key


def _without(env, *path):
    obj = env
    for p in path[:-1]:
        obj = obj[p]
    del obj[path[-1]]
    return env


def _set(env, value, *path):
    obj = env
    for p in path[:-1]:
        obj = obj[p]
    obj[path[-1]] = value
    return env


def _both_dates(env, value):
    env["article"]["result"]["article"]["writeDate"] = value
    env["list_item"]["writeDateTimestamp"] = value
    return env


def broken_cases(e):
    """(expected reason, raw line) for every kind of broken record; `e(id)` builds a good envelope."""
    fetched_ms = 1_763_600_400_000  # 2025-11-20T01:00Z, the envelopes' default fetch time is 2026-11-20
    return [
        ("bad_json", "{not json"),
        ("bad_json", json.dumps(e(101))[:-40]),  # truncated line
        ("not_an_object", "[1, 2, 3]"),
        ("not_an_object", '"a string"'),
        ("bad_encoding", b'{"article_id": 1, "x": "\xff\xfe"}'),
        ("missing_id", _without(e(106), "article_id")),
        ("missing_id", _set(e(107), None, "article_id")),
        ("wrong_type", _set(e(108), "abc", "article_id")),
        ("wrong_type", _set(e(109), True, "article_id")),
        ("wrong_type", _set(e(110), 1.5, "article_id")),
        ("invalid_id", _set(e(111), -5, "article_id")),
        ("missing_id", _without(e(112), "club_id")),
        ("wrong_type", _set(e(113), {"id": 1}, "club_id")),
        ("missing_fetched_at", _without(e(114), "fetched_at")),
        ("bad_fetched_at", _set(e(115), "yesterday", "fetched_at")),
        ("bad_fetched_at", _set(e(116), "2026-11-20T01:00:00", "fetched_at")),  # no zone
        ("unknown_status", _set(e(117), "weird", "article_status")),
        ("wrong_type", _set(e(118, status="member_only"), [1], "list_item")),
        ("missing_payload", _set(e(119, status="member_only"), None, "list_item")),
        ("article_malformed", _set(e(120), "<html>oops</html>", "article")),
        ("article_malformed", _set(e(121), {"result": {}}, "article")),
        ("id_mismatch", _set(e(122), 999, "list_item", "articleId")),
        ("id_mismatch", _set(e(123), 998, "article", "result", "article", "id")),
        ("source_deleted", e(124, status="deleted")),
        ("source_blind", e(125, status="blind")),
        ("source_private", e(126, status="private")),
        ("article_malformed", e(127, status="malformed")),
        ("missing_date", _without(_without(e(128), "article", "result", "article", "writeDate"),
                                  "list_item", "writeDateTimestamp")),
        ("unparseable_date", _both_dates(e(129), "어느 날")),
        ("unparseable_date", _both_dates(e(130), "2024.13.45.")),
        ("date_without_time", _both_dates(e(131), "24.04.29.")),
        ("date_without_time", _both_dates(e(132), "어제")),
        ("date_out_of_range", _both_dates(e(133), fetched_ms // 1000)),  # epoch seconds, read as ms: 1970
        ("date_out_of_range", _both_dates(e(134), fetched_ms + 400 * 86_400_000)),  # after the fetch
        ("wrong_type", _both_dates(e(135), {"ms": 1})),
        ("empty_text", e(136, subject="", html="")),
        ("empty_text", e(137, subject="😭😭", html="<img alt='사진'><script>x()</script>")),
        ("oversized_text", e(138, html="<p>" + "가나다 " * 20_000 + "</p>")),
        ("wrong_type", _set(e(139), "많음", "article", "result", "article", "readCount")),
        ("wrong_type", _set(e(140), -3, "list_item", "commentCount")),
        ("wrong_type", _set(e(141), 12345, "article", "result", "article", "subject")),
        ("wrong_type", _set(e(142), ["<p>x</p>"], "article", "result", "article", "contentHtml")),
        ("wrong_type", _set(e(143), "nick", "article", "result", "article", "writer")),
    ]


def test_every_broken_kind_is_quarantined_with_its_reason(lake, make_envelope, write_raw):
    cases = broken_cases(make_envelope)
    good = [make_envelope(i) for i in range(1, 21)]
    lines = good[:10] + [line for _, line in cases] + good[10:]
    key = write_raw(lake, lines)
    summary = run_cleanse(lake, config=CleanseConfig(max_text_chars=50_000))

    assert len({reason for reason, _ in cases}) >= 20 and len(cases) >= 30
    q = lake.read_table("_quarantine").sort_by("line_no").to_pylist()
    got = {row["line_no"]: row["reason"] for row in q}
    expected = {11 + i: reason for i, (reason, _) in enumerate(cases)}
    assert got == expected
    assert all(row["source_key"] == key and row["payload"] for row in q)
    posts = lake.read_table("posts")
    assert sorted(posts.column("article_id").to_pylist()) == list(range(1, 21))
    assert summary.records_in == len(lines) == summary.cleansed + summary.quarantined + summary.duplicates
    assert summary.quarantined == len(cases) and summary.cleansed == 20


def test_payload_is_the_raw_line_untouched(lake, make_envelope, write_raw):
    line = json.dumps(make_envelope(5, status="deleted"), ensure_ascii=False)
    write_raw(lake, [line])
    run_cleanse(lake)
    (row,) = lake.read_table("_quarantine").to_pylist()
    assert row["payload"] == line and row["post_id"] == "10050146-5"


def test_damaged_gzip_keeps_the_readable_lines(lake, make_envelope):
    data = gzip.compress(b"\n".join(json.dumps(make_envelope(i)).encode() for i in range(1, 40)) + b"\n")
    lake.put_bytes("raw", object_key("10050146", "386", "2026-11-20", "r1", 0), data[: len(data) * 2 // 3])
    lake.put_bytes("raw", object_key("10050146", "386", "2026-11-20", "r1", 1), b"definitely not gzip")
    summary = run_cleanse(lake)
    q = lake.read_table("_quarantine")
    assert pc.sum(pc.equal(q.column("reason"), "unreadable_object")).as_py() == 2
    assert 0 < summary.cleansed < 39  # what the cut kept is cleansed; the cut-off line is not guessed
    assert summary.reconciles()
