"""Simulated boards for the rising test: a year (or ten) of weekly counts per keyword group.

Shaped like the sample corpus (docs/sample-corpus.md): about 385 posts a week, ±15 % by season and 8 %
week-to-week jitter for the board; per group its planted share with a seasonal swing (the topics'
amplitudes, up to 0.95 for 수족구 and 땀띠), drawn binomially from the board's week. "Flat" means no
outbreak. The false-alarm rate is measured without seasons (each group's share constant, the board's
volume still seasonal and jittery); with them, the onsets of the most seasonal groups are measured apart.
"""

from __future__ import annotations

import numpy as np

# (share of posts, seasonal amplitude, peak week) per group, after the corpus's measured shares.
GROUPS = {
    "hospital": (0.503, 0.2, 1),
    "fever": (0.204, 0.5, 1),
    "symptom": (0.151, 0.0, 0),
    "skin": (0.148, 0.4, 2),
    "cough": (0.115, 0.6, 1),
    "runny_nose": (0.107, 0.5, 51),
    "stool": (0.087, 0.0, 0),
    "vomit": (0.080, 0.3, 5),
    "rash": (0.058, 0.2, 13),
    "allergy": (0.057, 0.4, 15),
    "phlegm": (0.050, 0.5, 1),
    "diarrhea": (0.049, 0.3, 5),
    "heat_rash": (0.045, 0.95, 30),
    "hand_foot": (0.042, 0.95, 26),
    "otitis": (0.037, 0.3, 0),
    "flu": (0.036, 0.95, 2),
    "seborrheic": (0.036, 0.3, 28),
    "atopy": (0.034, 0.3, 2),
    "pneumonia": (0.033, 0.7, 0),
    "blood": (0.032, 0.0, 0),
    "urticaria": (0.027, 0.2, 17),
    "blister": (0.024, 0.6, 26),
    "enteritis": (0.022, 0.3, 5),
}
WEEKS_A_YEAR = 52


def board(rng: np.random.Generator, weeks: int, posts_a_year: int = 20_000, busier: dict[int, float] | None = None):
    """The board's posts per week."""
    t = np.arange(weeks)
    mean = posts_a_year / WEEKS_A_YEAR * (1 + 0.15 * np.cos(2 * np.pi * (t - 3) / WEEKS_A_YEAR))
    mean = mean * np.exp(rng.normal(0, 0.08, weeks))
    for week, factor in (busier or {}).items():
        mean[week] *= factor
    return rng.poisson(mean)


def shares(weeks: int, *, seasons: bool = True) -> np.ndarray:
    """(groups, weeks): each group's share of the board's posts that week (constant without `seasons`)."""
    t = np.arange(weeks)
    return np.array(
        [s * (1 + a * seasons * np.cos(2 * np.pi * (t - peak) / WEEKS_A_YEAR)) for s, a, peak in GROUPS.values()]
    ).clip(0, 1)


def counts(rng: np.random.Generator, posts: np.ndarray, share: np.ndarray) -> np.ndarray:
    return rng.binomial(np.broadcast_to(posts, share.shape), share)
