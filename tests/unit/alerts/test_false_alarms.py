"""The rising test's false-alarm rate and detection delay, measured on simulated boards (docs/text-analysis.md).

alerts.yaml's α is a per-test rate under the binomial model; these simulations measure what the rule does
on boards with seasons, week-to-week jitter and a busy board week, with the shipped settings, through the
same computation as the view (rising_reference; tests/functional/athena compares the two).
"""

from __future__ import annotations

import numpy as np
import pytest

from cafelake.alerts.settings import load_config
from cafelake.settings import Settings
from tests.unit.alerts import simulate
from tests.unit.alerts.rising_reference import rising

HAND_FOOT = list(simulate.GROUPS).index("hand_foot")


@pytest.fixture(scope="module")
def cfg():
    return load_config(Settings.load({}).files)


def _rising(cfg, counts, board):
    return rising(counts, board, trailing=cfg.trailing_weeks, z=cfg.z_threshold, min_posts=cfg.min_posts)


def _years(cfg, *, seasons: bool, boards: int = 5, years: int = 10):
    weeks = years * simulate.WEEKS_A_YEAR
    for seed in range(boards):
        rng = np.random.default_rng(seed)
        posts = simulate.board(rng, weeks, busier={w: 1.6 for w in range(20, weeks, 37)})
        share = simulate.shares(weeks, seasons=seasons)
        yield share, _rising(cfg, simulate.counts(rng, posts, share), posts)


def test_ten_flat_years_raise_no_alarm(cfg):
    """Ten years of a board whose groups keep their shares (the board's volume seasonal, jittery, busier some
    weeks), five boards over: of some 60,000 tested group-weeks none is flagged."""
    tested = flagged = 0
    for _, r in _years(cfg, seasons=False):
        tested += int(np.isfinite(r.score).sum())
        flagged += int(r.rising.sum())
    assert tested > 5 * 23 * 500
    assert flagged == 0


def test_with_seasons_the_first_year_flags_only_onsets_and_later_years_are_quiet(cfg):
    """With the corpus's seasons: in the first year (no history for the seasonal factor) a flagged week is the
    onset of a strongly seasonal group (swinging by ±60 % or more over the year, its share that week at least 1.5
    times that of eight weeks before): the season starting. Once a year of history exists the seasonal factor
    expects it, and at most what α allows is flagged (5 boards x 9 years ~ 53,000 tests: about 0.5 expected)."""
    swings = np.array([a for _, a, _ in simulate.GROUPS.values()])
    later = 0
    for share, r in _years(cfg, seasons=True):
        for g, w in zip(*np.nonzero(r.rising), strict=True):
            if w < simulate.WEEKS_A_YEAR:
                assert swings[g] >= 0.6 and share[g, w] >= 1.5 * share[g, w - 8], (g, w)
            else:
                later += 1
    assert later <= 2


def test_a_week_when_the_whole_board_is_busier_raises_no_alarm(cfg):
    """Twice the posts one week, every group alike (a holiday, a newsletter): conditional on the board's total,
    no group stands out."""
    weeks = 2 * simulate.WEEKS_A_YEAR
    rng = np.random.default_rng(11)
    busy = {w: 2.0 for w in range(10, weeks, 9)}
    posts = simulate.board(rng, weeks, busier=busy)
    counts = simulate.counts(rng, posts, simulate.shares(weeks))
    r = _rising(cfg, counts, posts)
    assert not r.rising.any()
    # against its trailing weekly mean alone, ignoring the board's total, many a group doubled those weeks
    naive = r.trailing_posts / cfg.trailing_weeks
    tested = [w for w in busy if w >= cfg.trailing_weeks]
    assert (counts[:, tested] > 1.8 * naive[:, tested]).sum() > 20


def _outbreak_delays(cfg, *, posts_a_year: int, runs: int, factor: float = 3.0) -> list[int | None]:
    """The week (0 = its first) each simulated 3-week outbreak of 수족구 is first flagged, None if never."""
    delays = []
    for seed in range(runs):
        rng = np.random.default_rng(1000 + seed)
        weeks = 2 * simulate.WEEKS_A_YEAR
        start = simulate.WEEKS_A_YEAR + int(rng.integers(22, 32))  # a summer week of the second year
        share = simulate.shares(weeks)
        share[HAND_FOOT, start : start + 3] *= factor
        posts = simulate.board(rng, weeks, posts_a_year)
        r = _rising(cfg, simulate.counts(rng, posts, share), posts)
        hit = np.flatnonzero(r.rising[HAND_FOOT, start : start + 3])
        delays.append(int(hit[0]) if hit.size else None)
    return delays


def test_a_tripling_of_hand_foot_is_flagged_in_its_first_week(cfg):
    """At the sample corpus's size (20,000 posts a year) a three-week tripling of 수족구 in summer is flagged in
    its first week in at least 95 of 100 simulated outbreaks, and always by its second."""
    delays = _outbreak_delays(cfg, posts_a_year=20_000, runs=100)
    assert sum(d == 0 for d in delays) >= 95
    assert all(d is not None and d <= 1 for d in delays)
