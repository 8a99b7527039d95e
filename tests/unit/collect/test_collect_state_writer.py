"""Board state round trip, envelope contract, deterministic raw keys, quarantine objects."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timezone
from pathlib import Path

import pytest

from cafelake.collect.state import BoardState, Checkpoint, load_state, save_state
from cafelake.collect.writer import RawWriter, decode, encode, envelope, ingest_date, iso_z
from cafelake.lake import Lake
from cafelake.raw import ENVELOPE_FIELDS, object_key, state_key
from cafelake.sources.base import Board

ITEM = {"articleId": 42, "subject": "기침", "writeDateTimestamp": 1709640780000}
WHEN = datetime(2026, 3, 5, 12, 13, 14, 567890, tzinfo=UTC)
BOARD = Board("naver_cafe", "1", "2")


def test_state_round_trip(tmp_path):
    lake = Lake(str(tmp_path))
    assert load_state(lake, BOARD) == BoardState()
    state = BoardState(
        watermark=10,
        checkpoint=Checkpoint(
            "r1",
            "t",
            10,
            5,
            page=3,
            seq=2,
            ingest_dt="2026-03-05",
            ceiling=99,
            cursor=50,
            stuck_page=4,
            stuck_page_runs=1,
            not_before="2026-03-05T12:00:00.000Z",
            totals={"ok": 3},
        ),
    )
    save_state(lake, BOARD, state)
    assert lake.exists("raw", state_key(*BOARD))
    assert load_state(lake, BOARD) == state
    assert load_state(lake, BOARD._replace(menu_id="3")) == BoardState()


def test_a_checkpoint_saved_before_the_newer_fields_still_loads(tmp_path):
    lake = Lake(str(tmp_path))
    old = {
        "watermark": 10,
        "last_run_id": None,
        "last_completed_at": None,
        "checkpoint": {
            "run_id": "r1",
            "started_at": "t",
            "base_watermark": 10,
            "horizon_ms": 5,
            "per_page": 50,
            "page": 3,
            "seq": 2,
            "ceiling": 99,
            "cursor": 50,
            "lookback_done": 0,
            "stuck_id": None,
            "stuck_runs": 0,
            "invocations": 1,
            "totals": {},
        },
    }
    lake.put_bytes("raw", state_key(*BOARD), json.dumps(old).encode())
    cp = load_state(lake, BOARD).checkpoint
    assert (cp.page, cp.seq, cp.ingest_dt, cp.not_before, cp.stuck_page) == (3, 2, "", None, None)


def test_envelope_has_the_contract_fields_around_the_source_payload():
    env = envelope(BOARD, 42, "deleted", {"list_item": ITEM, "article": None}, run_id="r", seq=3, fetched_at=WHEN)
    assert set(env) == set(ENVELOPE_FIELDS) - {"origin"} | {"list_item", "article"}
    assert env["article_id"] == 42 and env["list_item"] is ITEM and env["fetched_at"] == "2026-03-05T12:13:14.567Z"
    assert list(env)[:4] == ["source", "club_id", "menu_id", "article_id"] and env["source"] == "naver_cafe"
    other = envelope(
        BOARD._replace(source="csv_import"),
        "공지",
        "ok",
        {"record": {}},
        run_id="r",
        seq=0,
        fetched_at=WHEN,
        origin="naver_cafe",
    )
    assert (other["source"], other["origin"], other["article_id"]) == ("csv_import", "naver_cafe", "공지")
    with pytest.raises(ValueError, match="article_status"):
        envelope(BOARD, 42, "gone", {}, run_id="r", seq=3, fetched_at=WHEN)


def test_iso_z_and_ingest_date_are_utc():
    from datetime import timedelta

    kst = timezone(timedelta(hours=9))
    assert iso_z(datetime(2026, 3, 5, 21, 0, tzinfo=kst)) == "2026-03-05T12:00:00.000Z"
    assert ingest_date(datetime(2026, 3, 6, 8, 59, tzinfo=kst)) == "2026-03-05"


def test_rewriting_a_seq_replaces_the_object_byte_for_byte(tmp_path):
    lake = Lake(str(tmp_path))
    writer = RawWriter(lake, BOARD, "run-a", now=lambda: WHEN)
    envs = [
        envelope(
            BOARD,
            42,
            "ok",
            {"list_item": ITEM, "article": {"result": {"article": {"id": 42}}}},
            run_id="run-a",
            seq=0,
            fetched_at=WHEN,
        )
    ]
    key = writer.write(0, envs, ingest_dt="2026-03-04")
    first = lake.get_bytes("raw", key)
    assert writer.write(0, envs, ingest_dt="2026-03-04") == key == object_key(*BOARD, "2026-03-04", "run-a", 0)
    assert lake.list_keys("raw") == [key]
    assert lake.get_bytes("raw", key) == first and encode(envs) == first
    assert decode(first) == envs


def test_quarantine_keeps_text_and_reason_hidden_from_readers(tmp_path):
    lake = Lake(str(tmp_path))
    key = RawWriter(lake, BOARD, "run-a", now=lambda: WHEN).quarantine(
        "article-42", "invalid JSON", '{"res', ingest_dt="2026-03-05", article_id=42
    )
    assert key.startswith("_quarantine/naver_cafe/club_id=1/menu_id=2/ingest_dt=2026-03-05/run-a-")
    doc = json.loads(lake.get_bytes("raw", key))
    assert doc["reason"] == "invalid JSON" and doc["text"] == '{"res' and doc["article_id"] == 42
    assert lake.list_keys("raw") == []


def test_scraper_handler_and_its_source_import_nothing_the_lambda_bundle_lacks():
    root = Path(__file__).resolve().parents[3]
    code = (
        "import sys; sys.path.insert(0, 'lambdas/scraper'); import cafelake.collect, handler; "
        "import cafelake.sources.naver_cafe.server; from cafelake import sources; "
        "sources.listing(sources.default_name()).load_session(); "
        "bad = {'pyarrow', 'pandas', 'numpy', 'yaml', 'pydantic', 'pydantic_core'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
