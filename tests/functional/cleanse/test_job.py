"""run_cleanse end to end on a tmp lake: reconciliation, re-runs, incremental = full, deletions, PII."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from cafelake.cleanse import run_cleanse
from cafelake.cleanse.authors import KEY_FILE, pseudonym
from cafelake.cleanse.job import MANIFEST, ReconciliationError
from cafelake.errors import UsageError
from cafelake.lake import Lake
from cafelake.raw import object_key
from cafelake.runs import read_runs, run_key
from cafelake.schemas import POSTS
from cafelake.settings import Settings

BOARD = ("naver_cafe", "10050146", "386")
DAY_MS = 86_400_000


def _posts(lake):
    return lake.read_table("posts").sort_by("post_id")


def _quarantine(lake):
    return (
        lake.read_table("_quarantine")
        .drop_columns(["quarantined_at"])
        .sort_by([("source_key", "ascending"), ("line_no", "ascending")])
    )


def _batches(make_envelope):
    """Three ingest days: new posts, edits, a deletion, a post whose date changes, a member-only post."""
    e = make_envelope
    day1 = [e(i, fetched_at="2026-11-18T01:00:00Z") for i in range(1, 31)] + [
        e(31, status="member_only", fetched_at="2026-11-18T01:00:00Z"),
        "{broken",
    ]
    day2 = [
        e(5, fetched_at="2026-11-19T01:00:00Z", html="<p>수정한 본문</p>"),
        e(6, status="deleted", fetched_at="2026-11-19T01:00:00Z"),
        e(7, fetched_at="2026-11-19T01:00:00Z", write_ms=e(7)["list_item"]["writeDateTimestamp"] + 3 * DAY_MS),
    ] + [e(i, fetched_at="2026-11-19T01:00:00Z") for i in range(40, 50)]
    day3 = [
        e(5, fetched_at="2026-11-18T00:00:00Z", html="<p>더 오래된 사본</p>"),  # older than day2's edit
        e(41, fetched_at="2026-11-20T01:00:00Z", html="<p>또 수정</p>"),
        e(6, fetched_at="2026-11-18T12:00:00Z"),
    ]  # an ok fetch older than the deletion
    return day1, day2, day3


def _write_all(lake, write_raw, batches):
    """Each batch under its own ingest date, the first two, or all three."""
    for n, (dt, lines) in enumerate(zip(["2026-11-18", "2026-11-19", "2026-11-20"], batches, strict=False)):
        write_raw(lake, lines, ingest_dt=dt, run_id=f"r{n}")


def test_counts_reconcile_and_the_run_summary_is_written(lake, make_envelope, write_raw):
    day1, day2, _ = _batches(make_envelope)
    write_raw(lake, day1 + day2 + [make_envelope(3, fetched_at="2026-11-17T00:00:00Z")])
    s = run_cleanse(lake)
    assert s.records_in == len(day1) + len(day2) + 1
    assert (s.cleansed, s.quarantined, s.duplicates) == (40, 2, 4)  # 3, 5, 7: older copies; 6: deleted later
    assert s.superseded_by_deletion == 1 and s.reconciles()
    saved = json.loads(lake.get_bytes("cleansed", run_key("cleanse", s.run_id)))
    assert saved["stage"] == "cleanse" and saved["run_id"] == s.run_id
    assert saved["records_in"] == saved["cleansed"] + saved["quarantined"] + saved["duplicates"]
    posts = _posts(lake)
    assert posts.num_rows == 40 and len(set(posts.column("post_id").to_pylist())) == 40
    assert "naver_cafe:10050146:6" not in posts.column("post_id").to_pylist()


def test_member_only_post_is_cleansed_from_the_list_item(lake, make_envelope, write_raw):
    write_raw(lake, [make_envelope(31, status="member_only", subject="돌 아기 기침 😷")])
    run_cleanse(lake)
    (row,) = _posts(lake).to_pylist()
    assert (row["title"], row["content"], row["question_text"]) == ("돌 아기 기침", "", "돌 아기 기침")
    assert row["post_hour"] is not None and row["author_key"]


def test_latest_fetch_wins_and_deletion_removes_an_earlier_post(lake, make_envelope, write_raw):
    day1, day2, day3 = _batches(make_envelope)
    _write_all(lake, write_raw, [day1])
    run_cleanse(lake)
    assert "naver_cafe:10050146:6" in _posts(lake).column("post_id").to_pylist()
    _write_all(lake, write_raw, [day1, day2, day3])
    s = run_cleanse(lake)
    posts = {r["post_id"]: r for r in _posts(lake).to_pylist()}
    assert "naver_cafe:10050146:6" not in posts and s.removed == 1  # deleted later: its older ok copy stays out
    assert posts["naver_cafe:10050146:5"]["content"] == "수정한 본문"
    assert posts["naver_cafe:10050146:41"]["content"] == "또 수정"


def test_a_post_whose_date_moved_leaves_its_old_partition(lake, make_envelope, write_raw):
    day1, day2, _ = _batches(make_envelope)
    _write_all(lake, write_raw, [day1])
    run_cleanse(lake)
    seven = pc.equal(_posts(lake).column("post_id"), "naver_cafe:10050146:7")
    old_dt = _posts(lake).filter(seven).column("dt")[0].as_py()
    _write_all(lake, write_raw, [day1, day2])
    run_cleanse(lake)
    rows = _posts(lake).filter(pc.equal(_posts(lake).column("post_id"), "naver_cafe:10050146:7")).to_pylist()
    assert len(rows) == 1 and rows[0]["dt"] != old_dt
    assert "naver_cafe:10050146:7" not in lake.read_table("posts", dts=[old_dt]).column("post_id").to_pylist()


def test_incremental_runs_equal_a_full_rebuild(lake, make_envelope, write_raw):
    batches = _batches(make_envelope)
    for n in range(1, 4):  # one ingest day at a time, as the daily schedule would
        _write_all(lake, write_raw, batches[:n])
        run_cleanse(lake)
    incremental, inc_q = _posts(lake), _quarantine(lake)
    s = run_cleanse(lake, full=True)
    assert s.reconciles() and s.objects == 3
    assert _posts(lake).equals(incremental)
    assert _quarantine(lake).equals(inc_q)


def test_rerun_gives_identical_output_and_never_duplicates(lake, make_envelope, write_raw):
    _write_all(lake, write_raw, _batches(make_envelope))
    run_cleanse(lake)
    first, first_q = _posts(lake), _quarantine(lake)
    assert run_cleanse(lake).objects == 0  # nothing new
    s = run_cleanse(lake, ingest_dts=["2026-11-18", "2026-11-19"])  # re-cleanse two days on purpose
    assert s.objects == 2 and s.reconciles()
    assert _posts(lake).equals(first) and _quarantine(lake).equals(first_q)
    run_cleanse(lake, full=True)
    run_cleanse(lake, full=True)
    assert _posts(lake).equals(first) and _quarantine(lake).equals(first_q)
    assert json.loads(lake.get_bytes("cleansed", MANIFEST))["objects"] == sorted(lake.list_keys("raw"))


def test_output_matches_the_contract(lake, make_envelope, write_raw):
    write_raw(lake, [make_envelope(9, write_ms=1_709_640_780_000)])  # 2024-03-05 21:13 KST
    run_cleanse(lake)
    posts = lake.read_table("posts")
    assert posts.schema.remove(posts.schema.get_field_index("dt")).equals(POSTS.schema)
    (row,) = posts.to_pylist()
    assert row["posted_at"] == datetime(2024, 3, 5, 12, 13, tzinfo=UTC)
    assert (str(row["post_date"]), row["post_hour"], row["dt"]) == ("2024-03-05", 21, "2024-03-05")
    assert row["url"] == "https://cafe.naver.com/ca-fe/cafes/10050146/articles/9"
    assert row["raw_date"] == "1709640780000"
    files = [p for p in (lake.root and __import__("pathlib").Path(lake.uri("cleansed", "posts"))).rglob("*.parquet")]
    assert pq.ParquetFile(files[0]).metadata.row_group(0).column(0).compression == "ZSTD"


def _identity_records(e, people):
    """Records carrying authors' names that the cleanse must quarantine, one of each kind."""
    (m0, n0), (m1, n1), (m2, n2), (m3, n3), (m4, n4), (m5, n5), (m6, n6) = people
    wrong_type = e(205, member=m4, nick=n4)
    wrong_type["article"]["result"]["article"]["readCount"] = "많음"
    bare_writer = e(206, member=m5, nick=n5)
    bare_writer["article"]["result"]["article"]["writer"] = n5
    return [
        json.dumps(e(201, member=m0, nick=n0), ensure_ascii=False)[:-60],  # truncated: bad_json
        json.dumps(e(202, member=m1, nick=n1))[:-60],  # truncated, \u-escaped names
        e(203, status="malformed", member=m2, nick=n2),
        e(204, status="deleted", member=m3, nick=n3),
        wrong_type,
        bare_writer,
        e(207, status="member_only", subject="", member=m6, nick=n6),  # empty_text
        ('{"article_id": 208, "list_item": {"writerNickname": "' + n6 + '"}, "x": "').encode() + b'\xff"}',
    ]


def _readable(lake) -> str:
    """Everything a reader of the cleansed zone can see: every Parquet file's decoded rows
    (posts, quarantine, state), and every other file as text."""
    out = []
    for path in sorted(p for p in Path(lake.uri("cleansed")).rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            out.append(json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False, default=str))
        else:
            out.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


def test_no_nickname_or_member_key_reaches_the_cleansed_zone(lake, make_envelope, write_raw):
    people = [(f"member-key-{i:03d}", f"닉네임{i:03d}") for i in range(27)]
    write_raw(
        lake,
        [make_envelope(i + 1, member=m, nick=n) for i, (m, n) in enumerate(people[:20])]
        + [make_envelope(99, member=None, nick="닉만있음")]
        + _identity_records(make_envelope, people[20:]),
    )
    damaged = gzip.compress(json.dumps(make_envelope(300, member="member-key-gz", nick="압축닉")).encode() * 40)
    lake.put_bytes("raw", object_key(*BOARD, "2026-11-20", "r1", 1), damaged[: len(damaged) // 2])
    s = run_cleanse(lake)
    assert s.quarantine_reasons == {
        "bad_encoding": 1,
        "bad_json": 2,
        "article_malformed": 1,
        "empty_text": 1,
        "source_deleted": 1,
        "unreadable_object": 1,
        "wrong_type": 2,
    }
    key = Path(lake.root, KEY_FILE).read_text().strip().encode()
    text = _readable(lake)
    assert pseudonym("m:member-key-020", key) in text  # the truncated line's author, pseudonymised
    names = [*(v for pair in people for v in pair), "닉만있음", "member-key-gz", "압축닉"]
    for name in names:
        assert name not in text and json.dumps(name)[1:-1] not in text, name
    rows = {r["article_id"]: r["author_key"] for r in lake.read_table("posts").to_pylist()}
    assert rows[1] == pseudonym("m:member-key-000", key) and rows[99] == pseudonym("n:닉만있음", key)


def test_author_keys_are_stable_across_runs_and_rebuilds(lake, make_envelope, write_raw):
    write_raw(lake, [make_envelope(1, member="A"), make_envelope(2, member="A"), make_envelope(3, member="B")])
    run_cleanse(lake)
    first = {r["post_id"]: r["author_key"] for r in lake.read_table("posts").to_pylist()}
    run_cleanse(lake, full=True)
    again = {r["post_id"]: r["author_key"] for r in lake.read_table("posts").to_pylist()}
    assert first == again
    assert first["naver_cafe:10050146:1"] == first["naver_cafe:10050146:2"] != first["naver_cafe:10050146:3"]


def test_the_configured_key_is_the_one_used_and_no_key_file_is_made(tmp_path, make_envelope, write_raw):
    lake = Lake(str(tmp_path / "uninitialised"))
    write_raw(lake, [make_envelope(1, member="A")])
    run_cleanse(lake, Settings.load({"CAFELAKE_PSEUDONYM_KEY": "the-operators-key"}))
    [row] = lake.read_table("posts").to_pylist()
    assert row["author_key"] == pseudonym("m:A", b"the-operators-key")
    assert not (lake.local_root() / KEY_FILE).exists()


def test_full_and_ingest_dts_are_exclusive(lake):
    with pytest.raises(UsageError, match="either full or ingest dates"):
        run_cleanse(lake, full=True, ingest_dts=["2026-11-20"])


def test_small_chunks_and_write_groups_give_the_same_posts(lake, make_envelope, write_raw, monkeypatch):
    """Memory is bounded by chunking: how the posts are chunked and grouped must not change them."""
    from cafelake.cleanse import job, merge

    _write_all(lake, write_raw, _batches(make_envelope))
    run_cleanse(lake, full=True)
    whole, whole_q = _posts(lake), _quarantine(lake)
    monkeypatch.setattr(job, "CHUNK_ROWS", 3)
    monkeypatch.setattr(merge, "WRITE_ROWS", 2)
    monkeypatch.setattr(merge, "SPILL_ROW_GROUP", 2)
    s = run_cleanse(lake, full=True)
    assert s.reconciles() and len(s.partitions_written) > 1
    assert _posts(lake).equals(whole) and _quarantine(lake).equals(whole_q)
    for n in range(1, 4):  # and incrementally, a day at a time
        run_cleanse(lake, ingest_dts=[f"2026-11-{17 + n}"])
    assert _posts(lake).equals(whole)


def _losing_one_row(lake, table: str, post_id: str | None = None):
    """lake.write_table that silently drops one row of `table` (that post's, or the first)."""
    real = lake.write_table

    def write_table(name, tbl):
        if getattr(name, "name", name) == table and tbl.num_rows:
            keep = (
                pc.not_equal(tbl.column("post_id"), post_id)
                if post_id
                else pa.array([False] + [True] * (tbl.num_rows - 1))
            )
            tbl = tbl.filter(pc.fill_null(keep, True))
        return real(name, tbl)

    return write_table


@pytest.mark.parametrize(
    ("table", "lost"),
    [
        ("posts", "naver_cafe:10050146:4"),  # a post of this run
        ("posts", "naver_cafe:10050146:1"),  # a post an earlier run wrote
        ("_quarantine", None),
    ],
)
def test_a_row_lost_on_write_fails_the_run_and_the_next_run_redoes_it(
    lake, make_envelope, write_raw, monkeypatch, table, lost
):
    write_raw(lake, [make_envelope(i) for i in (1, 2, 3)], ingest_dt="2026-11-19")
    run_cleanse(lake)
    write_raw(lake, [make_envelope(4), "{broken"], ingest_dt="2026-11-20")
    with monkeypatch.context() as m:
        m.setattr(lake, "write_table", _losing_one_row(lake, table, lost))
        with pytest.raises(ReconciliationError, match="does not reconcile"):
            run_cleanse(lake)
    assert not lake.exists("cleansed", MANIFEST) and len(read_runs(lake, "cleanse")) == 1  # not marked done
    s = run_cleanse(lake)
    assert s.objects == 2 and s.reconciles() and (s.cleansed, s.quarantined) == (4, 1)
    assert _posts(lake).column("article_id").to_pylist() == [1, 2, 3, 4]
    assert _quarantine(lake).column("reason").to_pylist() == ["bad_json"]


def test_the_config_is_recorded_and_a_change_rebuilds(lake, make_envelope, write_raw, tmp_path, monkeypatch):
    long_html = "<p>" + "가" * 300 + "</p>"
    write_raw(lake, [make_envelope(1, html="<p>열이 나요 ㅠㅠ</p>"), make_envelope(2, html=long_html)])
    first = run_cleanse(lake)
    assert (
        json.loads(lake.get_bytes("cleansed", MANIFEST))["config"]
        == first.config
        == {"keep_jamo": True, "max_text_chars": 50_000}
    )
    assert _posts(lake).column("content")[0].as_py() == "열이 나요 ㅠㅠ"
    assert run_cleanse(lake).objects == 0  # unchanged config: nothing to do
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "cleanse.yaml").write_text("keep_jamo: false\nmax_text_chars: 200\n")
    monkeypatch.setenv("CAFELAKE_CONFIG_DIR", str(tmp_path / "cfg"))
    s = run_cleanse(lake)
    assert s.full and s.objects == 1 and s.config == {"keep_jamo": False, "max_text_chars": 200}
    assert _posts(lake).column("content")[0].as_py() == "열이 나요"  # ㅠㅠ dropped
    assert _quarantine(lake).num_rows == 0  # the 300-character post is cut at 200, not quarantined
    assert _posts(lake).column("text_truncated").to_pylist() == [False, True]
    assert len(_posts(lake).column("content")[1].as_py()) == len(_posts(lake).column("question_text")[1].as_py()) == 200
    assert run_cleanse(lake).objects == 0
