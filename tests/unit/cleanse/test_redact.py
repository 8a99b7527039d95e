"""Quarantine payloads: every author identity becomes its pseudonym, parseable or not.

The identity keys are the registered sources' own (Naver's memberKey, writerNickname, nick and
the writer object) plus what an envelope declares (a CSV export's author column).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from cafelake.cleanse.authors import pseudonym
from cafelake.cleanse.redact import Identities, redact_payload, redact_quarantine
from cafelake.schemas import QUARANTINE

KEY = b"k"
IDS = Identities.registered()
NICK, MEMBER = '콩이맘"1', "mk-Secret_22"  # a quote in the nickname: escaping must not leak it


def _envelope() -> dict:
    return {
        "club_id": "1",
        "article_id": 7,
        "article_status": "malformed",
        "list_item": {"articleId": 7, "writerNickname": NICK, "memberKey": MEMBER, "subject": "열"},
        "article": {
            "result": {
                "article": {"writer": {"memberKey": MEMBER, "nick": NICK}, "comments": [{"writer": {"nick": "댓글닉"}}]}
            }
        },
    }


def _leaks(text: str) -> list[str]:
    """Any identity's first two characters, raw or JSON-escaped: a cut-off value must not leak even those."""
    fragments = {f for ident in (NICK, MEMBER, "댓글닉") for f in (ident[:2], json.dumps(ident)[1:7])}
    return [f for f in fragments if f in text]


def test_parseable_json_is_walked_and_keeps_everything_else():
    got = json.loads(redact_payload(json.dumps(_envelope(), ensure_ascii=False), KEY, IDS))
    item, body = got["list_item"], got["article"]["result"]["article"]
    assert item["writerNickname"] == body["writer"]["nick"] == pseudonym("n:" + NICK, KEY)
    assert item["memberKey"] == body["writer"]["memberKey"] == pseudonym("m:" + MEMBER, KEY)
    assert body["comments"][0]["writer"]["nick"] == pseudonym("n:댓글닉", KEY)
    assert (item["subject"], got["article_id"], got["article_status"]) == ("열", 7, "malformed")


@pytest.mark.parametrize("ascii_only", [False, True])
def test_truncated_json_leaks_nothing_wherever_it_is_cut(ascii_only):
    line = json.dumps(_envelope(), ensure_ascii=ascii_only)
    assert _leaks(line)
    for cut in range(1, len(line)):
        got = redact_payload(line[:cut], KEY, IDS)
        assert not _leaks(got), (cut, got)
    before_subject = line[: line.index('"subject"')]
    assert pseudonym("m:" + MEMBER, KEY) in redact_payload(before_subject, KEY, IDS)  # the pseudonym author_key uses


def test_a_value_cut_short_is_hashed_too():
    got = redact_payload('{"list_item": {"writerNickname": "콩이', KEY, IDS)
    assert "콩이" not in got and got.endswith(pseudonym("n:콩이", KEY))


def test_numbers_bare_writers_and_empty_values():
    got = json.loads(redact_payload('{"memberKey": 12345, "writer": "닉네임", "nick": "", "x": null}', KEY, IDS))
    assert got == {"memberKey": pseudonym("m:12345", KEY), "writer": pseudonym("n:닉네임", KEY), "nick": "", "x": None}
    broken = redact_payload('{"memberKey": 12345, "writer": "닉네임", "cut', KEY, IDS)
    assert "12345" not in broken and "닉네임" not in broken
    listed = redact_payload('{"writer": [{"nick": "닉네임"}, "별명"], "cut', KEY, IDS)  # a container's list is scanned
    assert "닉네임" not in listed and pseudonym("n:닉네임", KEY) in listed


def test_redact_quarantine_replaces_only_the_payload_column():
    rows = [
        {
            "ingest_dt": "d",
            "source_key": "k",
            "line_no": 1,
            "post_id": None,
            "reason": "bad_json",
            "detail": "x",
            "payload": '{"nick": "' + "비밀닉",
            "quarantined_at": datetime(2026, 1, 1, tzinfo=UTC),
        },
        {
            "ingest_dt": "d",
            "source_key": "k",
            "line_no": 0,
            "post_id": None,
            "reason": "unreadable_object",
            "detail": "x",
            "payload": None,
            "quarantined_at": datetime(2026, 1, 1, tzinfo=UTC),
        },
    ]
    q = pa.Table.from_pylist(rows, schema=QUARANTINE.schema)
    got = redact_quarantine(q, KEY)
    assert got.schema == q.schema and got.drop_columns(["payload"]).equals(q.drop_columns(["payload"]))
    assert got.column("payload").to_pylist() == ['{"nick": "' + pseudonym("n:비밀닉", KEY), None]


def test_an_envelope_declares_its_own_identity_keys_parsed_or_cut():
    env = {
        "source": "csv_import",
        "identity_keys": {"작성자": "n:", "회원": "m:"},
        "record": {"row": {"제목": "열이 나요", "작성자": NICK, "회원": MEMBER}},
    }
    got = json.loads(redact_payload(json.dumps(env, ensure_ascii=False), KEY, IDS))
    assert got["record"]["row"] == {
        "제목": "열이 나요",
        "작성자": pseudonym("n:" + NICK, KEY),
        "회원": pseudonym("m:" + MEMBER, KEY),
    }
    line = json.dumps(env, ensure_ascii=False)
    for cut in range(line.index('"record"'), len(line)):
        assert not _leaks(redact_payload(line[:cut], KEY, IDS)), cut
    assert json.loads(redact_payload(json.dumps({"작성자": NICK}, ensure_ascii=False), KEY, IDS)) == {"작성자": NICK}


def test_a_declared_list_is_hashed_whole_parsed_or_cut():
    env = {"identity_keys": {"cells": "n:"}, "record": {"cells": ["1", NICK, "a,b"]}}
    line = json.dumps(env, ensure_ascii=False)
    assert json.loads(redact_payload(line, KEY, IDS))["record"]["cells"] == pseudonym(
        "n:" + json.dumps(["1", NICK, "a,b"], ensure_ascii=False), KEY
    )
    for cut in range(line.index('"record"'), len(line)):
        assert not _leaks(redact_payload(line[:cut], KEY, IDS)), cut


def test_declared_keys_must_name_a_known_kind():
    env = {"identity_keys": {"제목": "x:", "작성자": "n:"}, "row": {"제목": "열", "작성자": "닉"}}
    got = json.loads(redact_payload(json.dumps(env, ensure_ascii=False), KEY, IDS))
    assert got["row"] == {"제목": "열", "작성자": pseudonym("n:닉", KEY)}
