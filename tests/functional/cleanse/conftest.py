"""Raw-zone builders for the cleanse tests: gzip JSONL envelopes written with Lake.put_bytes."""

from __future__ import annotations

import gzip
import json

import pytest

from cafelake.cleanse.authors import create_key
from cafelake.lake import Lake
from cafelake.raw import object_key

CLUB, MENU = "10050146", "386"
BASE_MS = 1_730_000_000_000  # 2024-10-27 12:33:20 KST


def envelope(
    article_id,
    *,
    status="ok",
    fetched_at="2026-11-20T01:00:00Z",
    html="<p>아기가 열이 나요</p>",
    subject=None,
    write_ms=None,
    member="mk-1",
    nick="콩이맘",
    read=10,
    comments=2,
    run_id="r1",
):
    subject = f"열이 나요 {article_id}" if subject is None else subject
    write_ms = BASE_MS + article_id * 3_600_000 if write_ms is None else write_ms
    item = {
        "articleId": article_id,
        "subject": subject,
        "writerNickname": nick,
        "memberKey": member,
        "writeDateTimestamp": write_ms,
        "readCount": read,
        "commentCount": comments,
        "menuId": int(MENU),
    }
    body = {
        "result": {
            "article": {
                "id": article_id,
                "subject": subject,
                "writer": {"memberKey": member, "nick": nick},
                "writeDate": write_ms,
                "readCount": read,
                "commentCount": comments,
                "contentHtml": html,
                "menu": {"id": int(MENU)},
            }
        }
    }
    return {
        "source": "naver_cafe",
        "club_id": CLUB,
        "menu_id": MENU,
        "article_id": article_id,
        "run_id": run_id,
        "seq": 0,
        "fetched_at": fetched_at,
        "list_item": item,
        "article": body if status == "ok" else None,
        "article_status": status,
    }


def put_raw(lake: Lake, lines, *, ingest_dt="2026-11-20", run_id="r1", seq=0) -> str:
    """Write one raw object; `lines` holds envelopes (dicts) or raw text lines (str/bytes)."""

    def encode(line):
        if isinstance(line, bytes):
            return line
        return (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)).encode("utf-8")

    key = object_key("naver_cafe", CLUB, MENU, ingest_dt, run_id, seq)
    lake.put_bytes("raw", key, gzip.compress(b"\n".join(encode(x) for x in lines) + b"\n"))
    return key


@pytest.fixture
def lake(tmp_path, monkeypatch) -> Lake:
    """A lake made as `cafelake init` makes one: the folder and its pseudonym key."""
    monkeypatch.delenv("CAFELAKE_PSEUDONYM_KEY", raising=False)
    lake = Lake(str(tmp_path / "lake"))
    create_key(lake)
    return lake


@pytest.fixture
def make_envelope():
    return envelope


@pytest.fixture
def write_raw():
    return put_raw
