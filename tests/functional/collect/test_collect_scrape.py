"""run_scrape end to end against NaverServer on loopback: exact, incremental, fault-tolerant."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cafelake.collect import run_scrape
from cafelake.collect.politeness import Policy
from cafelake.collect.state import load_state
from cafelake.lake import Lake
from cafelake.runs import read_runs
from cafelake.sources.base import Board
from cafelake.sources.naver_cafe.server import FaultConfig, NaverServer
from tests.functional.collect.collect_helpers import TinyCorpus, latest_by_id, raw_envelopes

END = datetime(2026, 11, 1, tzinfo=UTC)


def _board(corpus) -> Board:
    return Board("naver_cafe", corpus.club_id, corpus.menu_id)


def _fast(**kw) -> Policy:
    return Policy(sleep=lambda s: None, rng=random.Random(0), **kw)


def _scrape(lake, server, corpus, **kw):
    kw.setdefault("policy", _fast())
    kw.setdefault("per_page", 7)
    return run_scrape(
        lake,
        server.base_url,
        corpus.club_id,
        corpus.menu_id,
        rate_limit=0,
        lookback=0,
        now=lambda: END + timedelta(hours=1),
        **kw,
    )


def _expected_status(corpus, aid):
    kind = corpus.kind(aid)
    return "ok" if kind in (None, "edited") else kind


def _assert_exact(lake, corpus, ids):
    latest = latest_by_id(lake)
    assert sorted(latest) == sorted(ids)
    assert {aid: e["article_status"] for aid, e in latest.items()} == {
        aid: _expected_status(corpus, aid) for aid in ids
    }
    for aid, env in latest.items():
        assert env["list_item"] == corpus.article(aid).list_item
        assert env["club_id"] == corpus.club_id and env["menu_id"] == corpus.menu_id


def test_full_scrape_is_exact_with_statuses_and_quarantine(tmp_path, tiny_corpus):
    lake = Lake(str(tmp_path))
    with NaverServer(tiny_corpus) as server:
        summary = _scrape(lake, server, tiny_corpus)
    assert summary.complete and not summary.continue_ and summary.watermark == max(tiny_corpus.article_ids)
    _assert_exact(lake, tiny_corpus, tiny_corpus.article_ids)
    assert len(raw_envelopes(lake)) == len(tiny_corpus)  # no duplicates within a run
    for env in raw_envelopes(lake):
        status = env["article_status"]
        assert (env["article"] is None) == (status in ("member_only", "deleted", "malformed"))
        if env["article"] is not None:
            assert env["article"] == json.loads(tiny_corpus.article(env["article_id"]).responses[0][1])
    malformed = sorted(a for a in tiny_corpus.article_ids if tiny_corpus.kind(a) == "malformed")
    quarantined = [
        json.loads(lake.get_bytes("raw", k)) for k in lake.list_keys("raw", "_quarantine", include_hidden=True)
    ]
    assert (
        sorted(q["article_id"] for q in quarantined)
        == malformed
        == sorted(aid for aid, e in latest_by_id(lake).items() if e["article_status"] == "malformed")
    )
    assert all("invalid JSON" in q["reason"] and q["text"] for q in quarantined)
    assert summary.quarantined == len(malformed)
    assert summary.statuses["malformed"] == len(malformed) and sum(summary.statuses.values()) == len(tiny_corpus)
    [run] = read_runs(lake, "scrape")  # the one run record's header, then the run's own fields
    assert (run["stage"], run["run_id"], run["complete"]) == ("scrape", summary.run_id, True)
    assert run["totals"]["articles_fetched"] == len(tiny_corpus) and run["finished_at"] >= run["started_at"]


def test_incremental_runs_fetch_only_new_and_the_lookback(tmp_path):
    corpus = TinyCorpus(60)
    lake = Lake(str(tmp_path))
    with NaverServer(corpus, visible=40) as server:
        first = _scrape(lake, server, corpus)
        assert first.articles_fetched == 40 and first.watermark == corpus.article_ids[39]
        assert _scrape(lake, server, corpus).articles_fetched == 0
        server.publish(15)
        third = _scrape(lake, server, corpus)
        assert third.articles_fetched == 15 and third.pages == 3
        # look-back: now is END+1h, so 5h covers what was posted from END-4h (one per 30 min):
        # indices 51..59, of which 51..54 are at or below the watermark (index 54)
        server.publish(5)
        fourth = run_scrape(
            lake,
            server.base_url,
            corpus.club_id,
            corpus.menu_id,
            rate_limit=0,
            per_page=7,
            lookback=5,
            now=lambda: END + timedelta(hours=1),
            policy=_fast(),
        )
    assert fourth.articles_fetched == 5 + 4 and fourth.complete
    assert fourth.watermark == corpus.article_ids[-1]
    _assert_exact(lake, corpus, corpus.article_ids)
    assert load_state(lake, _board(corpus)).checkpoint is None


def test_lookback_picks_up_edits(tmp_path):
    corpus = TinyCorpus(8)  # index 3 and 7 are edited; posted END-2h30 and END
    lake = Lake(str(tmp_path))
    edited = corpus.article_ids[7]
    assert corpus.kind(edited) == "edited"
    with NaverServer(corpus) as server:
        _scrape(lake, server, corpus)
        assert "rev0" in latest_by_id(lake)[edited]["article"]["result"]["article"]["contentHtml"]
        again = run_scrape(
            lake,
            server.base_url,
            corpus.club_id,
            corpus.menu_id,
            rate_limit=0,
            lookback=2,
            now=lambda: END + timedelta(hours=1, minutes=1),
            policy=_fast(),
        )
        assert server.fetch_count(edited) == 2
    assert again.articles_fetched == 2  # posted END-30min and END: within 2 h of END+1h
    assert "rev1" in latest_by_id(lake)[edited]["article"]["result"]["article"]["contentHtml"]


def test_faults_and_shifting_pages_lose_nothing(tmp_path):
    corpus = TinyCorpus(120)
    lake = Lake(str(tmp_path))
    faults = FaultConfig(
        rates={"429": 0.05, "500": 0.04, "503": 0.04, "truncate": 0.05, "drop": 0.05, "slow": 0.02},
        schedule={3: "slow", 5: "drop", 8: "truncate", 11: "429", 14: "500", 17: "503"},
        seed=3,
        slow_s=0.3,
        publish_per_list=4,
    )
    with NaverServer(corpus, visible=60, faults=faults) as server:
        summaries = [_scrape(lake, server, corpus, policy=_fast(timeout_s=0.15, breaker_threshold=20))]
        while summaries[-1].watermark < corpus.article_ids[-1]:
            summaries.append(_scrape(lake, server, corpus, policy=_fast(timeout_s=0.15, breaker_threshold=20)))
            assert len(summaries) < 30
        stats = dict(server.stats)
    assert all(stats.get(f"fault_{k}", 0) > 0 for k in ("429", "500", "503", "truncate", "drop", "slow"))
    assert stats["published"] == 60 and summaries[0].skipped > 0  # pages shifted under the first run
    assert sum(s.retries for s in summaries) > 0
    _assert_exact(lake, corpus, corpus.article_ids)


class Killed(Exception):
    pass


class DyingLake(Lake):
    """A lake whose process 'dies' at the n-th object write (before it lands)."""

    def arm(self, n: int | None) -> None:
        self.left = n

    def put_bytes(self, zone, key, data):
        if self.left is not None:
            self.left -= 1
            if self.left < 0:
                raise Killed(key)
        return super().put_bytes(zone, key, data)


@pytest.mark.parametrize("seed", [1, 2])
def test_killed_anywhere_and_resumed_ends_with_exactly_the_served_corpus(tmp_path, seed):
    rng = random.Random(seed)
    corpus = TinyCorpus(90)
    lake = DyingLake(str(tmp_path))
    faults = FaultConfig(rates={"429": 0.03, "truncate": 0.03, "drop": 0.03}, seed=seed, publish_per_list=2)
    kills = 0
    with NaverServer(corpus, visible=45, faults=faults) as server:
        for _ in range(200):
            lake.arm(rng.randint(0, 6) if rng.random() < 0.8 else None)
            try:
                summary = _scrape(lake, server, corpus)
            except Killed:
                kills += 1
                continue
            if summary.complete and server.visible == len(corpus) and summary.watermark == corpus.article_ids[-1]:
                break
        else:
            pytest.fail("never completed")
    assert kills > 5
    _assert_exact(lake, corpus, corpus.article_ids)


def test_tiny_time_budgets_continue_until_done(tmp_path):
    corpus = TinyCorpus(50)
    lake = Lake(str(tmp_path))
    ticks = iter(range(10**6))
    summaries = []
    with NaverServer(corpus, faults=FaultConfig(publish_per_list=1), visible=40) as server:
        while not summaries or summaries[-1].watermark < corpus.article_ids[-1]:
            summaries.append(
                _scrape(lake, server, corpus, time_budget_s=12, policy=_fast(clock=lambda: float(next(ticks))))
            )
            assert len(summaries) < 100
    assert len({s.run_id for s in summaries}) >= 2 and sum(s.continue_ for s in summaries) >= 3
    assert all(s.stopped == "time_budget" for s in summaries if s.continue_)
    _assert_exact(lake, corpus, corpus.article_ids)


def test_max_pages_pauses_and_resumes(tmp_path, tiny_corpus):
    lake = Lake(str(tmp_path))
    with NaverServer(tiny_corpus) as server:
        first = _scrape(lake, server, tiny_corpus, max_pages=2)
        assert first.continue_ and first.stopped == "max_pages" and first.articles_fetched == 14
        assert load_state(lake, _board(tiny_corpus)).watermark == 0  # not before the run ends
        while (s := _scrape(lake, server, tiny_corpus, max_pages=2)).continue_:
            assert s.run_id == first.run_id
    _assert_exact(lake, tiny_corpus, tiny_corpus.article_ids)


def test_circuit_breaker_ends_the_run_cleanly_and_the_next_resumes(tmp_path, tiny_corpus):
    lake = Lake(str(tmp_path))
    outage = FaultConfig(schedule={n: "503" for n in range(20, 200)})
    with NaverServer(tiny_corpus, faults=outage) as server:
        broken = _scrape(lake, server, tiny_corpus, policy=_fast(breaker_threshold=5))
        assert broken.stopped == "circuit_open" and not broken.continue_ and not broken.complete
        assert "503" in broken.detail
        state = load_state(lake, _board(tiny_corpus))
        assert state.checkpoint and state.checkpoint.cursor is not None and state.watermark == 0
        server.faults = FaultConfig()
        healed = _scrape(lake, server, tiny_corpus)
    assert healed.complete and healed.run_id == broken.run_id
    _assert_exact(lake, tiny_corpus, tiny_corpus.article_ids)


class OneBrokenCorpus(TinyCorpus):
    """Article index 20 answers 500 forever."""

    def article(self, aid):
        art = super().article(aid)
        if aid == self.article_ids[20]:
            art.responses = [(500, "internal error")]
        return art


def test_an_article_failing_forever_is_quarantined_after_a_few_runs(tmp_path):
    corpus = OneBrokenCorpus(30)
    bad = corpus.article_ids[20]
    lake = Lake(str(tmp_path))
    with NaverServer(corpus) as server:
        runs = [_scrape(lake, server, corpus, policy=_fast(breaker_threshold=3, stuck_runs=3)) for _ in range(3)]
    assert [r.stopped for r in runs] == ["circuit_open", "circuit_open", None] and runs[2].complete
    latest = latest_by_id(lake)
    assert sorted(latest) == corpus.article_ids and latest[bad]["article_status"] == "malformed"
    [q] = [
        json.loads(lake.get_bytes("raw", k))
        for k in lake.list_keys("raw", "_quarantine", include_hidden=True)
        if json.loads(lake.get_bytes("raw", k))["article_id"] == bad
    ]
    assert "unavailable in 3 runs" in q["reason"]


def test_malformed_list_page_stops_cleanly_with_quarantine(tmp_path, tiny_corpus):
    lake = Lake(str(tmp_path))
    with NaverServer(tiny_corpus, faults=FaultConfig(schedule={1: "truncate", 2: "truncate", 3: "truncate"})) as srv:
        summary = _scrape(lake, srv, tiny_corpus)
        assert summary.stopped == "malformed_page" and summary.quarantined == 1
        assert _scrape(lake, srv, tiny_corpus).complete
    _assert_exact(lake, tiny_corpus, tiny_corpus.article_ids)


def test_cookies_reach_the_source_but_never_the_lake(tmp_path, tiny_corpus, caplog):
    from cafelake.sources.naver_cafe.session import MemberCookies

    lake = Lake(str(tmp_path))
    cookies = MemberCookies({"NID_AUT": "aut-SECRET-1", "NID_SES": "ses-SECRET-2"})
    with caplog.at_level("DEBUG"), NaverServer(tiny_corpus) as server:
        _scrape(lake, server, tiny_corpus, cookies=cookies)
        assert server.stats["with_member_cookies"] == server.stats["requests"] > 0
    everything = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    import gzip

    everything += b"".join(gzip.decompress(p.read_bytes()) for p in tmp_path.rglob("*.gz"))
    assert b"SECRET" not in everything and "SECRET" not in caplog.text


class NoIdCorpus(TinyCorpus):
    """The list item of article index 5 lost its articleId."""

    def article(self, aid):
        art = super().article(aid)
        if aid == self.article_ids[5]:
            del art.list_item["articleId"]
        return art


def test_list_item_without_id_is_quarantined_once(tmp_path):
    corpus = NoIdCorpus(20)
    lake = DyingLake(str(tmp_path))
    with NaverServer(corpus) as server:
        lake.arm(3)  # state, then two quarantine objects land; it dies writing the page: the re-run redoes it
        with pytest.raises(Killed):
            _scrape(lake, server, corpus, per_page=50)
        lake.arm(None)
        summary = _scrape(lake, server, corpus)
    keys = [k for k in lake.list_keys("raw", "_quarantine", include_hidden=True) if "list-item" in k]
    assert len(keys) == 1 and summary.complete
    doc = json.loads(lake.get_bytes("raw", keys[0]))
    assert "article id" in doc["reason"] and json.loads(doc["text"])["subject"] == "질문 5"
    assert sorted(latest_by_id(lake)) == [a for a in corpus.article_ids if a != corpus.article_ids[5]]


def test_backfill_walks_the_whole_board_again(tmp_path, tiny_corpus):
    lake = Lake(str(tmp_path))
    with NaverServer(tiny_corpus) as server:
        _scrape(lake, server, tiny_corpus)
        assert _scrape(lake, server, tiny_corpus).articles_fetched == 0
        again = _scrape(lake, server, tiny_corpus, backfill=True, max_pages=3)
        assert again.continue_ and again.articles_fetched == 21
        rest = _scrape(lake, server, tiny_corpus)  # a scheduled run resumes the backfill as it began
    assert rest.complete and again.articles_fetched + rest.articles_fetched == len(tiny_corpus)
    assert len(raw_envelopes(lake)) == 2 * len(tiny_corpus)
    _assert_exact(lake, tiny_corpus, tiny_corpus.article_ids)


def test_a_resumed_run_keeps_its_page_size(tmp_path):
    corpus = TinyCorpus(80)
    lake = Lake(str(tmp_path))
    with NaverServer(corpus) as server:
        first = _scrape(lake, server, corpus, per_page=10, max_pages=3)
        assert first.articles_fetched == 30
        rest = _scrape(lake, server, corpus, per_page=50)  # a bigger page now would jump over articles
    assert rest.complete and rest.articles_fetched == 50
    _assert_exact(lake, corpus, corpus.article_ids)


@pytest.mark.slow
@settings(max_examples=12, deadline=None)
@given(
    n=st.integers(1, 60),
    first=st.integers(0, 60),
    per_page=st.integers(1, 12),
    publish=st.integers(0, 5),
    kills=st.lists(st.integers(0, 5), max_size=6),
    budget=st.sampled_from([None, 5, 9]),
)
def test_property_any_paging_shift_and_kill_schedule_converges(
    tmp_path_factory, n, first, per_page, publish, kills, budget
):
    """Any board size, page size, publishing rate, kill schedule and time budget: exact."""
    corpus = TinyCorpus(n)
    lake = DyingLake(str(tmp_path_factory.mktemp("lake")))
    ticks = iter(range(10**7))
    plan = iter(kills)
    with NaverServer(corpus, visible=min(first, n), faults=FaultConfig(publish_per_list=publish)) as server:
        for _ in range(300):
            lake.arm(next(plan, None))
            try:
                summary = _scrape(
                    lake,
                    server,
                    corpus,
                    per_page=per_page,
                    time_budget_s=budget,
                    policy=_fast(clock=lambda: float(next(ticks))),
                )
            except Killed:
                continue
            if summary.complete and summary.watermark == corpus.article_ids[-1]:
                break
            if summary.complete and not publish:
                server.publish(1)  # new posts between two scheduled runs
        else:
            pytest.fail("never converged")
    _assert_exact(lake, corpus, corpus.article_ids)


class OddItemCorpus(TinyCorpus):
    """The list item of article index 5 is not an object at all."""

    def article(self, aid):
        art = super().article(aid)
        if aid == self.article_ids[5]:
            art.list_item = ["질문 5"]
        return art


def test_a_non_object_list_item_is_quarantined_and_the_rest_of_its_page_kept(tmp_path):
    corpus = OddItemCorpus(20)
    lake = Lake(str(tmp_path))
    with NaverServer(corpus) as server:
        summary = _scrape(lake, server, corpus, per_page=50)
    assert summary.complete and summary.stopped is None
    [doc] = [
        json.loads(lake.get_bytes("raw", k))
        for k in lake.list_keys("raw", "_quarantine", include_hidden=True)
        if "list-item" in k
    ]
    assert doc["reason"] == "list item is not an object" and json.loads(doc["text"]) == ["질문 5"]
    assert sorted(latest_by_id(lake)) == [a for a in corpus.article_ids if a != corpus.article_ids[5]]


class BrokenPageServer(NaverServer):
    """List page `page` always answers `answer`: a cut-off body or an error status."""

    def __init__(self, corpus, page: int, answer: str, **kw) -> None:
        super().__init__(corpus, **kw)
        self.broken_page, self.answer = page, answer

    def _list(self, query):
        status, text = super()._list(query)
        if query.get("search.page") != [str(self.broken_page)]:
            return status, text
        return (status, text[: len(text) // 2]) if self.answer == "truncated" else (403, '{"message": "forbidden"}')


@pytest.mark.parametrize(
    "answer, reason", [("truncated", "list page 2: Unterminated string"), ("forbidden", "list page 2: HTTP 403")]
)
def test_a_page_malformed_in_stuck_runs_runs_is_quarantined_and_passed(tmp_path, caplog, answer, reason):
    corpus = TinyCorpus(30)  # 7 a page: page 2 holds indices 22..16
    lake = Lake(str(tmp_path))
    with BrokenPageServer(corpus, 2, answer) as server, caplog.at_level("WARNING"):
        runs = [_scrape(lake, server, corpus, policy=_fast(stuck_runs=3)) for _ in range(3)]
    assert [r.stopped for r in runs] == ["malformed_page", "malformed_page", None] and runs[2].complete
    assert [r.pages_skipped for r in runs] == [0, 0, 1]
    lost = set(corpus.article_ids[16:23])
    assert sorted(latest_by_id(lake)) == sorted(set(corpus.article_ids) - lost)  # exactly the page, nothing else
    [doc] = [
        json.loads(lake.get_bytes("raw", k))
        for k in lake.list_keys("raw", "_quarantine", include_hidden=True)
        if k.endswith("page00002.json")
    ]
    assert doc["page"] == 2 and doc["reason"].startswith(reason) and "3 runs in a row: skipped" in doc["reason"]
    assert "skipped" in caplog.text and "neighbouring pages" in caplog.text
    run = json.loads(lake.get_bytes("raw", f"_runs/scrape/{runs[2].run_id}.json"))
    assert run["totals"]["pages_skipped"] == 1 and run["last_invocation"]["pages_skipped"] == 1


def test_a_page_that_reads_fine_again_starts_its_count_anew(tmp_path):
    corpus = TinyCorpus(30)
    lake = Lake(str(tmp_path))
    with BrokenPageServer(corpus, 2, "truncated") as server:
        assert _scrape(lake, server, corpus, policy=_fast(stuck_runs=2)).stopped == "malformed_page"
        server.broken_page = None
        _scrape(lake, server, corpus, policy=_fast(stuck_runs=2), max_pages=1)  # re-reads 1, reads 2: stops
        server.broken_page = 2  # broken again when the next invocation re-reads it: a first failure
        again = _scrape(lake, server, corpus, policy=_fast(stuck_runs=2))
    assert again.stopped == "malformed_page" and again.pages_skipped == 0


def test_an_invocation_that_reads_no_page_keeps_the_checkpoint_page(tmp_path, tiny_corpus):
    lake = Lake(str(tmp_path))
    with NaverServer(tiny_corpus) as server:
        first = _scrape(lake, server, tiny_corpus, max_pages=3)
        page = load_state(lake, _board(tiny_corpus)).checkpoint.page
        assert first.continue_ and page == 4
        for _ in range(3):
            starved = _scrape(lake, server, tiny_corpus, time_budget_s=0)
            assert starved.continue_ and starved.pages == 0
            assert load_state(lake, _board(tiny_corpus)).checkpoint.page == page
        rest = _scrape(lake, server, tiny_corpus)
    assert rest.complete and rest.run_id == first.run_id
    _assert_exact(lake, tiny_corpus, tiny_corpus.article_ids)


def test_retry_after_past_the_budget_is_honoured_by_the_next_invocations(tmp_path, tiny_corpus):
    lake = Lake(str(tmp_path))
    t0 = END + timedelta(hours=1)
    clock = {"now": t0}
    slept: list[float] = []

    def scrape():
        return run_scrape(
            lake,
            server.base_url,
            tiny_corpus.club_id,
            tiny_corpus.menu_id,
            rate_limit=0,
            lookback=0,
            per_page=7,
            time_budget_s=30,
            now=lambda: clock["now"],
            policy=Policy(sleep=slept.append, rng=random.Random(0)),
        )

    with NaverServer(tiny_corpus, faults=FaultConfig(schedule={3: "429"}, retry_after=120)) as server:
        asked = scrape()  # request 3 is answered 429, Retry-After 120 s: more than the budget
        assert asked.continue_ and asked.stopped == "time_budget" and asked.wait_seconds == 120 and slept == []
        assert load_state(lake, _board(tiny_corpus)).checkpoint.not_before == "2026-11-01T01:02:00.000Z"
        requests_so_far = server.stats["requests"]
        clock["now"] = t0 + timedelta(seconds=30)  # the state machine came back early: 90 s still owed
        early = scrape()
        assert early.continue_ and early.wait_seconds == 90 and early.pages == 0
        assert server.stats["requests"] == requests_so_far and slept == []
        clock["now"] = t0 + timedelta(seconds=100)  # 20 s owed: fits the budget, waited out here
        done = scrape()
    assert slept[0] == pytest.approx(20.0) and done.complete and done.wait_seconds == 0
    assert load_state(lake, _board(tiny_corpus)).checkpoint is None
    _assert_exact(lake, tiny_corpus, tiny_corpus.article_ids)


def test_a_write_retried_after_utc_midnight_rewrites_the_same_key(tmp_path):
    corpus = TinyCorpus(20)
    lake = DyingLake(str(tmp_path))
    clock = {"now": datetime(2026, 11, 1, 23, 59, 50, tzinfo=UTC)}

    def scrape():
        return run_scrape(
            lake,
            server.base_url,
            corpus.club_id,
            corpus.menu_id,
            rate_limit=0,
            lookback=0,
            per_page=7,
            now=lambda: clock["now"],
            policy=_fast(),
        )

    with NaverServer(corpus) as server:
        lake.arm(2)  # the run's first state and its first object land; it dies saving the state after it
        with pytest.raises(Killed):
            scrape()
        clock["now"] += timedelta(seconds=20)  # the retry comes after UTC midnight
        lake.arm(None)
        done = scrape()
    keys = lake.list_keys("raw")
    seqs = [k.rsplit("-", 1)[1] for k in keys]
    assert done.complete and len(seqs) == len(set(seqs)) == 3
    [first] = [k for k in keys if k.endswith("-00000.jsonl.gz")]
    assert first.split("/")[-2] == "ingest_dt=2026-11-01"
    assert len(raw_envelopes(lake)) == len(corpus)


def test_a_checkpoint_of_an_older_version_resumes(tmp_path, tiny_corpus):
    from cafelake.raw import state_key

    lake = Lake(str(tmp_path))
    key = state_key("naver_cafe", tiny_corpus.club_id, tiny_corpus.menu_id)
    with NaverServer(tiny_corpus) as server:
        first = _scrape(lake, server, tiny_corpus, max_pages=2)
        state = json.loads(lake.get_bytes("raw", key))
        for name in ("ingest_dt", "stuck_page", "stuck_page_runs", "not_before"):
            del state["checkpoint"][name]
        lake.put_bytes("raw", key, json.dumps(state).encode())
        rest = _scrape(lake, server, tiny_corpus)
    assert rest.complete and rest.run_id == first.run_id
    _assert_exact(lake, tiny_corpus, tiny_corpus.article_ids)


def test_a_member_session_reads_member_only_bodies(tmp_path, tiny_corpus):
    from cafelake.sources.naver_cafe.session import MemberCookies

    member_only = [a for a in tiny_corpus.article_ids if tiny_corpus.kind(a) == "member_only"]
    lake = Lake(str(tmp_path))
    with NaverServer(tiny_corpus) as server:
        _scrape(lake, server, tiny_corpus, cookies=MemberCookies({"NID_AUT": "a", "NID_SES": "s"}))
    latest = latest_by_id(lake)
    assert member_only and all(latest[a]["article_status"] == "ok" for a in member_only)
    assert all(
        latest[a]["article"]["result"]["article"]["subject"] == latest[a]["list_item"]["subject"] for a in member_only
    )


class AgentServer(NaverServer):
    """Records the User-Agent of every request."""

    def __init__(self, corpus, **kw) -> None:
        super().__init__(corpus, **kw)
        self.agents: set[str] = set()

    def _handle(self, req):
        self.agents.add(req.headers.get("User-Agent"))
        super()._handle(req)


def test_the_user_agent_is_the_callers(tmp_path, tiny_corpus):
    from cafelake.collect.http import USER_AGENT

    agent = "cafelake/1.0 (+mailto:lab@uni.example)"
    with AgentServer(tiny_corpus) as server:
        _scrape(Lake(str(tmp_path / "a")), server, tiny_corpus, user_agent=agent)
        assert server.agents == {agent}
        server.agents = set()
        _scrape(Lake(str(tmp_path / "b")), server, tiny_corpus)
        assert server.agents == {USER_AGENT}
