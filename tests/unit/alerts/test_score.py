"""The view's score, the continuity-corrected likelihood-ratio z of the conditional binomial, against the exact
binomial upper tail (scipy)."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest
from scipy.stats import binom, norm

from cafelake.alerts.settings import AlertConfig
from tests.unit.alerts.rising_reference import rising


def _score(x: int, y: int, n_week: float, n_trailing: float) -> float:
    """The reference's score for one group-week: x this week, y over a one-week trailing window."""
    r = rising(np.array([[y, x]]), np.array([n_trailing, n_week]), trailing=1, z=99, min_posts=1)
    return float(r.score[0, 1])


@pytest.mark.parametrize("trailing_share", [0.5, 0.8, 8 / 9, 0.95, 0.98])
def test_the_score_tracks_the_exact_binomial_tail(trailing_share):
    """Wherever the exact tail P(X >= x) lies between 1e-10 and 1e-2, the score's normal tail is within
    0.8-2.6 times it: at most 20 % bolder (where x is all of n) and up to 2.6 times more conservative."""
    p = 1 - trailing_share
    checked = 0
    for n in (5, 10, 20, 40, 80, 160, 320, 640):
        for x in range(1, n + 1):
            exact = binom.sf(x - 1, n, p)
            if not 1e-10 < exact < 1e-2:
                continue
            approx = norm.sf(_score(x, n - x, p, 1 - p))
            assert 0.8 < approx / exact < 2.6, (n, x, p, approx, exact)
            checked += 1
    assert checked > 50


def test_no_score_when_the_week_is_not_above_its_expectation():
    assert _score(3, 30, 100, 1000) == 0.0
    assert _score(0, 0, 100, 1000) == 0.0


def test_the_threshold_is_the_normal_quantile_of_the_false_alarm_rate():
    cfg = AlertConfig(false_alarm_rate=1e-5, min_posts=5, trailing_weeks=8)
    assert cfg.z_threshold == pytest.approx(norm.isf(1e-5))
    assert cfg.sql_values() == {
        "rising_z": f"{NormalDist().inv_cdf(1 - 1e-5):.6f}",
        "rising_min_posts": "5",
        "trailing_weeks": "8",
    }
