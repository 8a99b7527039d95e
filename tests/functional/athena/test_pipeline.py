"""On the real pipeline's mart: the checks pass and the views recover the generator's distributions."""

from __future__ import annotations

import pytest

from cafelake.athena.checks import run_checks
from cafelake.athena.local import LocalAthena
from cafelake.sources.naver_cafe.corpus.authors import posts_per_author_pmf
from cafelake.sources.naver_cafe.corpus.calendar import WEEKDAY_HOURS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine(pipeline_lake):
    with LocalAthena(pipeline_lake) as e:
        yield e


def test_every_check_passes_on_the_pipeline_output(engine):
    failed = [(r.name, r.failing_rows, r.sample.head(2).to_dict("records")) for r in run_checks(engine) if not r.passed]
    assert failed == []


def test_evening_peak_at_21_22_kst(engine):
    """The generator weights 21 and 22 KST highest ("after the children sleep")."""
    by_hour = engine.query("SELECT post_hour, sum(posts) AS posts FROM v_posts_by_hour GROUP BY 1")
    top2 = set(by_hour.nlargest(2, "posts")["post_hour"])
    heaviest = {h for h, _ in sorted(enumerate(WEEKDAY_HOURS), key=lambda x: -x[1])[:2]}
    assert top2 == heaviest == {21, 22}
    night = by_hour.set_index("post_hour")["posts"]
    assert night[[3, 4, 5]].sum() < night[[21, 22]].sum() / 4


def test_repeat_authors_mostly_post_two_or_three_times(engine):
    freq = engine.view("v_author_post_frequency").set_index("post_count")["authors"]
    share_2_3 = freq[freq.index <= 3].sum() / freq.sum()
    pmf = posts_per_author_pmf()
    expected = pmf[1:3].sum() / pmf[1:].sum()  # P(2 or 3 | >= 2) under the generator
    assert freq.idxmax() == 2
    assert share_2_3 > 0.5
    assert share_2_3 == pytest.approx(expected, abs=0.12)  # a window of 120 days cuts long histories


def test_dashboard_filters_by_period(engine):
    months = sorted(engine.query("SELECT DISTINCT substr(dt, 1, 7) AS m FROM v_daily_posts")["m"])
    month = months[len(months) // 2]  # a full month inside the corpus window
    monthly = engine.view("v_daily_posts", f"dt LIKE '{month}-%'")
    assert 25 <= len(monthly) <= 31 and monthly["posts"].sum() > 0
