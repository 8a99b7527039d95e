"""The generated board through the real stages: group shares against the planted ones, and TF-IDF's two rankings.

Each group's share of the generated board, planted by the generator, against what the pipeline assigns.

The generator records which keyword groups each post means to carry (its [[marked]]
words, config/corpus_topics.yaml), independently of Kiwi. The corpus is pushed through
the real stages (raw -> cleanse -> tokenize) and each group's share of posts is compared
with the planted one, on the posts whose whole text reached the mart (an "ok" article:
member-only, private and blind ones reach it as a title at most).

Tolerance: the pipeline's count may differ from the planted count by 2 % of it, and so
may its misses and its strays each (a share made right by offsetting errors is not
right). The comparison is paired (the same posts on both sides), so there is no
sampling error to allow for: a difference is the tokenizer's. The gold set asks for
precision and recall >= 0.99 per group, which bounds found/planted = recall/precision to
[0.99, 1.0101]; the corpus composes its forms into contexts the gold set does not hold
one by one, so twice that is allowed. At 3,000 posts diarrhoea is planted in ~130 posts,
so 2 % is ~3 posts: one stray misread does not fail the test, a misread form (each is
used in dozens of posts) does. The issue's failure was a group shrunk to a third.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from cafelake.cleanse.authors import create_key
from cafelake.cleanse.job import run_cleanse
from cafelake.collect.seed import seed_raw
from cafelake.lake import Lake
from cafelake.settings import Settings
from cafelake.sources.naver_cafe.corpus import Corpus
from cafelake.tokenize import run_tokenize
from cafelake.tokenize.tfidf import MEAN_MIN_DOCS, MEAN_MIN_SHARE

pytestmark = pytest.mark.slow

POSTS = 3000
TOLERANCE = 0.02
# Specific diseases of the board's vocabulary (the study's examples and their like), against the common cold.
DISEASES = ("아토피", "두드러기", "장염", "수족구", "중이염", "돌발진", "모세기관지염", "땀띠", "태열", "독감")
COLD = "감기"


@dataclass
class GroupCount:
    planted: int
    found: int
    both: int
    misses: list[str]  # planted, not found
    strays: list[str]  # found, not planted


@pytest.fixture(scope="module")
def board(tmp_path_factory) -> tuple[Corpus, Lake]:
    corpus = Corpus(posts=POSTS, seed=42)
    lake = Lake(str(tmp_path_factory.mktemp("board") / "lake"))
    seed_raw(lake, corpus, run_id="board", fetched_at=datetime(2026, 11, 1, tzinfo=UTC))
    create_key(lake)  # as `cafelake init` does
    run_cleanse(lake)
    run_tokenize(lake)
    return corpus, lake


@pytest.fixture(scope="module")
def counts(board) -> tuple[int, dict[str, GroupCount]]:
    corpus, lake = board
    names = {g.group_id: g.group_name for g in Settings.load({}).keyword_groups}
    found: dict[str, set[str]] = {}
    for r in lake.read_table("post_keyword_groups", columns=["post_id", "group_id"]).to_pylist():
        found.setdefault(r["post_id"], set()).add(names[r["group_id"]])
    out = {g: GroupCount(0, 0, 0, [], []) for g in names.values()}
    compared = 0
    for r in lake.read_table("posts_dim", columns=["post_id", "question_text"]).to_pylist():
        art = corpus.article(int(r["post_id"].rsplit(":", 1)[1]))
        if art.status != "ok" or (art.broken is not None and not art.broken.startswith("odd_date")):
            continue
        compared += 1
        planted, got = set(art.truth["groups"]), found.get(r["post_id"], set())
        for g in planted | got:
            c = out[g]
            c.planted += g in planted
            c.found += g in got
            c.both += g in planted and g in got
            if g in planted and g not in got:
                c.misses.append(r["question_text"])
            elif g in got and g not in planted:
                c.strays.append(r["question_text"])
    return compared, out


def _table(compared: int, counts: dict[str, GroupCount]) -> str:
    return "\n".join(
        f"{g:11s} planted {c.planted / compared:6.1%} found {c.found / compared:6.1%} "
        f"(x{c.found / max(c.planted, 1):.3f})"
        for g, c in sorted(counts.items())
    )


def test_the_comparison_has_enough_posts(counts):
    compared, by_group = counts
    assert compared > 0.9 * POSTS
    assert by_group["fever"].planted > 400 and by_group["diarrhea"].planted > 100


@pytest.mark.parametrize("group", ["fever", "diarrhea"])
def test_group_comes_out_at_its_planted_share(counts, group):
    compared, by_group = counts
    c = by_group[group]
    detail = (
        f"{group}: planted in {c.planted} posts, found in {c.found} ({c.both} of them planted)\n"
        + "\n".join(f"  missed: {t[:160]}" for t in c.misses[:15])
        + "\n"
        + "\n".join(f"  stray:  {t[:160]}" for t in c.strays[:15])
        + "\nall groups:\n"
        + _table(compared, by_group)
    )
    assert abs(c.found - c.planted) <= TOLERANCE * c.planted, detail
    assert len(c.misses) <= TOLERANCE * c.planted and len(c.strays) <= TOLERANCE * c.planted, detail


def test_the_distinctive_tfidf_ranking_puts_specific_diseases_above_the_cold(board):
    """On this board 감기 is everywhere: summed TF-IDF, which tracks frequency, ranks it above the diseases; the
    mean ranking ranks every disease in enough posts to be ranked above it (what the study's TF-IDF showed)."""
    _, lake = board
    tokens = lake.read_table("tokens_fact", columns=["post_id", "token", "token_pos", "is_stopword"]).to_pandas()
    tokens = tokens[~tokens["is_stopword"]]
    docs = tokens["post_id"].nunique()
    df = tokens[tokens["token_pos"] == "NNG"].groupby("token")["post_id"].nunique()
    floor = max(MEAN_MIN_DOCS, -(-docs // MEAN_MIN_SHARE))
    ranked = [d for d in DISEASES if df.get(d, 0) >= floor]
    assert len(ranked) >= 6 and df[COLD] >= floor, (df.reindex([*DISEASES, COLD]).to_dict(), floor)
    assert df[COLD] > max(df[d] for d in ranked)  # the cold is in more posts than any of them

    # Every term ranked, not only the mart's top N: the generator's planted body parts and ages (팔, 얼굴, 걸음마 …)
    # crowd the top 100 of the mean ranking, and the comparison is between the diseases and the cold wherever
    # they fall. The mart's top N is the same computation cut (test_tfidf checks that).
    from cafelake.settings import Settings
    from cafelake.tokenize.job import _tfidf_chunks
    from cafelake.tokenize.tfidf import compute_tfidf

    rows = compute_tfidf(_tfidf_chunks(lake), Settings.load({}).keyword_groups, top_n=1_000_000).to_pandas()
    rows = rows[(rows["scope"] == "all") & (rows["token_pos"] == "NNG")]
    rank = {(r.ranking, r.token): r.rank for r in rows.itertuples()}
    by_sum = {d: rank[("sum", d)] for d in [*ranked, COLD]}
    by_mean = {d: rank[("mean", d)] for d in [*ranked, COLD]}  # every term over the floor has a mean rank
    assert all(by_mean[d] < by_mean[COLD] for d in ranked), by_mean
    assert sum(by_sum[COLD] < by_sum[d] for d in ranked) > len(ranked) / 2, by_sum  # summed: the cold leads most
