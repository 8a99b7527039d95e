"""seed_raw matches what a scrape leaves; the real generated corpus scrapes exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cafelake.collect import run_scrape, seed_raw
from cafelake.collect.politeness import Policy
from cafelake.collect.state import load_state
from cafelake.lake import Lake
from cafelake.sources.base import Board
from cafelake.sources.naver_cafe.server import NaverServer
from tests.functional.collect.collect_helpers import TinyCorpus, latest_by_id, raw_envelopes

WHEN = datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC)


def _fast() -> Policy:
    return Policy(sleep=lambda s: None)


def test_seed_raw_writes_what_a_scrape_would(tmp_path):
    corpus = TinyCorpus(45)
    seeded, scraped = Lake(str(tmp_path / "seeded")), Lake(str(tmp_path / "scraped"))
    progress = []
    assert (
        seed_raw(
            seeded, corpus, run_id="seed-1", fetched_at=WHEN, batch=20, on_progress=lambda d, t: progress.append((d, t))
        )
        == 45
    )
    assert len(seeded.list_keys("raw")) == 3 and progress[-1] == (45, 45)
    with NaverServer(corpus) as server:
        run_scrape(scraped, server.base_url, corpus.club_id, corpus.menu_id, rate_limit=0, policy=_fast())
    a, b = latest_by_id(seeded), latest_by_id(scraped)
    assert sorted(a) == sorted(b) == corpus.article_ids
    assert {k: v["article_status"] for k, v in a.items()} == {k: v["article_status"] for k, v in b.items()}
    assert all(a[k]["list_item"] == b[k]["list_item"] for k in a)
    assert {e["fetched_at"] for e in raw_envelopes(seeded)} == {"2026-11-02T03:04:05.000Z"}
    assert (
        len(seeded.list_keys("raw", "_quarantine", include_hidden=True))
        == len(scraped.list_keys("raw", "_quarantine", include_hidden=True))
        > 0
    )
    assert load_state(seeded, Board("naver_cafe", corpus.club_id, corpus.menu_id)).watermark == corpus.article_ids[-1]
    # a scrape after the seed is incremental: nothing new, nothing posted in the look-back
    with NaverServer(corpus) as server:
        after = run_scrape(
            seeded, server.base_url, corpus.club_id, corpus.menu_id, rate_limit=0, lookback=0, policy=_fast()
        )
    assert after.complete and after.articles_fetched == 0 and after.pages == 1


def test_generated_corpus_scrapes_exactly(tmp_path):
    from cafelake.sources.naver_cafe.corpus import Corpus

    corpus = Corpus(posts=300, seed=7)
    lake = Lake(str(tmp_path))
    with NaverServer(corpus, visible=250) as server:
        run_scrape(lake, server.base_url, corpus.club_id, corpus.menu_id, rate_limit=0, policy=_fast())
        server.publish(50)
        second = run_scrape(
            lake, server.base_url, corpus.club_id, corpus.menu_id, rate_limit=0, lookback=0, policy=_fast()
        )
    assert second.articles_fetched == 50
    latest = latest_by_id(lake)
    ids = list(corpus.article_ids)
    assert sorted(latest) == ids
    expected = {a.article_id: "malformed" if a.broken == "truncated_json" else a.status for a in corpus.iter_articles()}
    assert {k: v["article_status"] for k, v in latest.items()} == expected
    assert len(set(expected.values())) >= 3


def test_lookback_refetches_every_in_window_article_of_the_generated_corpus(tmp_path):
    """Odd-date posts carry no writeDateTimestamp in their list item: they must not end the look-back."""
    from cafelake.sources.naver_cafe.corpus import Corpus

    corpus = Corpus(posts=600, days=30)
    lake = Lake(str(tmp_path))
    articles = list(corpus.iter_articles())
    horizon = corpus.as_of - timedelta(days=10)
    in_window = {a.article_id for a in articles if a.truth["posted_at"] >= horizon}
    undated = {a.article_id for a in articles if "writeDateTimestamp" not in a.list_item}

    def scrape(**kw):
        return run_scrape(
            lake,
            server.base_url,
            corpus.club_id,
            corpus.menu_id,
            rate_limit=0,
            policy=_fast(),
            now=lambda: corpus.as_of,
            **kw,
        )

    def refetched(run) -> set[int]:
        return {e["article_id"] for e in raw_envelopes(lake) if e["run_id"] == run.run_id}

    with NaverServer(corpus) as server:
        scrape()
        again = scrape(lookback=timedelta(days=10))
        capped = scrape(lookback=timedelta(days=10), lookback_max=25)
    assert undated & in_window and undated - in_window  # the corpus exercises the case
    assert again.complete and in_window <= refetched(again) <= in_window | undated
    assert capped.complete and len(refetched(capped)) == 25  # still bounded by lookback_max
