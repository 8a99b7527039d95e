"""A corpus of broken records: each is quarantined with its reason, the rest is cleansed."""

from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.compute as pc

from cafelake.cleanse import run_cleanse
from cafelake.raw import object_key

BOARD = ("naver_cafe", "10050146", "386")


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
        (
            "missing_date",
            _without(_without(e(128), "article", "result", "article", "writeDate"), "list_item", "writeDateTimestamp"),
        ),
        ("unparseable_date", _both_dates(e(129), "어느 날")),
        ("unparseable_date", _both_dates(e(130), "2024.13.45.")),
        ("date_without_day", _both_dates(e(131), "3개월 전")),
        ("date_out_of_range", _both_dates(e(132), "2030.01.01.")),  # a day, but after the fetch
        ("date_out_of_range", _both_dates(e(133), fetched_ms // 1000)),  # epoch seconds, read as ms: 1970
        ("date_out_of_range", _both_dates(e(134), fetched_ms + 400 * 86_400_000)),  # after the fetch
        ("wrong_type", _both_dates(e(135), {"ms": 1})),
        ("empty_text", e(136, subject="", html="")),
        ("empty_text", e(137, subject="😭😭", html="<img alt='사진'><script>x()</script>")),
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
    summary = run_cleanse(lake)

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


def test_payload_is_the_raw_line_with_pseudonyms_and_a_deletion_keeps_only_ids(lake, make_envelope, write_raw):
    malformed = make_envelope(4, status="malformed", nick="비밀닉", member="mk-secret")
    deleted = make_envelope(5, status="deleted", nick="지운닉", member="mk-gone")
    write_raw(lake, [malformed, deleted])
    run_cleanse(lake)
    rows = {r["post_id"]: r for r in lake.read_table("_quarantine").to_pylist()}
    kept = json.loads(rows["naver_cafe:10050146:4"]["payload"])
    assert kept["list_item"].pop("writerNickname") != "비밀닉" and kept["list_item"].pop("memberKey") != "mk-secret"
    del malformed["list_item"]["writerNickname"], malformed["list_item"]["memberKey"]
    assert kept == malformed  # all else as the source sent it
    assert json.loads(rows["naver_cafe:10050146:5"]["payload"]) == {
        k: deleted[k]
        for k in ("source", "club_id", "menu_id", "article_id", "run_id", "seq", "fetched_at", "article_status")
    }


def test_dates_without_a_time_are_kept_with_the_hour_unknown(lake, make_envelope, write_raw):
    write_raw(
        lake,
        [
            _both_dates(make_envelope(1), "24.04.29."),
            _both_dates(make_envelope(2), "어제"),
            _both_dates(make_envelope(3), "3일 전"),
            make_envelope(4, write_ms=1_709_640_780_000),
        ],
    )
    summary = run_cleanse(lake)
    assert (summary.cleansed, summary.quarantined) == (4, 0)
    got = {
        r["article_id"]: (r["raw_date"], str(r["post_date"]), r["dt"], r["time_known"], r["posted_at"], r["post_hour"])
        for r in lake.read_table("posts").to_pylist()
    }
    assert got[1] == ("24.04.29.", "2024-04-29", "2024-04-29", False, None, None)
    assert got[2] == ("어제", "2026-11-19", "2026-11-19", False, None, None)  # fetched 2026-11-20 10:00 KST
    assert got[3] == ("3일 전", "2026-11-17", "2026-11-17", False, None, None)
    assert got[4][2:4] == ("2024-03-05", True) and got[4][5] == 21


def test_damaged_gzip_keeps_the_readable_lines(lake, make_envelope):
    data = gzip.compress(b"\n".join(json.dumps(make_envelope(i)).encode() for i in range(1, 40)) + b"\n")
    lake.put_bytes("raw", object_key(*BOARD, "2026-11-20", "r1", 0), data[: len(data) * 2 // 3])
    lake.put_bytes("raw", object_key(*BOARD, "2026-11-20", "r1", 1), b"definitely not gzip")
    summary = run_cleanse(lake)
    q = lake.read_table("_quarantine")
    assert pc.sum(pc.equal(q.column("reason"), "unreadable_object")).as_py() == 2
    assert 0 < summary.cleansed < 39  # what the cut kept is cleansed; the cut-off line is not guessed
    assert summary.reconciles()


HOUR_CHECKS = [
    "posts_post_hour_range",
    "posts_post_hour_known",
    "posts_dim_post_hour_range",
    "posts_dim_post_hour_known",
]


def test_unknown_hours_pass_the_hour_checks_and_a_false_time_known_fails_them(lake, make_envelope, write_raw):
    from cafelake.athena.checks import run_checks
    from cafelake.tokenize.mart import posts_dim

    write_raw(
        lake,
        [
            _both_dates(make_envelope(1), "24.04.29."),
            _both_dates(make_envelope(2), "어제"),
            make_envelope(3),
            make_envelope(4),
        ],
    )
    run_cleanse(lake)
    posts = lake.read_table("posts").sort_by("article_id")
    no_tokens = pa.table({"post_id": pa.array([], pa.string()), "token_position": pa.array([], pa.int32())})
    dim = posts_dim(posts, no_tokens)
    assert dim.sort_by("post_id").column("time_known").to_pylist() == [False, False, True, True]  # carried over
    lake.write_table("posts_dim", dim)
    assert all(r.passed for r in run_checks(lake, only=HOUR_CHECKS))

    def planted(tbl: pa.Table) -> pa.Table:
        """Post 1 claims a known time it lacks; post 3 gets hour 24."""
        ids = tbl.column("post_id").to_pylist()
        known = [
            True if pid.endswith(":1") else v for pid, v in zip(ids, tbl.column("time_known").to_pylist(), strict=True)
        ]
        hours = [
            24 if pid.endswith(":3") else v for pid, v in zip(ids, tbl.column("post_hour").to_pylist(), strict=True)
        ]
        tbl = tbl.set_column(tbl.schema.get_field_index("time_known"), "time_known", pa.array(known))
        return tbl.set_column(tbl.schema.get_field_index("post_hour"), "post_hour", pa.array(hours, pa.int32()))

    lake.write_table("posts", planted(posts))
    lake.write_table("posts_dim", planted(dim))
    failing = {r.name: r.failing_rows for r in run_checks(lake, only=HOUR_CHECKS) if not r.passed}
    assert failing == dict.fromkeys(HOUR_CHECKS, 1)
