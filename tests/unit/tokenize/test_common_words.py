"""Stopword suggestions from the mart: frequent nouns at an even rate in every group."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from cafelake.config import KeywordGroup
from cafelake.tokenize.common_words import common_words

GROUPS = [
    KeywordGroup(1, "fever", "열", "", ("열",)),
    KeywordGroup(2, "cough", "기침", "", ("기침",)),
    KeywordGroup(3, "skin", "피부", "", ("피부",)),
]


def _month(first: int, posts: int) -> tuple[pa.Table, pa.Table]:
    """Posts in three equal groups (by post number mod 3). Every post says 집; each group its keyword;
    잠 comes in 2 of 3 fever posts, half the cough posts and no skin post; 사진 in every fourth post;
    아기 is flagged already."""
    tokens, groups = [], []
    for n in range(first, first + posts):
        pid, g = f"p{n}", GROUPS[n % 3]
        groups.append((pid, g.group_id))
        words = [("집", False), (g.keywords[0], False), ("아기", True)]
        if (g.group_id == 1 and n % 3 == 0 and n % 9 != 0) or (g.group_id != 1 and n % 6 == 1):
            words.append(("잠", False))
        if n % 4 == 0:
            words += [("사진", False), ("사진", False)]  # twice in a post: counted once
        tokens += [(pid, w, "NNG", s) for w, s in words] + [(pid, "가다", "VV", True)]
    columns = ["post_id", "token", "token_pos", "is_stopword"]
    return (
        pa.table({k: [t[i] for t in tokens] for i, k in enumerate(columns)}),
        pa.table({"post_id": [g[0] for g in groups], "group_id": pa.array([g[1] for g in groups], pa.int32())}),
    )


@pytest.fixture
def words():
    months = [_month(0, 180), _month(180, 180)]
    found = common_words(lambda: iter(months), GROUPS, min_share=0.1, min_group_posts=10)
    return {w.token: w for w in found}


def test_a_noun_everyone_uses_evenly_is_suggested(words):
    home = words["집"]
    assert home.posts == 360 and home.share == 1.0 and math.isclose(home.evenness, 1.0) and home.suggested
    assert words["사진"].posts == 90 and words["사진"].suggested  # counted once per post


def test_keywords_flagged_words_and_leaning_words_are_not(words):
    assert words["열"].is_keyword and not words["열"].suggested and words["열"].evenness < 0.01
    assert words["아기"].is_stopword and not words["아기"].suggested
    sleep = words["잠"]
    assert sleep.top_group == "fever" and sleep.evenness < 0.95 and sleep.spread == math.inf
    assert not sleep.suggested
    assert "가다" not in words  # verbs are not candidates


def test_rare_nouns_are_left_out():
    months = [_month(0, 180)]
    found = {w.token for w in common_words(lambda: iter(months), GROUPS, min_share=0.3, min_group_posts=10)}
    assert "집" in found and "사진" not in found  # 사진 is in a quarter of the posts


def test_an_empty_mart_suggests_nothing():
    assert common_words(lambda: iter([]), GROUPS) == []
