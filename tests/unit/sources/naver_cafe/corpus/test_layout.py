"""Determinism, random access versus streaming, and the id layout."""

from __future__ import annotations

import tracemalloc
import types
from datetime import date
from itertools import islice, pairwise

import pytest

from cafelake.sources.naver_cafe.corpus import Corpus, sample


def test_same_seed_same_articles_and_other_seed_differs():
    a = list(Corpus(posts=1500, seed=7).iter_articles())
    b = list(Corpus(posts=1500, seed=7).iter_articles())
    c = list(Corpus(posts=1500, seed=8).iter_articles())
    assert a == b
    assert [x.responses for x in a] != [x.responses for x in c]


def test_random_access_equals_streaming():
    corpus = Corpus(posts=3000, seed=3, days=60)
    streamed = list(corpus.iter_articles())
    fresh = Corpus(posts=3000, seed=3, days=60)  # no warm caches
    for art in streamed[::7] + streamed[-3:]:
        assert fresh.article(art.article_id) == art
    assert [a.article_id for a in corpus.iter_articles(newest_first=True)] == [a.article_id for a in streamed][::-1]


def test_ids_ascend_with_gaps_and_invert_to_positions():
    corpus = Corpus(posts=4000, seed=11, days=90)
    ids = list(corpus.article_ids)
    assert len(ids) == len(corpus) == 4000
    assert all(x < y for x, y in pairwise(ids))
    assert any(y - x > 1 for x, y in pairwise(ids))
    for pos in (0, 1, 999, 2500, 3999):
        aid = corpus.id_at(pos)
        assert ids[pos] == aid == corpus.article_ids[pos]
        assert corpus.article_ids.index(aid) == pos
        day, i = corpus.locate(aid)
        assert day.ids[i] == aid
    assert corpus.id_at(-1) == ids[-1]
    assert corpus.article_ids[10:13] == ids[10:13]
    assert list(reversed(corpus.article_ids)) == ids[::-1]
    gap = next(x + 1 for x, y in pairwise(ids) if y - x > 1)
    assert gap not in corpus.article_ids and ids[5] in corpus.article_ids
    with pytest.raises(KeyError):
        corpus.article(gap)
    with pytest.raises(KeyError):
        corpus.article(ids[0] - 1)
    with pytest.raises(IndexError):
        corpus.id_at(4000)


def test_newest_ids_pages_newest_first():
    corpus = Corpus(posts=130, seed=1, days=10)
    ids = list(corpus.article_ids)
    assert corpus.newest_ids(0, 50) == ids[::-1][:50]
    assert corpus.newest_ids(100, 50) == ids[::-1][100:]
    assert corpus.newest_ids(130, 50) == []


def test_posts_follow_days_and_times_ascend_with_ids():
    corpus = Corpus(posts=2000, seed=5, end_date=date(2026, 3, 31), days=31)
    arts = list(corpus.iter_articles())
    assert sum(corpus.counts) == 2000 and len(corpus.counts) == 31
    times = [a.truth["posted_ms"] for a in arts]
    assert times == sorted(times)
    assert arts[0].truth["kst_date"] >= date(2026, 3, 1) and arts[-1].truth["kst_date"] <= date(2026, 3, 31)
    assert all(a.truth["posted_at"] < corpus.as_of for a in arts)


def test_iteration_is_lazy_and_builds_one_day_at_a_time(monkeypatch):
    built = []
    real = sample.build_day
    monkeypatch.setattr(sample, "build_day", lambda *a: built.append(a[1]) or real(*a))
    corpus = Corpus(posts=1_000_000, seed=42)
    stream = corpus.iter_articles()
    assert isinstance(stream, types.GeneratorType) and built == []
    first = list(islice(stream, 50))
    assert built == [0] and len(first) == 50


def test_streaming_a_million_post_board_holds_only_a_day():
    corpus = Corpus(posts=1_000_000, seed=42)  # author slots: 4 bytes a post, allocated here
    tracemalloc.start()
    try:
        for _ in islice(corpus.iter_articles(), 6000):  # > 2 days of ~2,700 posts
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20  # one day's ids and times plus one article, not the board


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        Corpus(posts=-1)
    with pytest.raises(ValueError):
        Corpus(days=0)
