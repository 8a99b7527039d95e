"""The old study's export, imported, then the same board scraped from the local server: one lake, one post each.

`data/old_study_export.csv` is written by hand as the study's Selenium script wrote it through pandas
(`to_csv(index=False, encoding="utf-8-sig")` on Windows, then appended to by a second batch that wrote
the header again): a byte-order mark, CRLF rows, a body with line breaks, a comma and doubled quotes,
rows repeated by the second batch (one with an edited body), a row without a date, the board's pinned
notice (글번호 `공지`), a date as the board shows today's posts (`21:13`) and a day-only date. It is
an export of the board `data/hand_board.jsonl` (tests/functional/sources/naver_cafe) serves: articles
850-895 only the export has, 901-910 both have (on the server 907 is member-only and 910 deleted).
"""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from cafelake.cleanse import run_cleanse
from cafelake.cleanse.authors import pseudonym
from cafelake.collect import run_scrape
from cafelake.lake import Lake
from cafelake.sources.naver_cafe.corpus.jsonl import JsonlCorpus
from cafelake.sources.naver_cafe.server import NaverServer

pytestmark = pytest.mark.slow  # Kiwi

HERE = Path(__file__).parent
EXPORT = HERE / "data" / "old_study_export.csv"
BOARD = HERE.parent / "naver_cafe" / "data" / "hand_board.jsonl"
CLUB, MENU = "27182818", "31"
KEY = b"test-pseudonym-key"
ROWS = 13  # data rows in the export: 15 lines less the header and its repeat


def _import(lake: Lake, *args: str):
    app = importlib.import_module("cafelake.commands.import_").app
    return CliRunner().invoke(
        app,
        ["csv", str(EXPORT), "--club-id", CLUB, "--menu-id", MENU, "--lake", lake.root, *args],
        env={"COLUMNS": "200"},
    )


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    """Import, scrape, cleanse and tokenize once; the tests read the lake."""
    from cafelake.tokenize import run_tokenize

    lake = Lake(str(tmp_path_factory.mktemp("merge") / "lake"))
    first = _import(lake)
    again = _import(lake)
    with JsonlCorpus(BOARD) as corpus, NaverServer(corpus) as server:
        scrape = run_scrape(lake, server.base_url, CLUB, MENU, rate_limit=0)
    cleanse = run_cleanse(lake, key=KEY)
    tokenize = run_tokenize(lake)
    posts = {r["article_id"]: r for r in lake.read_table("posts").to_pylist()}
    return lake, first, again, scrape, cleanse, tokenize, posts


def test_the_import_writes_every_row_once_and_not_again(merged):
    lake, first, again, *_ = merged
    assert first.exit_code == 0, first.output
    said = " ".join(first.output.split())
    assert f"{ROWS} rows" in said and "1 repeated header lines left out" in said
    assert again.exit_code == 0 and "imported this way already" in " ".join(again.output.split())
    keys = lake.list_keys("raw", "csv_import")
    assert len(keys) == 1 and keys[0].startswith(f"csv_import/club_id={CLUB}/menu_id={MENU}/ingest_dt=")
    from cafelake.collect.writer import decode

    envelopes = decode(lake.get_bytes("raw", keys[0]))
    assert len(envelopes) == ROWS
    assert {e["source"] for e in envelopes} == {"csv_import"} and {e["origin"] for e in envelopes} == {"naver_cafe"}
    second = next(e for e in envelopes if e["article_id"] == 863)["record"]
    assert second["row"]["내용"] == '밤새 기침을 해요\n"컹컹" 소리가 나요' and second["line"] == 3  # untouched
    assert next(e for e in envelopes if e["record"]["row"]["글번호"] == "공지")["article_id"] == "공지"


def test_counts_reconcile_and_every_unreadable_row_has_its_reason(merged):
    lake, _, _, scrape, cleanse, *_ = merged
    assert scrape.complete and scrape.articles_fetched == 6
    assert cleanse.records_in == ROWS + 6 and cleanse.reconciles()
    reasons = {}
    for q in lake.read_table("_quarantine").to_pylist():
        reasons.setdefault(q["reason"], []).append(q["post_id"])
    assert reasons == {
        "wrong_type": [None],  # the pinned notice: 글번호 '공지' is not an article number
        "missing_date": [f"naver_cafe:{CLUB}:877"],
        "date_needs_fetch_time": [f"naver_cafe:{CLUB}:889"],  # '21:13': today, but which day was that?
        "source_deleted": [f"naver_cafe:{CLUB}:910"],
        "article_malformed": [f"naver_cafe:{CLUB}:915"],
    }
    # superseded: 850, 863, 901 repeated in the export, 901, 904, 907 scraped too, 910 deleted since
    assert (cleanse.duplicates, cleanse.superseded_by_deletion) == (3 + 3 + 1, 1)
    assert cleanse.cleansed == len(merged[-1]) == 7  # one version per post


def test_the_same_article_imported_and_scraped_is_one_post_and_the_scrape_wins(merged):
    *_, posts = merged
    assert sorted(posts) == [850, 863, 895, 901, 904, 907, 912]
    scraped, exported = posts[901], posts[850]
    assert scraped["post_id"] == f"naver_cafe:{CLUB}:901" and scraped["source"] == "naver_cafe"
    assert scraped["fetched_at"] is not None and "해열제 먹였는데" in scraped["content"]  # the API's body
    assert scraped["url"] == f"https://cafe.naver.com/ca-fe/cafes/{CLUB}/articles/901"
    assert exported["fetched_at"] is None and exported["url"] == "https://cafe.naver.com/haneulmom/850"
    assert exported["post_id"] == f"naver_cafe:{CLUB}:850" and exported["menu_id"] == MENU
    assert posts[863]["content"].endswith("소아과에서 크룹이래요")  # the later line of the export wins
    assert posts[863]["content"].startswith('밤새 기침을 해요\n"컹컹" 소리가 나요')  # plain text: its break is kept
    assert (posts[895]["time_known"], str(posts[895]["post_date"])) == (False, "2026-02-28")
    assert (exported["post_hour"], str(exported["post_date"])) == (21, "2026-02-20")
    # the fresher record wins even when it holds less: scraped without a member session, 907 has no body
    assert posts[907]["content"] == "" and posts[907]["fetched_at"] is not None


def test_an_author_is_one_key_per_identity_the_export_has_only_the_nickname(merged):
    *_, posts = merged
    assert posts[850]["author_key"] == pseudonym("n:콩이맘", KEY)  # only in the export: its nickname
    assert posts[901]["author_key"] == pseudonym("m:mkKongi", KEY)  # scraped: Naver's member key wins
    assert posts[850]["author_key"] != posts[901]["author_key"]  # the same person, two keys (docs/adding-a-source.md)
    assert posts[895]["author_key"] == pseudonym("n:라온맘", KEY) != posts[907]["author_key"]


def test_nicknames_do_not_reach_the_cleansed_zone(merged):
    lake, *_ = merged
    text = json.dumps(lake.read_table("_quarantine").to_pylist(), ensure_ascii=False, default=str)
    for nick in ("콩이맘", "하루맘", "별이맘", "매니저", "mkHaru"):
        assert nick not in text, nick
    assert pseudonym("n:하루맘", KEY) in text  # 877's author, replaced by the pseudonym author_key uses


def test_imported_posts_are_tokenized_like_scraped_ones(merged):
    lake, *_, tokenize, posts = merged
    assert tokenize.posts_in == len(posts)
    dim = lake.read_table("posts_dim")
    assert sorted(dim.column("post_id").to_pylist()) == sorted(p["post_id"] for p in posts.values())
    groups = lake.read_table("post_keyword_groups")
    fever = {r["group_id"] for r in lake.read_table("keyword_groups_dim").to_pylist() if r["group_name"] == "fever"}
    hit = groups.filter(pc.is_in(groups.column("group_id"), value_set=pc.cast(list(fever), "int32")))
    assert f"naver_cafe:{CLUB}:850" in hit.column("post_id").to_pylist()  # 돌쟁이 열이 39도예요: from the export


def test_the_checks_pass_on_the_merged_lake(merged):
    from cafelake.athena.checks import run_checks

    lake, *_ = merged
    failed = [(r.name, r.sample.to_dict("records")) for r in run_checks(lake) if not r.passed]
    assert failed == []


def test_mark_scraped_lets_the_next_scrape_start_above_the_export(tmp_path):
    """The export covers the board up to 910: the scraper's first run then fetches only what is newer (912, 915)
    and its look-back, instead of walking the whole board."""
    from cafelake.collect.state import load_state
    from cafelake.sources.base import Board

    lake = Lake(str(tmp_path / "lake"))
    done = _import(lake, "--mark-scraped")
    assert done.exit_code == 0 and "watermark" in done.output and "is now 910" in " ".join(done.output.split())
    assert load_state(lake, Board("naver_cafe", CLUB, MENU)).watermark == 910
    with JsonlCorpus(BOARD) as corpus, NaverServer(corpus) as server:
        summary = run_scrape(
            lake, server.base_url, CLUB, MENU, rate_limit=0, lookback=0, now=lambda: datetime(2026, 3, 6, tzinfo=UTC)
        )
    assert summary.complete and summary.articles_fetched == 2 and summary.watermark == 915
