"""NaverServer: shapes and paging of both endpoints, revisions, visibility, faults."""

from __future__ import annotations

import json

import pytest
import requests

from cafelake.sources.naver_cafe.server import FaultConfig, NaverServer
from tests.functional.collect.collect_helpers import TinyCorpus

LIST = "/cafe-web/cafe2/ArticleListV2dot1.json"


def _list(session, server, corpus, page, per_page=10, **over):
    params = {
        "search.clubid": corpus.club_id,
        "search.menuid": corpus.menu_id,
        "search.page": page,
        "search.perPage": per_page,
    } | over
    return session.get(server.base_url + LIST, params=params, timeout=5)


def _body(session, server, corpus, aid):
    return session.get(f"{server.base_url}/cafe-articleapi/v2.1/cafes/{corpus.club_id}/articles/{aid}", timeout=5)


def test_list_pages_newest_first_with_has_next():
    corpus = TinyCorpus(25)
    with NaverServer(corpus) as server, requests.Session() as s:
        pages = [_list(s, server, corpus, p).json()["message"]["result"] for p in (1, 2, 3, 4)]
    ids = [i["articleId"] for p in pages for i in p["articleList"]]
    assert ids == corpus.article_ids[::-1]
    assert [p["hasNext"] for p in pages] == [True, True, False, False] and pages[3]["articleList"] == []
    assert pages[0]["articleList"][0] == corpus.article(corpus.article_ids[-1]).list_item


def test_unknown_board_and_bad_paging_are_errors():
    corpus = TinyCorpus(5)
    with NaverServer(corpus) as server, requests.Session() as s:
        assert _list(s, server, corpus, 1, **{"search.menuid": "999"}).status_code == 404
        assert _list(s, server, corpus, "x").status_code == 400
        assert s.get(server.base_url + "/nope").status_code == 404


def test_article_revisions_statuses_and_visibility():
    corpus = TinyCorpus(12)
    edited, member, deleted = (
        next(a for a in corpus.article_ids if corpus.kind(a) == k) for k in ("edited", "member_only", "deleted")
    )
    with NaverServer(corpus, visible=10) as server, requests.Session() as s:
        texts = [_body(s, server, corpus, edited).text for _ in range(3)]
        assert [json.loads(t)["result"]["article"]["contentHtml"][-8:-4] for t in texts] == ["rev0", "rev1", "rev1"]
        assert server.fetch_count(edited) == 3
        assert _body(s, server, corpus, member).status_code == 401
        assert _body(s, server, corpus, deleted).status_code == 404
        hidden = corpus.article_ids[11]  # index 11: member-only once published
        assert _body(s, server, corpus, hidden).status_code == 404
        assert (
            _list(s, server, corpus, 1).json()["message"]["result"]["articleList"][0]["articleId"]
            == corpus.article_ids[9]
        )
        assert server.publish(5) == 2 and server.visible == 12
        assert _body(s, server, corpus, hidden).status_code == corpus.article(hidden).responses[0][0]


def test_injected_faults():
    corpus = TinyCorpus(5)
    aid = corpus.article_ids[0]
    faults = FaultConfig(
        schedule={1: "429", 2: "500", 3: "503", 4: "truncate", 5: "drop", 7: "401", 8: "401"}, retry_after=3
    )
    with NaverServer(corpus, faults=faults) as server, requests.Session() as s:
        first = _body(s, server, corpus, aid)
        assert first.status_code == 429 and first.headers["Retry-After"] == "3"
        assert [_body(s, server, corpus, aid).status_code for _ in range(2)] == [500, 503]
        truncated = _body(s, server, corpus, aid)
        assert truncated.status_code == 200
        with pytest.raises(ValueError):
            json.loads(truncated.text)
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            _body(s, server, corpus, aid)
        assert _body(s, server, corpus, aid).json()["result"]["article"]["id"] == aid
        s.cookies.update({"NID_AUT": "a", "NID_SES": "s"})
        assert _body(s, server, corpus, aid).status_code == 401  # request 7: member-only, session or not
        assert _list(s, server, corpus, 1).status_code == 200  # request 8: a 401 never hits a list page
        assert server.fetch_count(aid) == 1  # faulty responses do not advance revisions
        kinds = ("429", "500", "503", "truncate", "drop", "401")
        assert {k: server.stats[f"fault_{k}"] for k in kinds} == dict.fromkeys(kinds, 1)


def test_publish_between_list_pages_shifts_boundaries():
    corpus = TinyCorpus(30)
    with NaverServer(corpus, visible=10, faults=FaultConfig(publish_per_list=3)) as server, requests.Session() as s:
        p1 = [
            i["articleId"] for i in _list(s, server, corpus, 1, per_page=5).json()["message"]["result"]["articleList"]
        ]
        p2 = [
            i["articleId"] for i in _list(s, server, corpus, 2, per_page=5).json()["message"]["result"]["articleList"]
        ]
    assert p1 == corpus.article_ids[5:10][::-1]
    assert p2 == corpus.article_ids[3:8][::-1]  # three new posts on top pushed three of p1 onto p2
    assert server.stats["published"] == 6


def test_fault_spec_parsing():
    cfg = FaultConfig.parse("429=0.1, drop=0.02,401=0.05,publish=3,seed=9,retry_after=2,slow_s=0.25")
    assert cfg.rates == {"429": 0.1, "drop": 0.02, "401": 0.05}
    assert (cfg.publish_per_list, cfg.seed, cfg.retry_after, cfg.slow_s) == (3, 9, 2, 0.25)
    for bad in ("404=0.1", "oops", "speed=3"):
        with pytest.raises(ValueError):
            FaultConfig.parse(bad)


@pytest.mark.parametrize(
    "cookies, status",
    [({}, 401), ({"NID_SES": "s"}, 401), ({"NID_AUT": "a"}, 401), ({"NID_AUT": "a", "NID_SES": "s"}, 200)],
)
def test_member_only_bodies_are_served_to_a_member_session_only(cookies, status):
    corpus = TinyCorpus(12)
    member = next(a for a in corpus.article_ids if corpus.kind(a) == "member_only")
    with NaverServer(corpus) as server, requests.Session() as s:
        s.cookies.update(cookies)
        resp = _body(s, server, corpus, member)
        assert resp.status_code == status
        assert server.stats["with_member_cookies"] == (status == 200)
    if status == 200:
        article = resp.json()["result"]["article"]
        item = corpus.article(member).list_item
        assert article["id"] == member and article["isReadable"] is True and article["contentHtml"]
        assert (article["subject"], article["writer"]["nick"], article["writeDate"]) == (
            item["subject"],
            item["writerNickname"],
            item["writeDateTimestamp"],
        )


class CountingCorpus(TinyCorpus):
    def __init__(self, n: int) -> None:
        super().__init__(n)
        self.built: dict[int, int] = {}

    def article(self, aid):
        self.built[aid] = self.built.get(aid, 0) + 1
        return super().article(aid)


def test_the_article_cache_is_bounded_and_evictions_keep_revisions():
    corpus = CountingCorpus(12)
    edited = next(a for a in corpus.article_ids if corpus.kind(a) == "edited")
    with NaverServer(corpus, article_cache=3) as server, requests.Session() as s:
        first = _body(s, server, corpus, edited).json()["result"]["article"]["contentHtml"]
        assert len(_list(s, server, corpus, 1).json()["message"]["result"]["articleList"]) == 10  # evicts it
        second = _body(s, server, corpus, edited).json()["result"]["article"]["contentHtml"]
        assert len(server._articles) <= 3
    assert corpus.built[edited] == 2  # rebuilt after eviction...
    assert (first[-8:-4], second[-8:-4]) == ("rev0", "rev1")  # ...and still served its next revision
