"""`explain` shows what the mart would hold for one text, with the reason behind each token."""

from __future__ import annotations

from pathlib import Path

import pytest

from cafelake.tokenize.explain import explain
from cafelake.tokenize.gold import load_gold
from cafelake.tokenize.keywords import KeywordMatcher

GOLD = Path(__file__).parents[2] / "data" / "gold_keyword_groups.tsv"


@pytest.fixture(scope="module")
def matcher(settings):
    return KeywordMatcher(settings.keyword_groups)


def test_tokens_and_groups_are_the_pipelines_on_every_gold_text(kiwi_analyzer, matcher):
    """The gold scoring runs tokenize_posts/match_groups over the batch; explain, one text at a time, agrees."""
    from cafelake.tokenize.gold import evaluate

    rows = load_gold(GOLD)
    report = evaluate(rows, kiwi_analyzer, matcher)
    for o in report.outcomes:
        e = explain(o.row.text, kiwi_analyzer, matcher)
        assert tuple(t.token for t in e.tokens) == o.tokens, o.row.text
        assert {g.group_name: tuple(g.keywords) for g in e.groups} == o.matched, o.row.text


def test_flags_say_why_each_token_is_there(kiwi_analyzer, matcher):
    e = explain("애기가 열 38도 넘어요 ㅠㅠ 😭 설사 했어요", kiwi_analyzer, matcher)
    assert e.analysed == "애기가 열 38도 넘어요 ㅠㅠ 설사 했어요"  # the emoji went with the cleanse rules
    by_token = {t.token: t for t in e.tokens}
    assert by_token["아기"].synonym_of == "애기" and by_token["아기"].is_stopword
    assert by_token["열"].rule == "fever_not_numeral" and by_token["체온"].rule == "temperature_reading"
    assert by_token["설사"].rule == "diarrhea_not_adverb" and by_token["넘다"].rule is None
    assert ("열", "NR") in [(m.form, m.tag) for m in e.morphemes]  # what Kiwi said before the rule
    assert [t.position for t in e.tokens] == list(range(len(e.tokens)))
    assert {g.group_name: g.keywords for g in e.groups} == {"fever": ["열", "체온"], "diarrhea": ["설사"]}


def test_a_text_in_no_group(kiwi_analyzer, matcher):
    e = explain("토요일에 열심히 놀았어요", kiwi_analyzer, matcher)
    assert e.groups == [] and "토요일" in [t.token for t in e.tokens]


def test_raw_skips_the_cleanse_rules(kiwi_analyzer, matcher):
    assert explain("열나요 😭", kiwi_analyzer, matcher, cleanse=False).analysed == "열나요 😭"
