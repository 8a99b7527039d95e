"""The baby's age on the hand-labelled gold set (tests/data/gold_baby_age.tsv), and the decisions one by one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cafelake.tokenize.age import BANDS, age_band, baby_age_months
from cafelake.tokenize.gold import AgeRow, evaluate_ages, load_age_gold

GOLD = Path(__file__).parents[2] / "data" / "gold_baby_age.tsv"


@pytest.fixture(scope="module")
def rows():
    return load_age_gold(GOLD)


@pytest.fixture(scope="module")
def report(rows):
    return evaluate_ages(rows, baby_age_months)


def test_gold_set_is_well_formed(rows):
    assert len(rows) >= 200
    texts = [re.sub(r"\s+", " ", r.text) for r in rows]
    assert len(set(texts)) == len(texts), sorted({t for t in texts if texts.count(t) > 1})
    stated = [r for r in rows if r.months is not None]
    assert 0.5 < len(stated) / len(rows) < 0.9  # both kinds well represented
    assert {age_band(r.months) for r in stated} == {label for _, label in BANDS}  # every band


def test_precision_on_what_it_labels_is_at_least_0_97(report):
    assert report.precision >= 0.97, report.format()


def test_recall_is_at_least_0_9(report):
    assert report.recall >= 0.9, report.format()


def test_the_report_lists_every_miss(rows):
    """A parser that takes the first number before 개월 as the age: the traps show up, each listed."""

    def naive(text: str) -> int | None:
        m = re.search(r"(\d+)\s*개월", text)
        return int(m[1]) if m else None

    report = evaluate_ages(rows, naive)
    assert report.precision < 0.97
    text = report.format()
    for r, _got in report.misses:
        assert f"line {r.line}: {r.text}\n  expected: {'-' if r.months is None else r.months}" in text


@pytest.mark.parametrize(
    "text, months",
    [
        ("생후 5개월 아기", 5),
        ("5 개월 아기", 5),
        ("6갤 아기", 6),
        ("100일 아기", 3),
        ("백일해 예방접종", None),  # whooping cough
        ("생후 3주", 0),
        ("돌아기", 12),
        ("두돌 반", 30),
        ("4살 아이", 48),
        ("신생아", 0),
        ("7개월차", 7),
        ("1년 6개월", 18),
        ("엄마 35살", None),
        ("형은 5살", None),
        ("4살 형이 아파요", None),
        ("돌을 삼켰어요", None),
        ("돌발진", None),
        ("눈이 돌아가요", None),
        ("3개월째 기침", None),
        ("콧물 흘린 지 2주 됐어요", None),
        ("태어난 지 2주 됐어요", 0),
        ("임신 8개월", None),
        ("3개월 때부터 태열", None),
        ("신생아 때부터 태열이 있었는데 지금 8개월", 8),
        ("큰애는 6살 작은애 20개월", 20),
        ("한국나이 3살 만으로 20개월", 20),  # months beat years
        ("신생아 3주", 0),  # weeks beat the word
        ("", None),
        (None, None),
    ],
)
def test_decisions(text, months):
    assert baby_age_months(text) == months


@pytest.mark.parametrize(
    "months, band",
    [
        (None, None),
        (0, "0 신생아"),
        (1, "01-03개월"),
        (3, "01-03개월"),
        (4, "04-06개월"),
        (12, "07-12개월"),
        (13, "13-24개월"),
        (24, "13-24개월"),
        (36, "25-36개월"),
        (37, "37개월+"),
        (108, "37개월+"),
    ],
)
def test_bands(months, band):
    assert age_band(months) == band


def test_scores_count_only_what_is_labelled():
    rows = [AgeRow(1, "a", 5, ""), AgeRow(2, "b", None, ""), AgeRow(3, "c", 7, ""), AgeRow(4, "d", None, "")]
    from cafelake.tokenize.gold import AgeReport

    r = AgeReport(rows, [5, None, None, 3])
    assert (r.labelled, r.correct, r.precision, r.recall, r.label_share) == (2, 1, 0.5, 0.5, 0.5)


@pytest.mark.parametrize(
    "content, error", [("text\tmonths\n", "header"), ("text\tmonths\tnote\nx\tfive\t\n", "digits or empty")]
)
def test_malformed_age_gold_files_are_refused(tmp_path, content, error):
    path = tmp_path / "gold.tsv"
    path.write_text("# comment\n" + content, encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        load_age_gold(path)
