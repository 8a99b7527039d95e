"""The planted outbreak: one topic's weight multiplied for a few weeks, at a week the seed picks.

It is what `v_rising_groups` and `cafelake alerts` must find (docs/sample-corpus.md#planted-outbreak):
`corpus_topics.yaml`'s `outbreak` names the topic, the factor, the number of weeks and the months it
may start in. It starts on a Monday of those months with at least `history_weeks` complete weeks of
the board before it and all its weeks inside the board, drawn from the seed; a board with no such
Monday has none.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cafelake.sources.naver_cafe.corpus.calendar import mix


@dataclass(frozen=True)
class OutbreakPlan:
    """What corpus_topics.yaml's `outbreak` asks for."""

    topic: str
    factor: float
    weeks: int
    months: tuple[int, ...]
    history_weeks: int

    @classmethod
    def parse(cls, data: Any, topics: set[str]) -> OutbreakPlan | None:
        if data is None:
            return None
        plan = cls(
            str(data["topic"]),
            float(data["factor"]),
            int(data["weeks"]),
            tuple(int(m) for m in data["months"]),
            int(data["history_weeks"]),
        )
        if plan.topic not in topics:
            raise ValueError(f"corpus_topics.yaml: outbreak of unknown topic {plan.topic!r}")
        return plan

    def place(self, seed: int, start: date, end: date) -> Outbreak | None:
        """The outbreak on the board from `start` to `end` (inclusive), or None if it fits nowhere."""
        first_monday = start + timedelta(days=-start.weekday() % 7)
        earliest = first_monday + timedelta(weeks=self.history_weeks)
        mondays = []
        day = earliest
        while day + timedelta(weeks=self.weeks) <= end + timedelta(days=1):
            if day.month in self.months:
                mondays.append(day)
            day += timedelta(weeks=1)
        if not mondays:
            return None
        chosen = mondays[random.Random(mix(seed, "outbreak")).randrange(len(mondays))]
        return Outbreak(self.topic, self.factor, chosen, chosen + timedelta(weeks=self.weeks))


@dataclass(frozen=True)
class Outbreak:
    """`topic` weighs `factor` times its seasonal weight from `start` (a Monday) until before `end`."""

    topic: str
    factor: float
    start: date
    end: date

    def boost(self, day: date) -> dict[str, float]:
        return {self.topic: self.factor} if self.start <= day < self.end else {}
