"""When posts happen: daily volumes, KST hours of day, and the article-id layout.

Every day is rebuilt from (seed, day index) alone, so a single article costs the work of
its day (random access) and streaming the corpus holds one day at a time in memory.
"""

from __future__ import annotations

import hashlib
import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate

KST = timezone(timedelta(hours=9))

# Relative weight of each KST hour 0..23. Evening peak at 21-22 (after the children are
# asleep), a morning bump, a trough at 3-5. Weekends: the morning bump comes later.
WEEKDAY_HOURS = (
    3.0,
    1.8,
    1.1,
    0.7,
    0.6,
    0.8,
    1.8,
    3.0,
    3.6,
    3.8,
    3.6,
    3.3,
    3.2,
    3.3,
    3.4,
    3.4,
    3.3,
    3.2,
    3.0,
    3.4,
    4.8,
    6.8,
    6.6,
    4.8,
)
WEEKEND_HOURS = (
    3.4,
    2.1,
    1.2,
    0.7,
    0.6,
    0.6,
    1.0,
    1.8,
    2.6,
    3.4,
    4.0,
    3.8,
    3.4,
    3.3,
    3.3,
    3.3,
    3.2,
    3.1,
    3.0,
    3.4,
    4.8,
    6.8,
    6.6,
    5.0,
)
# Daily volume by weekday, Monday first: Sunday evening and Monday carry the weekend's
# illnesses (clinics closed), Friday and Saturday are quieter.
WEEKDAY_FACTORS = (1.10, 1.00, 0.98, 0.97, 0.93, 0.92, 1.10)
# Whole-board seasonality (colds in winter): 1 + A cos(2π (doy - peak) / 365.25).
VOLUME_AMPLITUDE = 0.15
VOLUME_PEAK = "01-20"
DAILY_NOISE_SIGMA = 0.08  # day-to-day lognormal jitter
FIRST_ARTICLE_ID = 3_500_001
ID_SPREAD = 1.6  # article ids per post: the board's ids have gaps (other boards, drafts)
_MASK64 = (1 << 64) - 1

_HOUR_CUM = {False: tuple(accumulate(WEEKDAY_HOURS)), True: tuple(accumulate(WEEKEND_HOURS))}


def mix(*parts: object) -> int:
    """A 64-bit seed from parts, stable across processes (unlike hash())."""
    return int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "big")


def article_seed(seed: int, article_id: int) -> int:
    """mix() for the hot path: one splitmix64 round over (seed, article id)."""
    z = (seed * 0x9E3779B97F4A7C15 + article_id * 0xBF58476D1CE4E5B9 + 0x94D049BB133111EB) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def day_of_year(month_day: str) -> int:
    month, day = map(int, month_day.split("-"))
    return date(2001, month, day).timetuple().tm_yday


def season_factor(day: date, amplitude: float, peak: str) -> float:
    phase = 2 * math.pi * (day.timetuple().tm_yday - day_of_year(peak)) / 365.25
    return 1.0 + amplitude * math.cos(phase)


def daily_counts(posts: int, start: date, days: int, seed: int) -> list[int]:
    """Posts per day summing exactly to `posts` (largest remainder on the weighted shares)."""
    rng = random.Random(mix(seed, "days", posts, start.isoformat(), days))
    weights = []
    for d in range(days):
        day = start + timedelta(days=d)
        weights.append(
            WEEKDAY_FACTORS[day.weekday()]
            * season_factor(day, VOLUME_AMPLITUDE, VOLUME_PEAK)
            * math.exp(rng.gauss(0.0, DAILY_NOISE_SIGMA))
        )
    total = sum(weights)
    exact = [posts * w / total for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(days), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: posts - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass(frozen=True, slots=True)
class Day:
    """One day of the board: its article ids and KST post times (ms since local midnight)."""

    index: int
    date: date
    first_index: int  # global position of the day's first post
    midnight_ms: int  # epoch ms of the day's KST midnight
    ids: tuple[int, ...]
    offsets_ms: tuple[int, ...]


def build_day(seed: int, index: int, day: date, count: int, first_index: int, first_id: int) -> Day:
    """Ids ascend with small random gaps inside the day's id span; times ascend with the ids."""
    rng = random.Random(mix(seed, "day", index))
    span = id_span(count)
    ids = tuple(first_id + x for x in sorted(rng.sample(range(span), count)))
    cum = _HOUR_CUM[day.weekday() >= 5]
    total = cum[-1]
    offsets = sorted(
        bisect_right(cum, rng.random() * total) * 3_600_000 + int(rng.random() * 3_600_000) for _ in range(count)
    )
    midnight = int(datetime(day.year, day.month, day.day, tzinfo=KST).timestamp()) * 1000
    return Day(index, day, first_index, midnight, ids, tuple(offsets))


def id_span(count: int) -> int:
    return math.ceil(count * ID_SPREAD)
