"""The keyword groups on the hand-labelled gold set: how parents really write (tests/data)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cafelake.settings import Settings
from cafelake.tokenize.gold import GoldRow, Outcome, evaluate, load_gold, score
from cafelake.tokenize.keywords import KeywordMatcher

GOLD = Path(__file__).parents[2] / "data" / "gold_keyword_groups.tsv"
MIN_POSITIVES, MIN_HARD_NEGATIVES = 5, 2


@pytest.fixture(scope="module")
def rows():
    return load_gold(GOLD)


@pytest.fixture(scope="module")
def report(rows, kiwi_analyzer):
    return evaluate(rows, kiwi_analyzer, KeywordMatcher(Settings.load({}).keyword_groups))


def test_gold_set_is_well_formed(rows):
    names = {g.group_name for g in Settings.load({}).keyword_groups}
    assert len(rows) >= 400
    texts = [re.sub(r"\s+", " ", r.text.strip()) for r in rows]
    assert len(set(texts)) == len(texts), sorted({t for t in texts if texts.count(t) > 1})
    for r in rows:
        labelled = r.groups | r.not_groups | r.may
        assert labelled <= names, (r.line, labelled - names)
        assert not (r.groups & r.not_groups or r.groups & r.may or r.not_groups & r.may), r.line
    for name in names:
        positives = sum(name in r.groups for r in rows)
        hard = sum(name in r.not_groups for r in rows)
        assert positives >= MIN_POSITIVES and hard >= MIN_HARD_NEGATIVES, (name, positives, hard)


def test_every_group_has_precision_and_recall_of_at_least_0_99(report):
    low = {
        name: (round(s.precision, 3), round(s.recall, 3))
        for name, s in report.scores.items()
        if s.precision < 0.99 or s.recall < 0.99
    }
    assert not low, f"groups below 0.99 (precision, recall): {low}\n\n{report.format()}"


def test_words_the_gold_set_names_come_out_whole(report):
    broken = [o for o in report.outcomes if o.broken]
    assert not broken, "\n".join(f"line {o.row.line}: {o.row.text}: {o.broken} not in {o.tokens}" for o in broken)


def test_the_report_lists_every_miss_with_its_tokens(rows, kiwi_analyzer):
    """Scored with the frames of before the fixes, the misses are there, each with what the tokenizer kept."""
    old = [g for g in Settings.load({}).keyword_groups if g.group_name != "enteritis"]
    fever = [r for r in rows if "enteritis" in r.groups][:3]
    text = evaluate(fever, kiwi_analyzer, KeywordMatcher(old)).format()
    assert "enteritis" in text and "0.000" in text
    for r in fever:
        assert f"line {r.line}: {r.text}" in text and "missed:   " in text and "tokens:   " in text


def test_scores_count_may_groups_neither_way():
    row = GoldRow(1, "t", frozenset({"fever"}), frozenset({"vomit"}), frozenset({"stool"}), ())
    outcomes = [Outcome(row, (), {"fever": ("열",), "stool": ("변",), "vomit": ("토",)}), Outcome(row, (), {})]
    s = score(outcomes, [])
    assert (s["fever"].tp, s["fever"].fn, s["fever"].fp) == (1, 1, 0)
    assert (s["vomit"].fp, s["vomit"].hard_negatives) == (1, 2)
    assert (s["stool"].tp, s["stool"].fp, s["stool"].fn) == (0, 0, 0)
    assert s["fever"].recall == 0.5 and s["vomit"].precision == 0.0


@pytest.mark.parametrize(
    "content, error",
    [
        ("text\tgroups\n", "header"),
        ("text\tgroups\tnot\tmay\twhole\n열\tfever\t\t\t\textra\n", "want text"),
        ("text\tgroups\tnot\tmay\twhole\n\tfever\n", "want text"),
    ],
)
def test_malformed_gold_files_are_refused(tmp_path, content, error):
    path = tmp_path / "gold.tsv"
    path.write_text("# comment\n" + content, encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        load_gold(path)
