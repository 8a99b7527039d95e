"""The sample corpus's planted outbreak and pairs, found by v_rising_groups, `cafelake alerts` and
v_group_cooccurrence (docs/sample-corpus.md#planted-outbreak).

The mart is written from the corpus's ground truth (each readable post, its planted keyword groups), so the
default board of 20,000 posts over a year takes seconds, not Kiwi's minutes; test_pipeline_alerts.py runs a
smaller board through the real pipeline.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from cafelake.athena.local import LocalAthena
from cafelake.cli import COMMANDS, _register, app
from cafelake.lake import Lake
from cafelake.settings import Settings
from cafelake.sources.naver_cafe.corpus import BROKEN_KINDS, Corpus
from cafelake.tokenize.age import age_band


def truth_mart(lake: Lake, corpus: Corpus, *, until: date | None = None) -> None:
    """posts_dim, post_keyword_groups and keyword_groups_dim of the corpus's readable posts up to `until`."""
    groups = Settings.load({}).keyword_groups
    ids = {g.group_name: g.group_id for g in groups}
    posts, pkg = [], []
    for a in corpus.iter_articles():
        t = a.truth
        day = t["kst_date"]
        if t["status"] != "ok" or a.broken in BROKEN_KINDS or (until and day > until):
            continue
        post_id = f"naver_cafe:{corpus.club_id}:{a.article_id}"
        text = " ".join(t["sentences"])
        posts.append(
            {
                "post_id": post_id,
                "club_id": corpus.club_id,
                "menu_id": corpus.menu_id,
                "url": f"https://cafe.naver.com/{corpus.club_id}/{a.article_id}",
                "title": t["title"],
                "content": text,
                "question_text": f"{t['title']} {text}",
                "raw_date": day.isoformat(),
                "posted_at": t["posted_at"],
                "post_date": day,
                "post_hour": t["kst_hour"],
                "time_known": True,
                "post_year": day.year,
                "post_month": day.month,
                "author_key": f"a{t['author']}",
                "read_count": a.article_id % 997,
                "comment_count": 0,
                "token_count": len(text.split()),
                "content_hash": str(a.article_id),
                "baby_age_months": t["age_months"] if t["age_written"] else None,
                "baby_age_band": age_band(t["age_months"]) if t["age_written"] else None,
                "dt": day.isoformat(),
            }
        )
        pkg += [
            {"post_id": post_id, "group_id": ids[g], "matched_keywords": [g], "dt": day.isoformat()}
            for g in t["groups"]
        ]
    lake.write_table("posts_dim", pa.Table.from_pylist(posts))
    lake.write_table("post_keyword_groups", pa.Table.from_pylist(pkg))
    lake.write_table(
        "keyword_groups_dim",
        pa.Table.from_pylist(
            [
                {
                    "group_id": g.group_id,
                    "group_name": g.group_name,
                    "display_name": g.display_name,
                    "description": g.description,
                }
                for g in groups
            ]
        ),
    )


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus()  # the default board: 20,000 posts, seed 42, the year to 2026-10-31


@pytest.fixture(scope="module")
def year(tmp_path_factory, corpus) -> Lake:
    lake = Lake(str(tmp_path_factory.mktemp("year")))
    truth_mart(lake, corpus)
    return lake


@pytest.fixture(scope="module")
def rising(year) -> pd.DataFrame:
    with LocalAthena(year) as engine:
        return engine.view("v_rising_groups")


@pytest.fixture(scope="module")
def cli():
    _register("alerts", COMMANDS["alerts"])
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_the_outbreak_is_flagged_in_its_first_week_and_nothing_else_all_year(corpus, rising):
    wave = corpus.outbreak
    flagged = rising[rising["rising"]]
    weeks = pd.to_datetime(flagged["week_start"]).dt.date
    assert set(flagged["group_name"]) == {"hand_foot"}
    assert weeks.min() == wave.start  # its first week
    assert all(wave.start <= w < wave.end for w in weeks)
    tested = rising["score"].notna().sum()
    assert tested > 23 * 40  # a year of complete weeks after the trailing window, every group
    first = flagged.sort_values("week_start").iloc[0]
    assert first["posts"] > 2 * first["expected"]


def test_cafelake_alerts_prints_the_rising_group_of_the_week_the_outbreak_began(tmp_path, corpus, cli):
    wave = corpus.outbreak
    lake = Lake(str(tmp_path / "lake"))
    truth_mart(lake, corpus, until=wave.start + timedelta(days=6))  # the lake as it stood that Sunday
    res = cli("alerts", "--lake", lake.root, "--format", "json")
    assert res.exit_code == 0, res.output
    [row] = json.loads(res.stdout)
    assert row["group_name"] == "hand_foot" and row["week_start"] == wave.start.isoformat()
    assert row["posts"] > 2 * row["expected"] and row["score"] >= 4.26
    urls = row["example_urls"].split()
    assert len(urls) == 3 and all(u.startswith("https://cafe.naver.com/") for u in urls)
    res = cli("alerts", "--lake", lake.root)
    assert res.exit_code == 0 and "hand_foot" in res.stdout


def test_cafelake_alerts_on_a_flat_latest_week_prints_nothing_and_exits_0(year, cli):
    res = cli("alerts", "--lake", year.root, "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == []


def test_the_planted_pairs_come_together_beyond_chance(year):
    """발진 (rash) posts bring up 열 (fever), 설사 (diarrhoea) posts 구토 (vomiting): the corpus's related topics."""
    with LocalAthena(year) as engine:
        pairs = engine.query("SELECT group_a, group_b, posts_both, lift FROM v_group_cooccurrence WHERE period = 'all'")
    lift = pairs.set_index(["group_a", "group_b"])["lift"]
    assert lift["rash", "fever"] > 1.5 and lift["fever", "rash"] == pytest.approx(lift["rash", "fever"])
    assert lift["diarrhea", "vomit"] > 2.0
    unrelated = lift.get(("atopy", "vomit"), 0.0)
    assert unrelated < 1.0
