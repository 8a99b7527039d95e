"""The Arrow core: versions of a post, deletions, the date fallback."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pyarrow as pa

from cafelake.cleanse.records import CANDIDATE, TOMBSTONE
from cafelake.cleanse.transform import (
    POSTS_WORK,
    CleanseConfig,
    _sha256,
    cleanse,
    latest,
    latest_tombstones,
    truncate,
)
from cafelake.schemas import UTC_TS

T = [datetime(2026, 11, d, tzinfo=UTC) for d in range(1, 6)]


def _versions(rows):
    """rows: (post_id, fetched_at, source_key, line_no, title)."""
    n = len(rows)
    cols = {f.name: pa.nulls(n, f.type) for f in POSTS_WORK}
    cols.update(
        post_id=pa.array([r[0] for r in rows]),
        fetched_at=pa.array([r[1] for r in rows], UTC_TS),
        ingest_dt=pa.array(["2026-11-20"] * n),
        source_key=pa.array([r[2] for r in rows]),
        line_no=pa.array([r[3] for r in rows], pa.int64()),
        title=pa.array([r[4] for r in rows]),
    )
    return pa.table(cols, schema=POSTS_WORK)


def _tombs(rows):
    return pa.table(
        {
            "post_id": [r[0] for r in rows],
            "fetched_at": pa.array([r[1] for r in rows], UTC_TS),
            "ingest_dt": ["2026-11-20"] * len(rows),
            "source_key": ["k"] * len(rows),
            "line_no": [r[2] if len(r) > 2 else 0 for r in rows],
        },
        schema=TOMBSTONE,
    )


def test_latest_fetch_wins_ties_go_to_the_later_object_and_line():
    posts = _versions(
        [
            ("a", T[1], "k1", 1, "old"),
            ("a", T[2], "k0", 1, "new"),
            ("b", T[1], "k1", 5, "first"),
            ("b", T[1], "k1", 9, "second"),
            ("b", T[1], "k0", 99, "x"),
            ("c", T[0], "k0", 1, "only"),
        ]
    )
    got = latest(posts, _tombs([])).to_pylist()
    assert {r["post_id"]: r["title"] for r in got} == {"a": "new", "b": "second", "c": "only"}


def test_a_later_deletion_removes_the_post_an_earlier_one_does_not():
    posts = _versions(
        [("a", T[1], "k", 1, "a"), ("b", T[3], "k", 2, "b"), ("c", T[2], "k", 3, "c"), ("d", T[2], "k", 3, "d")]
    )
    got = latest(posts, _tombs([("a", T[2]), ("b", T[2]), ("c", T[2], 4), ("d", T[2], 2)]))
    assert got.column("post_id").to_pylist() == ["b", "d"]  # same fetch time: the later line wins


def test_latest_tombstone_per_post():
    got = latest_tombstones(_tombs([("a", T[1]), ("a", T[3]), ("b", T[0])]))
    assert dict(zip(got.column("post_id").to_pylist(), got.column("fetched_at").to_pylist(), strict=True)) == {
        "a": T[3],
        "b": T[0],
    }


def _candidates(raw_date, raw_date_alt, **columns):
    n = len(raw_date)
    cols = {f.name: pa.nulls(n, f.type) for f in CANDIDATE}
    cols.update(
        source_key=pa.array(["k"] * n),
        line_no=pa.array(range(n), pa.int64()),
        ingest_dt=pa.array(["2026-11-20"] * n),
        payload=pa.array(["{}"] * n),
        post_id=pa.array([f"s:c:{i}" for i in range(n)]),
        club_id=pa.array(["c"] * n),
        article_id=pa.array(range(1, n + 1), pa.int64()),
        fetched_at=pa.array([T[4]] * n, UTC_TS),
        title=pa.array(["제목"] * n),
        is_html=pa.array([True] * n),
        raw_date=pa.array(raw_date, pa.string()),
        raw_date_alt=pa.array(raw_date_alt, pa.string()),
    )
    cols.update({k: pa.array(v, CANDIDATE.field(k).type) for k, v in columns.items()})
    return pa.table(cols, schema=CANDIDATE)


def test_a_date_without_time_takes_the_time_of_the_other_field_on_the_same_day():
    march_5_21h13 = "1709640780000"  # 2024-03-05 21:13 KST
    out = cleanse(
        _candidates(["24.03.05.", "24.03.05.", "24.03.05.", "24.03.06."], [march_5_21h13, None, "어제", march_5_21h13]),
        key=b"k",
        quarantined_at=T[4],
    )
    rows = out.posts.sort_by("line_no").to_pylist()
    got = [(r["raw_date"], str(r["post_date"]), r["dt"], r["post_hour"], r["time_known"], r["posted_at"]) for r in rows]
    assert got == [
        ("24.03.05.", "2024-03-05", "2024-03-05", 21, True, datetime(2024, 3, 5, 12, 13, tzinfo=UTC)),
        ("24.03.05.", "2024-03-05", "2024-03-05", None, False, None),  # no other field: the hour stays unknown
        ("24.03.05.", "2024-03-05", "2024-03-05", None, False, None),  # the other field has no time either
        ("24.03.06.", "2024-03-06", "2024-03-06", None, False, None),  # another day: its time is not this one's
    ]
    assert out.quarantine.num_rows == 0


def test_a_text_without_any_day_is_still_quarantined():
    out = cleanse(_candidates(["3개월 전", "언젠가"], [None, None]), key=b"k", quarantined_at=T[4])
    assert out.posts.num_rows == 0
    assert out.quarantine.column("reason").to_pylist() == ["date_without_day", "unparseable_date"]


def test_an_unknown_fetch_time_loses_to_any_known_one():
    posts = _versions(
        [
            ("a", None, "k9", 9, "export"),
            ("a", T[0], "k0", 1, "scraped"),
            ("b", None, "k1", 1, "first line"),
            ("b", None, "k1", 7, "later line"),
        ]
    )
    got = latest(posts, _tombs([])).to_pylist()
    assert {r["post_id"]: r["title"] for r in got} == {"a": "scraped", "b": "later line"}


def test_plain_text_is_not_read_as_markup_html_is():
    text = "체온 <38도 이면\n해열제 <b>안</b> 먹여요"
    out = cleanse(
        _candidates(
            ["2024.03.05. 21:13"] * 2, [None] * 2, content=[text, text], is_html=[False, True], url=["u1", "u2"]
        ),
        key=b"k",
        quarantined_at=T[4],
    )
    plain, html = out.posts.sort_by("line_no").to_pylist()
    assert plain["content"] == "체온 38도 이면\n해열제 b 안 /b 먹여요"  # < and > are off the whitelist, not markup
    assert html["content"] == "체온 38도 이면\n해열제 안 먹여요"  # <b> is a tag
    assert (plain["url"], html["url"]) == ("u1", "u2")


def test_sha256_reads_the_buffers_of_any_slice():
    values = pa.array(["앞", "", "질문 본문", "a" * 1000, "끝"])
    for arr in (values, values.slice(1, 3), values.slice(5), pa.array([], pa.string())):
        assert _sha256(arr).to_pylist() == [hashlib.sha256(v.encode("utf-8")).hexdigest() for v in arr.to_pylist()]


def test_a_long_post_is_cut_at_a_character_kept_and_flagged():
    long = "각" * 30 + " ㅠㅠ e\u0301 끝"  # a decomposed é is composed (NFC) before it is counted: one character
    config = CleanseConfig(max_text_chars=35)
    out = cleanse(
        _candidates(
            ["2024.03.05. 21:13"] * 3, [None] * 3, title=["제목"] * 3, content=["짧은 글", long, "\u1100\u1161" * 40]
        ),
        key=b"k",
        quarantined_at=T[4],
        config=config,
    )
    assert out.quarantine.num_rows == 0  # nothing is dropped for its length
    short, cut, jamo = out.posts.sort_by("line_no").to_pylist()
    assert (short["question_text"], short["text_truncated"]) == ("제목\n짧은 글", False)
    assert cut["text_truncated"] and cut["question_text"] == "제목\n" + "각" * 30 + " ㅠ"  # 35 characters
    assert cut["content"] == "각" * 30 + " ㅠㅠ \u00e9"  # the content is cut at 35 too
    assert cut["content_hash"] == hashlib.sha256(cut["question_text"].encode()).hexdigest()  # of the kept text
    # conjoining jamo (ᄀ+ᅡ) compose to 가 before the cut: 40 syllables, never a split one
    assert jamo["text_truncated"] and jamo["question_text"] == "제목\n" + "가" * 32


def test_truncate_keeps_whole_characters_and_drops_a_dangling_space():
    values = pa.array(["가나다 라", "abc", "", None, "ㅋㅋㅋㅋ"])
    assert truncate(values, 4).to_pylist() == ["가나다", "abc", "", None, "ㅋㅋㅋㅋ"]
    assert all(len(v.encode("utf-8")) <= 12 for v in truncate(pa.array(["가" * 9]), 4).to_pylist())
