"""The generator's posts, scraped into raw, cleansed, then tokenized: the whole upstream path."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cafelake.collect.seed import seed_raw
from cafelake.lake import Lake
from cafelake.pipeline import Pipeline
from cafelake.settings import Settings
from cafelake.sources.naver_cafe.corpus import Corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus_lake(tmp_path_factory):
    corpus = Corpus(posts=500, seed=7)
    lake = Lake(str(tmp_path_factory.mktemp("corpus") / "lake"))
    seed_raw(lake, corpus, run_id="t1", fetched_at=datetime(2026, 1, 1, tzinfo=UTC))
    Pipeline(lake).init()
    _, tokenized = Pipeline(lake).transform()
    return corpus, lake, tokenized


def test_every_cleansed_post_is_in_the_mart(corpus_lake):
    _, lake, summary = corpus_lake
    posts = lake.read_table("posts", columns=["post_id"]).column("post_id").to_pylist()
    dim = lake.read_table("posts_dim", columns=["post_id"]).column("post_id").to_pylist()
    assert summary.posts_in == len(posts) == len(dim) > 0 and set(posts) == set(dim)
    for name in ("tokens_fact", "post_keyword_groups"):
        assert set(lake.read_table(name, columns=["post_id"]).column("post_id").to_pylist()) <= set(dim)


def test_groups_agree_with_the_generators_truth(corpus_lake):
    corpus, lake, _ = corpus_lake
    names = {g.group_id: g.group_name for g in Settings.load({}).keyword_groups}
    found: dict[str, set[str]] = {}
    for r in lake.read_table("post_keyword_groups").to_pylist():
        found.setdefault(r["post_id"], set()).add(names[r["group_id"]])
    dim = lake.read_table("posts_dim", columns=["post_id"]).column("post_id").to_pylist()
    agree = sum(found.get(pid, set()) == set(corpus.article(int(pid.rsplit(":", 1)[1])).truth["groups"]) for pid in dim)
    assert agree / len(dim) >= 0.9


def test_top_tokens_are_content_words(corpus_lake):
    _, lake, _ = corpus_lake
    rows = lake.read_table("token_tfidf").to_pylist()
    for ranking in ("sum", "mean"):
        top = [r for r in rows if (r["scope"], r["ranking"]) == ("all", ranking) and r["rank"] <= 30]
        assert len(top) == 30 or (ranking == "mean" and top), (ranking, len(top))  # mean: terms above its floor
        assert not {r["token"] for r in top} & {"요", "것", "거", "수", "하다", "있다", "되다", "아기"}
