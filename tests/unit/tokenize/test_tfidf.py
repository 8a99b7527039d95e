"""TF-IDF: the streaming, chunked computation against an independent recomputation."""

from __future__ import annotations

import math
import random
from collections import Counter

import pyarrow as pa
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from cafelake.config import KeywordGroup
from cafelake.tokenize.tfidf import ALL, MEAN, MEAN_MIN_DOCS, MEAN_MIN_SHARE, SUM, compute_tfidf

GROUPS = [
    KeywordGroup(1, "fever", "열", "", ("열",)),
    KeywordGroup(2, "skin", "피부", "", ("피부",)),
    KeywordGroup(3, "empty", "없음", "", ("없음",)),
]
VOCAB = [
    ("열", "NNG"),
    ("피부", "NNG"),
    ("기침", "NNG"),
    ("가렵다", "VA"),
    ("붓다", "VV"),
    ("RSV", "SL"),
    ("열", "NNP"),
    ("콧물", "NNG"),
    ("아기", "NNG"),
    ("하다", "VV"),
]
STOP = {("아기", "NNG"), ("하다", "VV")}


def _corpus(seed: int, n_posts: int):
    """Random posts: (post_id, [(token, pos, is_stopword)]) and their groups (post_id, group_id)."""
    rnd = random.Random(seed)
    posts, groups = [], []
    for i in range(n_posts):
        toks = [(t, p, (t, p) in STOP) for t, p in rnd.choices(VOCAB, k=rnd.randint(0, 12))]
        if i % 9 == 0:
            toks = [("아기", "NNG", True)]  # a post with only stopwords is no document
        posts.append((f"p{i:03d}", toks))
        if any(t == "열" for t, _, _ in toks):
            groups.append((f"p{i:03d}", 1))
        if any(t == "피부" for t, _, _ in toks) or i % 7 == 0:
            groups.append((f"p{i:03d}", 2))
    return posts, groups


def _chunks(posts, groups, size):
    def chunks():
        for start in range(0, len(posts), size):
            part = posts[start : start + size]
            ids = {pid for pid, _ in part}
            rows = [(pid, t, p, s) for pid, toks in part for t, p, s in toks]
            yield (
                pa.table(
                    {
                        "post_id": pa.array([r[0] for r in rows], pa.string()),
                        "token": pa.array([r[1] for r in rows], pa.string()),
                        "token_pos": pa.array([r[2] for r in rows], pa.string()),
                        "is_stopword": pa.array([r[3] for r in rows], pa.bool_()),
                    }
                ),
                pa.table(
                    {
                        "post_id": pa.array([g[0] for g in groups if g[0] in ids], pa.string()),
                        "group_id": pa.array([g[1] for g in groups if g[0] in ids], pa.int32()),
                    }
                ),
            )

    return chunks


def _weights(docs: dict[str, Counter]) -> dict[str, dict]:
    """Each document's L2-normalised smooth-idf weights, the idf taken over `docs`."""
    n = len(docs)
    df = Counter(term for c in docs.values() for term in c)
    out = {}
    for pid, c in docs.items():
        w = {term: cnt * (math.log((1 + n) / (1 + df[term])) + 1) for term, cnt in c.items()}
        norm = math.sqrt(sum(v * v for v in w.values()))
        out[pid] = {term: v / norm for term, v in w.items()}
    return out


def _reference(posts, groups, scope_gid):
    """The formula, straight: documents, df, smooth idf, L2 rows, summed per term; the mean of the
    board's ('all') weights over the scope's documents that use the term; and n."""
    board = _weights({pid: c for pid, toks in posts if (c := Counter((t, p) for t, p, s in toks if not s))})
    members = {pid for pid, gid in groups if gid == scope_gid} if scope_gid else set(board)
    docs = {pid: Counter((t, p) for t, p, s in toks if not s) for pid, toks in posts if pid in members}
    docs = {pid: c for pid, c in docs.items() if c}
    score, tf, on_board = Counter(), Counter(), Counter()
    for pid, w in _weights(docs).items():
        for term, v in w.items():
            score[term] += v
            tf[term] += docs[pid][term]
            on_board[term] += board[pid][term]
    df = Counter(term for c in docs.values() for term in c)
    return score, df, tf, {t: on_board[t] / df[t] for t in df}, len(docs)


@pytest.mark.parametrize("chunk_size", [1, 7, 1000])
def test_matches_independent_recomputation(chunk_size):
    posts, groups = _corpus(seed=chunk_size, n_posts=120)
    out = compute_tfidf(_chunks(posts, groups, chunk_size), GROUPS, top_n=1000).to_pylist()
    for scope, gid in ((ALL, None), ("fever", 1), ("skin", 2)):
        score, df, tf, mean, n = _reference(posts, groups, gid)
        if scope == ALL:
            assert all(mean[t] == pytest.approx(score[t] / df[t], abs=1e-12) for t in score)
        else:  # a group's mean is on the board's scale, not its own
            assert any(abs(mean[t] - score[t] / df[t]) > 1e-6 for t in score)
        ranked_by_mean = {t: mean[t] for t in score if df[t] >= MEAN_MIN_DOCS and df[t] * MEAN_MIN_SHARE >= n}
        for ranking, key in ((SUM, score), (MEAN, ranked_by_mean)):
            rows = {(r["token"], r["token_pos"]): r for r in out if (r["scope"], r["ranking"]) == (scope, ranking)}
            assert set(rows) == set(key)
            for term, r in rows.items():
                assert r["tfidf_score"] == pytest.approx(score[term], abs=1e-9)
                assert r["mean_tfidf"] == pytest.approx(mean[term], abs=1e-9)
                assert (r["doc_freq"], r["term_freq"]) == (df[term], tf[term])
            expected_order = sorted(key, key=lambda t: (-round(key[t], 10), t[0], t[1]))
            assert [
                (r["token"], r["token_pos"]) for r in sorted(rows.values(), key=lambda r: r["rank"])
            ] == expected_order
    assert "empty" not in {r["scope"] for r in out}  # a group with no posts has no rows
    assert not {(r["token"], r["token_pos"]) for r in out} & STOP


def test_mean_ranking_favours_the_distinctive_term_over_the_frequent_one():
    """감기 in every post, once, beside other words; 아토피 in a few, dominating them: sum and mean disagree."""
    posts = [(f"p{i}", [("감기", "NNG", False), ("기침", "NNG", False), ("콧물", "NNG", False)]) for i in range(40)]
    posts += [
        (f"q{i}", [("감기", "NNG", False), ("아토피", "NNG", False), ("아토피", "NNG", False)])
        for i in range(MEAN_MIN_DOCS + 1)
    ]
    posts += [(f"r{i}", [("감기", "NNG", False), ("오타", "NNG", False)]) for i in range(MEAN_MIN_DOCS - 1)]
    out = compute_tfidf(_chunks(posts, [], 10), GROUPS, top_n=10).to_pylist()
    ranks = {(r["ranking"], r["token"]): r["rank"] for r in out}
    assert ranks[(SUM, "감기")] < ranks[(SUM, "아토피")]
    assert ranks[(MEAN, "아토피")] == 1 and ranks[(MEAN, "아토피")] < ranks[(MEAN, "감기")]
    assert (SUM, "오타") in ranks and (MEAN, "오타") not in ranks  # in too few posts to be ranked by its mean


def test_matches_scikit_learn_vectorizer_on_the_whole_corpus():
    posts, groups = _corpus(seed=3, n_posts=80)
    docs = [[f"{t}/{p}" for t, p, s in toks if not s] for _, toks in posts]
    docs = [d for d in docs if d]
    vec = TfidfVectorizer(analyzer=lambda d: d, smooth_idf=True, norm="l2", sublinear_tf=False)
    sums = vec.fit_transform(docs).sum(axis=0).A1
    expected = {tuple(term.split("/")): sums[i] for term, i in vec.vocabulary_.items()}
    out = compute_tfidf(_chunks(posts, groups, 11), GROUPS, top_n=1000).to_pylist()
    got = {(r["token"], r["token_pos"]): r["tfidf_score"] for r in out if (r["scope"], r["ranking"]) == (ALL, SUM)}
    assert got.keys() == expected.keys()
    assert all(abs(got[k] - expected[k]) < 1e-9 for k in got)


def test_top_n_keeps_the_best_ranks():
    posts, groups = _corpus(seed=5, n_posts=60)
    full = compute_tfidf(_chunks(posts, groups, 13), GROUPS, top_n=1000).to_pylist()
    top = compute_tfidf(_chunks(posts, groups, 13), GROUPS, top_n=3).to_pylist()
    for key in {(r["scope"], r["ranking"]) for r in full}:
        best = sorted((r for r in full if (r["scope"], r["ranking"]) == key), key=lambda r: r["rank"])[:3]
        assert [r for r in top if (r["scope"], r["ranking"]) == key] == best


def test_no_documents_no_rows():
    posts = [("p1", [("아기", "NNG", True)])]
    assert compute_tfidf(_chunks(posts, [], 5), GROUPS, top_n=10).num_rows == 0


def test_ties_rank_by_token_then_pos():
    posts = [
        (f"p{i}", [(t, p, False) for t, p in (("다", "NNG"), ("나", "NNG"), ("가", "NNP"), ("가", "NNG"))])
        for i in range(MEAN_MIN_DOCS + 2)
    ]
    out = compute_tfidf(_chunks(posts, [], 3), GROUPS, top_n=10).to_pylist()
    for ranking in (SUM, MEAN):
        assert [
            (r["token"], r["token_pos"]) for r in sorted(out, key=lambda r: r["rank"]) if r["ranking"] == ranking
        ] == [("가", "NNG"), ("가", "NNP"), ("나", "NNG"), ("다", "NNG")]
