"""NaverServer: shapes and paging of both endpoints, revisions, visibility, faults."""

from __future__ import annotations

import json

import pytest
import requests
from tests.functional.collect.collect_helpers import TinyCorpus

from cafelake.collect.server import FaultConfig, NaverServer

LIST = "/cafe-web/cafe2/ArticleListV2dot1.json"


def _list(session, server, corpus, page, per_page=10, **over):
    params = {"search.clubid": corpus.club_id, "search.menuid": corpus.menu_id, "search.page": page,
              "search.perPage": per_page} | over
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
    edited, member, deleted = (next(a for a in corpus.article_ids if corpus.kind(a) == k)
                               for k in ("edited", "member_only", "deleted"))
    with NaverServer(corpus, visible=10) as server, requests.Session() as s:
        texts = [_body(s, server, corpus, edited).text for _ in range(3)]
        assert [json.loads(t)["result"]["article"]["contentHtml"][-8:-4] for t in texts] == ["rev0", "rev1", "rev1"]
        assert server.fetch_count(edited) == 3
        assert _body(s, server, corpus, member).status_code == 401
        assert _body(s, server, corpus, deleted).status_code == 404
        hidden = corpus.article_ids[11]  # index 11: member-only once published
        assert _body(s, server, corpus, hidden).status_code == 404
        assert _list(s, server, corpus, 1).json()["message"]["result"]["articleList"][0]["articleId"] == \
            corpus.article_ids[9]
        assert server.publish(5) == 2 and server.visible == 12
        assert _body(s, server, corpus, hidden).status_code == corpus.article(hidden).responses[0][0]


def test_injected_faults():
    corpus = TinyCorpus(5)
    aid = corpus.article_ids[0]
    faults = FaultConfig(schedule={1: "429", 2: "500", 3: "503", 4: "truncate", 5: "drop"}, retry_after=3)
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
        assert server.fetch_count(aid) == 1  # faulty responses do not advance revisions
        assert {k: server.stats[f"fault_{k}"] for k in ("429", "500", "503", "truncate", "drop")} == dict.fromkeys(
            ("429", "500", "503", "truncate", "drop"), 1)


def test_publish_between_list_pages_shifts_boundaries():
    corpus = TinyCorpus(30)
    with NaverServer(corpus, visible=10, faults=FaultConfig(publish_per_list=3)) as server, requests.Session() as s:
        p1 = [i["articleId"] for i in _list(s, server, corpus, 1, per_page=5).json()["message"]["result"]["articleList"]]
        p2 = [i["articleId"] for i in _list(s, server, corpus, 2, per_page=5).json()["message"]["result"]["articleList"]]
    assert p1 == corpus.article_ids[5:10][::-1]
    assert p2 == corpus.article_ids[3:8][::-1]  # three new posts on top pushed three of p1 onto p2
    assert server.stats["published"] == 6


def test_fault_spec_parsing():
    cfg = FaultConfig.parse("429=0.1, drop=0.02,publish=3,seed=9,retry_after=2,slow_s=0.25")
    assert cfg.rates == {"429": 0.1, "drop": 0.02}
    assert (cfg.publish_per_list, cfg.seed, cfg.retry_after, cfg.slow_s) == (3, 9, 2, 0.25)
    for bad in ("404=0.1", "oops", "speed=3"):
        with pytest.raises(ValueError):
            FaultConfig.parse(bad)
