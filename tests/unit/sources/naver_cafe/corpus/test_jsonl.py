"""JsonlCorpus: a corpus file in the generator's format, served as the generator's corpus is."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
import requests

from cafelake.commands.generate import open_output, record
from cafelake.sources.naver_cafe.api import ARTICLE_PATH, LIST_PATH
from cafelake.sources.naver_cafe.corpus import Corpus
from cafelake.sources.naver_cafe.corpus.jsonl import CorpusFileError, JsonlCorpus
from cafelake.sources.naver_cafe.server import NaverServer


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(posts=120, seed=5, days=20)


def _write(path, corpus: Corpus, truth: bool = False):
    with open_output(path) as f:
        for art in corpus.iter_articles():
            f.write(json.dumps(record(art, truth), ensure_ascii=False) + "\n")
    return path


@pytest.mark.parametrize("name", ["board.jsonl", "board.jsonl.gz"])
def test_a_generated_file_reads_back_as_the_corpus_it_came_from(tmp_path, corpus, name):
    with JsonlCorpus(_write(tmp_path / name, corpus, truth=True)) as board:
        assert (board.club_id, board.menu_id, len(board)) == (corpus.club_id, corpus.menu_id, len(corpus))
        assert board.article_ids == list(corpus.article_ids)
        for aid in corpus.article_ids[::7]:
            mine, theirs = board.article(aid), corpus.article(aid)
            assert (mine.list_item, mine.responses, mine.broken) == (theirs.list_item, theirs.responses, theirs.broken)
            assert mine.truth["sentences"] == theirs.truth["sentences"]


def test_the_server_answers_a_file_as_it_answers_the_generated_corpus(tmp_path, corpus):
    """Every list page and body of the file, byte for byte what the same board generated in memory gives."""
    with (
        JsonlCorpus(_write(tmp_path / "board.jsonl", corpus)) as board,
        NaverServer(board) as from_file,
        NaverServer(corpus) as generated,
    ):

        def fetch(server, path, **params):
            r = requests.get(server.base_url + path, params=params, timeout=5)
            return r.status_code, r.content

        for page in (1, 2, 3):
            params = {
                "search.clubid": corpus.club_id,
                "search.menuid": corpus.menu_id,
                "search.page": page,
                "search.perPage": 50,
            }
            assert fetch(from_file, LIST_PATH, **params) == fetch(generated, LIST_PATH, **params)
        for aid in corpus.article_ids:
            path = ARTICLE_PATH.format(club_id=corpus.club_id, article_id=aid)
            assert fetch(from_file, path) == fetch(generated, path), aid


def _lines(tmp_path, *lines: str, name: str = "bad.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _line(aid: int = 7, menu: int = 31, cafe: int | None = 99, item_id: int | None = None) -> str:
    body = {"result": {"articleId": aid, "article": {}} | ({"cafeId": cafe} if cafe else {})}
    return json.dumps(
        {
            "article_id": aid,
            "responses": [[200, json.dumps(body)]],
            "list_item": {"articleId": item_id or aid, "menuId": menu, "subject": "열나요"},
        },
        ensure_ascii=False,
    )


GOOD = _line()


@pytest.mark.parametrize(
    "bad, line, says",
    [
        ('{"article_id": 8, "list_item": ', 2, "not JSON"),
        ("[1, 2]", 2, "expected a JSON object, got list"),
        (
            '{"article_id": "8", "list_item": {"articleId": 8}, "responses": [[200, "{}"]]}',
            2,
            "'article_id' must be a positive integer",
        ),
        ('{"article_id": 8, "list_item": [], "responses": [[200, "{}"]]}', 2, "'list_item' must be an object"),
        (
            '{"article_id": 8, "list_item": {"articleId": 9}, "responses": [[200, "{}"]]}',
            2,
            "'list_item.articleId' is 9, not the line's article_id 8",
        ),
        (
            '{"article_id": 8, "list_item": {"articleId": 8}, "responses": []}',
            2,
            "'responses' must be a non-empty list",
        ),
        (
            '{"article_id": 8, "list_item": {"articleId": 8}, "responses": [[200, {"result": {}}]]}',
            2,
            "'responses[0]' must be [http_status, body_text]",
        ),
        (
            '{"article_id": 8, "list_item": {"articleId": 8}, "responses": [[200, "{}"]], "truth": "x"}',
            2,
            "'truth' must be an object",
        ),
        (GOOD, 2, "article_id 7 again (first on line 1)"),
        (_line(aid=8, menu=32), 2, "menuId 32 is another board than 31"),
    ],
)
def test_a_bad_line_is_named_with_its_file_line_and_fault(tmp_path, bad, line, says):
    path = _lines(tmp_path, GOOD, bad)
    with pytest.raises(CorpusFileError) as exc:
        JsonlCorpus(path)
    assert (exc.value.path, exc.value.line) == (path, line)
    assert str(exc.value).startswith(f"{path}:{line}: ") and says in str(exc.value)


def test_ids_come_from_the_file_or_are_asked_for(tmp_path):
    with JsonlCorpus(_lines(tmp_path, "", GOOD, "")) as board:  # blank lines are allowed
        assert (board.club_id, board.menu_id, board.article_ids) == ("99", "31", [7])
    no_cafe = _lines(tmp_path, _line(cafe=None), name="no_cafe.jsonl")
    with pytest.raises(CorpusFileError, match=re.escape("no article body has result.cafeId: give the cafe id")):
        JsonlCorpus(no_cafe)
    with JsonlCorpus(no_cafe, club_id="5", menu_id="6") as board:
        assert (board.club_id, board.menu_id) == ("5", "6")


@pytest.mark.parametrize(
    "content, says", [(None, "no such file"), (b"", "no articles"), (b"not gzip at all", "not a readable gzip file")]
)
def test_an_unusable_file_says_why(tmp_path, content, says):
    path = tmp_path / ("board.jsonl.gz" if content and content.startswith(b"not") else "board.jsonl")
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CorpusFileError, match=says):
        JsonlCorpus(path)


def test_a_gzip_file_with_a_bad_line_names_the_line(tmp_path):
    path = tmp_path / "board.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(GOOD + "\n" + _line(aid=8, item_id=70) + "\n")
    with pytest.raises(CorpusFileError, match=r"board\.jsonl\.gz:2: 'list_item\.articleId' is 70, not .* 8"):
        JsonlCorpus(path)


def test_the_documented_minimal_example_is_a_corpus(tmp_path):
    doc = (Path(__file__).resolve().parents[5] / "docs" / "sample-corpus.md").read_text(encoding="utf-8")
    example = doc.split("## Serving your own corpus", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    with JsonlCorpus(_lines(tmp_path, example.strip(), name="doc.jsonl")) as board:
        assert (board.club_id, board.menu_id, board.article_ids) == ("27182818", "31", [901, 907])
        assert [board.article(a).responses[0][0] for a in board.article_ids] == [200, 401]
