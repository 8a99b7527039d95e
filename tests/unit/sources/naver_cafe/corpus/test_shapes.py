"""Naver JSON shapes, statuses, revisions and every deliberate defect, checked on 20k posts."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest

from cafelake.sources.naver_cafe.corpus import BROKEN_KINDS, ODD_DATE_KINDS
from cafelake.sources.naver_cafe.corpus.calendar import KST
from cafelake.sources.naver_cafe.corpus.model import OVERSIZED_CHARS

LIST_FIELDS = {
    "articleId": int,
    "subject": str,
    "writerNickname": str,
    "memberKey": str,
    "writeDateTimestamp": int,
    "readCount": int,
    "commentCount": int,
    "menuId": int,
    "newArticle": bool,
    "attachImage": bool,
}


def body(text: str) -> dict:
    return json.loads(text)["result"]["article"]


def test_list_items_have_the_list_api_fields(corpus, articles):
    for a in articles:
        item = a.list_item
        for key, kind in LIST_FIELDS.items():
            if key == "writeDateTimestamp" and (a.broken in ODD_DATE_KINDS or a.broken == "bad_date"):
                assert key not in item and isinstance(item["writeDate"], str)
            elif key == "readCount" and a.broken == "wrong_types":
                assert item[key] == "많음"
            else:
                assert type(item[key]) is kind, (a.article_id, key)
        assert item["articleId"] == a.article_id and item["menuId"] == int(corpus.menu_id)


def test_clean_responses_parse_with_the_article_fields(articles):
    clean = [a for a in articles if a.broken is None]
    for a in clean:
        if a.status == "member_only":
            assert [code for code, _ in a.responses] == [401]
            assert json.loads(a.responses[0][1])["result"]["errorCode"]
            continue
        if a.status == "deleted":
            assert [code for code, _ in a.responses] == [404]
            assert json.loads(a.responses[0][1])["result"]["reason"]
            continue
        for code, text in a.responses:
            art = body(text)
            assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))  # compact
            assert code == 200 and art["id"] == a.article_id
            assert isinstance(art["subject"], str) and art["subject"]
            assert set(art["writer"]) >= {"memberKey", "nick"}
            assert art["writer"]["memberKey"] == a.list_item["memberKey"]
            assert isinstance(art["writeDate"], int) and art["writeDate"] == a.truth["posted_ms"]
            assert isinstance(art["readCount"], int) and isinstance(art["commentCount"], int)
            assert isinstance(art["contentHtml"], str)
            assert art["isBlind"] is (a.status == "blind") and art["isOpen"] is (a.status != "private")
            assert art["menu"]["id"] == a.list_item["menuId"]
            if a.status == "ok":
                assert art["contentHtml"] and art["isReadable"]


def test_edited_articles_change_and_gain_reads(articles):
    edited = [a for a in articles if len(a.responses) > 1]
    assert edited
    for a in edited:
        first, last = body(a.responses[0][1]), body(a.responses[-1][1])
        assert last["readCount"] > first["readCount"] and last["commentCount"] > first["commentCount"]
        assert last["contentHtml"] != first["contentHtml"]
        assert a.list_item["subject"] == first["subject"]


def parse_odd_date(text: str, as_of: datetime) -> tuple[datetime, str]:
    """An independent reading of Naver's date forms: (KST instant, precision)."""
    today = as_of - timedelta(days=1)
    if m := re.fullmatch(r"(\d{4})\.(\d{2})\.(\d{2})\. (\d{2}):(\d{2})", text):
        return datetime(*map(int, m.groups()), tzinfo=KST), "minute"
    if m := re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{2})\.", text):
        y, mo, d = map(int, m.groups())
        return datetime(2000 + y, mo, d, tzinfo=KST), "day"
    if m := re.fullmatch(r"(\d{2}):(\d{2})", text):
        return today.replace(hour=int(m[1]), minute=int(m[2])), "minute"
    if m := re.fullmatch(r"(오전|오후) (\d{1,2}):(\d{2})", text):
        return today.replace(hour=int(m[2]) % 12 + (12 if m[1] == "오후" else 0), minute=int(m[3])), "minute"
    if m := re.fullmatch(r"(\d+)(분|시간) 전", text):
        return as_of - timedelta(minutes=int(m[1]) * (60 if m[2] == "시간" else 1)), m[2]
    if text == "어제":
        return today - timedelta(days=1), "day"
    raise ValueError(text)


def test_odd_date_forms_read_back_to_the_true_time(corpus, articles):
    as_of = corpus.as_of.astimezone(KST)
    odd = [a for a in articles if a.broken in ODD_DATE_KINDS]
    for a in odd:
        text = body(a.responses[0][1])["writeDate"]
        assert a.list_item["writeDate"] == text
        when, precision = parse_odd_date(text, as_of)
        true = a.truth["posted_at"].astimezone(KST)
        if precision == "day":
            assert when.date() == true.date(), (text, true)
        elif precision == "minute":
            assert when == true.replace(second=0, microsecond=0), (text, true)
        else:  # "N분/시간 전": whole units elapsed since the post, counted back from as_of
            unit = timedelta(hours=1) if precision == "시간" else timedelta(minutes=1)
            assert when - unit < true <= when, (text, true)


@pytest.mark.parametrize("kind", BROKEN_KINDS)
def test_each_broken_kind_is_broken_that_way(articles, kind):
    cases = [a for a in articles if a.broken == kind]
    assert cases
    for a in cases:
        [(code, text)] = a.responses
        assert code == 200
        if kind == "truncated_json":
            with pytest.raises(json.JSONDecodeError):
                json.loads(text)
            continue
        doc = json.loads(text)
        art = doc["result"]["article"]
        if kind == "missing_subject":
            assert "subject" not in art
        elif kind == "missing_writer":
            assert "writer" not in art
        elif kind == "missing_article_id":
            assert "id" not in art and "articleId" not in doc["result"]
        elif kind == "bad_date":
            assert art["writeDate"] == a.list_item["writeDate"] == "2024.13.45."
        elif kind == "empty_content":
            assert art["subject"] == art["contentHtml"] == a.list_item["subject"] == ""
        elif kind == "oversized_content":
            assert len(art["contentHtml"]) > OVERSIZED_CHARS
        elif kind == "wrong_types":
            assert art["readCount"] == "많음"
