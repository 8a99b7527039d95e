"""v_rising_groups' test written again on arrays (numpy, not SQL): the views' tests compare the view with it,
and the simulations of test_false_alarms run it on many simulated years."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

YEAR_WEEKS = 52
SEASON_CAP = 3.0


@dataclass(frozen=True)
class Rising:
    trailing_posts: np.ndarray  # (groups, weeks), NaN where the window is not full
    expected: np.ndarray  # NaN where there is no test
    seasonal_factor: np.ndarray
    score: np.ndarray
    rising: np.ndarray  # bool


def rising(counts: np.ndarray, board: np.ndarray, *, trailing: int, z: float, min_posts: int) -> Rising:
    """`counts[g, w]`: posts of group g in week w; `board[w]`: the board's posts; the weeks are consecutive."""
    counts = np.asarray(counts, dtype=float)
    board = np.asarray(board, dtype=float)
    groups, weeks = counts.shape
    y = np.full((groups, weeks), np.nan)
    n_trailing = np.full(weeks, np.nan)
    for w in range(trailing, weeks):
        y[:, w] = counts[:, w - trailing : w].sum(axis=1)
        n_trailing[w] = board[w - trailing : w].sum()
    flat = y * board / n_trailing
    season = np.where(np.isnan(flat), np.nan, 1.0)
    for w in range(YEAR_WEEKS - 1, weeks):
        ago = [v for v in (w - YEAR_WEEKS - 1, w - YEAR_WEEKS, w - YEAR_WEEKS + 1) if v >= 0]
        known = ~np.isnan(flat[:, ago])
        posts_ago = np.where(known, counts[:, ago], 0).sum(axis=1)
        flat_ago = np.where(known, flat[:, ago], 0).sum(axis=1)
        ratio = np.clip((posts_ago + 1) / (flat_ago + 1), 1.0, SEASON_CAP)
        season[:, w] = np.where(np.isnan(flat[:, w]), np.nan, np.where(known.any(axis=1), ratio, 1.0))
    n = counts + y
    p = season * board / (season * board + n_trailing)
    x = counts - 0.5
    m = n * p
    with np.errstate(divide="ignore", invalid="ignore"):
        above = x > m
        xs, ms, ns = np.where(above, x, 1.0), np.where(above, m, 1.0), np.where(above, n, 2.0)
        lr = xs * np.log(xs / ms) + (ns - xs) * np.log((ns - xs) / (ns - ms))
        score = np.where(above, np.sqrt(np.maximum(2 * lr, 0.0)), 0.0)
    score[np.isnan(flat)] = np.nan
    flagged = np.nan_to_num(score, nan=-1.0) >= z
    return Rising(y, flat * season, season, score, flagged & (counts >= min_posts))
