"""Rate limit, backoff with jitter, Retry-After parsing, the circuit breaker."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from cafelake.collect.politeness import (
    CircuitBreaker,
    CircuitOpen,
    Policy,
    RateLimiter,
    backoff_delay,
    parse_retry_after,
)


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.t += s


def test_rate_limiter_spaces_requests():
    clock = FakeClock()
    limiter = RateLimiter(2.0, clock, clock.sleep)
    limiter.wait()
    clock.t += 0.1
    limiter.wait()
    limiter.wait()
    assert clock.slept == pytest.approx([0.4, 0.5])


def test_rate_limit_zero_never_sleeps():
    clock = FakeClock()
    limiter = RateLimiter(0, clock, clock.sleep)
    for _ in range(5):
        limiter.wait()
    assert clock.slept == []


@pytest.mark.parametrize("value, expected", [("7", 7.0), ("0", 0.0), (" 12 ", 12.0), ("soon", None), ("-3", None)])
def test_parse_retry_after_seconds(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date():
    now = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Sun, 22 Nov 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Sun, 22 Nov 2026 11:00:00 GMT", now) == 0.0


def test_backoff_is_jittered_exponential_and_capped():
    policy = Policy(backoff_base_s=1.0, backoff_cap_s=5.0, rng=random.Random(1))
    for attempt, bound in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (10, 5.0)]:
        delays = [backoff_delay(attempt, policy) for _ in range(200)]
        assert all(0 <= d <= bound for d in delays)
        assert max(delays) > bound * 0.8  # full jitter spreads over the whole window


def test_retry_after_wins_over_backoff_and_is_capped_and_scaled():
    policy = Policy(retry_after_cap_s=60, retry_after_scale=0.5)
    assert backoff_delay(1, policy, "30") == 15.0
    assert backoff_delay(1, policy, "3600") == 30.0
    assert 0 <= backoff_delay(1, policy, "garbage") <= policy.backoff_base_s


def test_breaker_opens_after_consecutive_failures_only():
    breaker = CircuitBreaker(3)
    breaker.failure("a")
    breaker.failure("b")
    breaker.success()
    breaker.failure("c")
    breaker.failure("d")
    with pytest.raises(CircuitOpen, match=r"3 consecutive.*last: e"):
        breaker.failure("e")
