"""run_import: records of a file as envelopes, in batches, once per file and layout."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cafelake.collect.importer import run_import
from cafelake.collect.lease import BoardBusy, acquire
from cafelake.collect.state import load_state
from cafelake.collect.writer import decode
from cafelake.lake import Lake
from cafelake.runs import read_runs
from cafelake.sources.base import Board

BOARD = Board("csv_import", "1", "2")
AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _records(n: int):
    return [(i if i % 4 else f"x{i}", {"record": {"line": i + 1}}) for i in range(1, n + 1)]


def test_records_become_envelopes_in_batches_with_the_run_and_seq(tmp_path):
    lake = Lake(str(tmp_path))
    s = run_import(
        lake, BOARD, _records(7), digest="ab" * 32, origin="naver_cafe", file="f.csv", batch=3, now=lambda: AT
    )
    assert (s.rows, s.objects_written, s.newest_article_id) == (7, 3, 7)  # x4 is not an id, 7 is the newest
    keys = lake.list_keys("raw", "csv_import")
    assert [k.rsplit("/", 1)[-1] for k in keys] == [f"20261201T093000Z-{'ab' * 8}-{i:05d}.jsonl.gz" for i in range(3)]
    envs = [e for k in keys for e in decode(lake.get_bytes("raw", k))]
    assert [e["seq"] for e in envs] == [0, 0, 0, 1, 1, 1, 2] and {e["origin"] for e in envs} == {"naver_cafe"}
    assert envs[3]["article_id"] == "x4" and envs[0]["fetched_at"] == "2026-12-01T09:30:00.000Z"
    [run] = read_runs(lake, "import")
    assert (run["stage"], run["run_id"], run["started_at"]) == ("import", s.run_id, "2026-12-01T09:30:00.000Z")
    assert run["rows"] == 7 and run["file"] == "f.csv"


def test_the_same_digest_is_imported_once(tmp_path):
    lake = Lake(str(tmp_path))
    first = run_import(lake, BOARD, _records(2), digest="cd" * 32, origin="naver_cafe", file="f.csv")
    again = run_import(lake, BOARD, _records(2), digest="cd" * 32, origin="naver_cafe", file="f.csv")
    assert again.already_imported == first.run_id and again.rows == 0
    other = run_import(lake, BOARD, _records(2), digest="ef" * 32, origin="naver_cafe", file="f.csv")
    assert other.already_imported is None and len(lake.list_keys("raw", "csv_import")) == 2


def test_mark_scraped_raises_the_origins_watermark_never_lowers_it_and_waits_for_no_scraper(tmp_path):
    lake = Lake(str(tmp_path))
    naver = Board("naver_cafe", "1", "2")
    s = run_import(lake, BOARD, _records(5), digest="01" * 32, origin="naver_cafe", file="f.csv", mark_scraped=True)
    assert s.watermark == 5 == load_state(lake, naver).watermark
    s = run_import(lake, BOARD, _records(3), digest="02" * 32, origin="naver_cafe", file="g.csv", mark_scraped=True)
    assert s.watermark == 5
    acquire(lake, naver, holder="a running scrape", seconds=900)
    with pytest.raises(BoardBusy):
        run_import(lake, BOARD, _records(9), digest="03" * 32, origin="naver_cafe", file="h.csv", mark_scraped=True)
    assert not [k for k in lake.list_keys("raw", "csv_import") if "-" + "03" * 8 + "-" in k]  # nothing written
