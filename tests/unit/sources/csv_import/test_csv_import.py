"""The CSV source: layouts, reading a file as it is, and mapping a row to a candidate post."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cafelake.errors import SourceError, UsageError
from cafelake.sources.base import Head, Reject
from cafelake.sources.csv_import import SOURCE
from cafelake.sources.csv_import.layout import EXPORT_COLUMNS, Layout, parse_layout
from cafelake.sources.csv_import.reader import Export

AT = datetime(2026, 12, 1, tzinfo=UTC)


def _head(article_id: int = 7) -> Head:
    return Head("csv_import", "naver_cafe", "1", "2", article_id, f"naver_cafe:1:{article_id}", AT, "ok")


def _write(tmp_path, text: str, encoding: str = "utf-8-sig"):
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_the_default_layout_is_the_old_studys_export():
    assert parse_layout(None) == Layout(EXPORT_COLUMNS, "naver_cafe")
    assert parse_layout(None, "naver_cafe").columns["article_id"] == "글번호"


def test_a_layout_from_the_command_line_or_a_yaml_file(tmp_path):
    assert parse_layout("article_id=no, title=subject ,date=when").columns == {
        "article_id": "no",
        "title": "subject",
        "date": "when",
    }
    spec = tmp_path / "layout.yaml"
    spec.write_text(
        "origin: naver_cafe\ncolumns: {article_id: 'no', content: body, date: when, author: who}\n", encoding="utf-8"
    )
    layout = parse_layout(str(spec))
    assert layout.columns["article_id"] == "no" and layout.origin == "naver_cafe"
    spec.write_text("columns: {article_id: no, content: body, date: when}\n", encoding="utf-8")
    with pytest.raises(UsageError, match="quote those YAML reads as something else"):
        parse_layout(str(spec))


@pytest.mark.parametrize(
    "spec, message",
    [
        ("title=a", "needs article_id, date"),
        ("article_id=a,date=b", "a title or a content column"),
        ("article_id=a,date=b,title=c,colour=d", "unknown roles"),
        ("article_id=a,date=a,title=c", "one header for two roles"),
        ("article_id", "expected role=Header"),
        ("missing.yaml", "no file"),
    ],
)
def test_a_bad_layout_says_what_is_wrong(spec, message):
    with pytest.raises(UsageError, match=message):
        parse_layout(spec)


def test_rows_are_read_as_the_file_has_them(tmp_path):
    path = _write(
        tmp_path,
        "URL,글번호,날짜,작성자,제목,내용\r\n"
        'u/7,7,2024.03.05. 21:13, 콩이맘 ,"열, 나요","첫 줄\n둘째 줄"\r\n'
        "\r\n"  # a blank line is no row
        "URL,글번호,날짜,작성자,제목,내용\r\n"  # a batch that wrote the header again
        "u/8,공지,,매니저,규칙,본문\r\n"
        "u/9,9,2024.03.06.,별이맘,한 칸 많은,행,이에요\r\n",
    )
    export = Export(path, parse_layout(None))
    rows = list(export)
    assert [aid for aid, _ in rows] == [7, "공지", 9] and export.header_repeats == 1
    first = rows[0][1]
    assert first["record"] == {
        "file": "export.csv",
        "line": 2,
        "row": {
            "URL": "u/7",
            "글번호": "7",
            "날짜": "2024.03.05. 21:13",
            "작성자": " 콩이맘 ",
            "제목": "열, 나요",
            "내용": "첫 줄\n둘째 줄",
        },
    }
    assert first["identity_keys"] == {"작성자": "n:"} and first["columns"] == EXPORT_COLUMNS
    ragged = rows[2][1]
    assert ragged["record"]["cells"][-1] == "이에요" and ragged["identity_keys"] == {"cells": "n:"}
    assert [r[1]["record"]["line"] for r in rows] == [2, 6, 7]  # the body's line break counts


def test_the_digest_changes_with_the_bytes_and_the_layout(tmp_path):
    path = _write(tmp_path, "URL,글번호,날짜,작성자,제목,내용\r\n")
    same = Export(path, parse_layout(None)).digest()
    assert same == Export(path, parse_layout(None)).digest()
    assert same != Export(path, parse_layout("article_id=글번호,date=날짜,title=제목")).digest()


@pytest.mark.parametrize(
    "text, encoding, message",
    [
        ("", "utf-8", "empty file"),
        ("URL,글번호,날짜\r\n", "utf-8", r"no column \['작성자', '제목', '내용'\]"),
        ("URL,URL,글번호,날짜,작성자,제목,내용\r\n", "utf-8", "names a column twice"),
        ("URL,글번호,날짜,작성자,제목,내용\r\nu,1,2024.01.01.,맘,제목,본문\r\n", "cp949", "not UTF-8 text"),
    ],
)
def test_a_file_that_cannot_be_imported_stops_before_anything_is_written(tmp_path, text, encoding, message):
    with pytest.raises(SourceError, match=message):
        list(Export(_write(tmp_path, text, encoding), parse_layout(None)))


def _envelope(row: dict, **extra) -> dict:
    return {
        "source": "csv_import",
        "origin": "naver_cafe",
        "columns": EXPORT_COLUMNS,
        "record": {"file": "f.csv", "line": 2, "row": row},
        **extra,
    }


ROW = {
    "URL": "https://cafe.naver.com/haneulmom/7",
    "글번호": "7",
    "날짜": "2024.03.05. 21:13",
    "작성자": " 콩이맘 ",
    "제목": "열, 나요",
    "내용": "첫 줄\n둘째 줄",
}


def test_a_row_is_a_plain_text_candidate_without_a_fetch_time():
    cand = SOURCE.candidate(_envelope(ROW), _head())
    assert cand._asdict() == {
        "menu_id": "2",
        "fetched_at": None,
        "url": "https://cafe.naver.com/haneulmom/7",
        "title": "열, 나요",
        "content": "첫 줄\n둘째 줄",
        "is_html": False,
        "raw_date": "2024.03.05. 21:13",
        "raw_date_alt": None,
        "author_id": None,
        "author_name": "콩이맘",
        "read_count": None,
        "comment_count": None,
    }


def test_a_layout_may_name_more_columns():
    columns = {**EXPORT_COLUMNS, "read_count": "조회", "fetched_at": "수집"}
    row = {**ROW, "조회": "1,234", "수집": "2024-03-06T01:00:00+09:00"}
    cand = SOURCE.candidate(_envelope(row, columns=columns), _head())
    assert cand.read_count == 1234 and cand.fetched_at == datetime(2024, 3, 5, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    "envelope, reason",
    [
        (_envelope({**ROW, "URL": "https://cafe.naver.com/haneulmom/8"}), "id_mismatch"),
        (
            _envelope({**ROW, "URL": "https://cafe.naver.com/haneulmom/8", "글번호": "8"})
            | {"record": {"line": 4, "header": list(ROW), "cells": ["u", "7", "x", "콩이맘", "a", "b", "c"]}},
            "ragged_row",
        ),
        ({"source": "csv_import", "record": {}}, "missing_payload"),
        (_envelope(ROW, columns={"title": "제목"}), "bad_layout"),
        (_envelope({**ROW, "수집": "어제"}, columns={**EXPORT_COLUMNS, "fetched_at": "수집"}), "bad_fetched_at"),
    ],
)
def test_rows_that_cannot_be_read_are_rejected_with_a_reason(envelope, reason):
    with pytest.raises(Reject) as rej:
        SOURCE.candidate(envelope, _head())
    assert rej.value.reason == reason and rej.value.post_id == "naver_cafe:1:7"
    if reason == "ragged_row":  # which cell is the author is unknown: the quarantine keeps only the ids
        assert "콩이맘" not in rej.value.payload and json.loads(rej.value.payload)["line"] == 4
