"""Politeness: a request-rate limit, backoff with jitter, Retry-After, a circuit breaker.

Naver blocks clients that hammer it; these keep the scraper slow and bounded by default.
The clock and the sleeper are injectable so tests run in milliseconds.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass
class Policy:
    """How polite and how persistent the client is. Every wait and every retry is bounded."""

    rate_limit: float = 1.0  # requests per second; 0 = unlimited (loopback)
    timeout_s: float = 20.0  # per request (connect and read)
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 60.0
    retry_after_scale: float = 1.0  # test hook: scales the server's Retry-After down
    retry_after_cap_s: float = 300.0
    malformed_retries: int = 2  # extra fetches of an unparsable body before quarantining it
    breaker_threshold: int = 6  # consecutive failed attempts (any request) that end the run
    stuck_runs: int = 3  # runs in a row an article may open the breaker before it is quarantined
    deadline: float | None = None  # clock() value after which no backoff wait may end (time budget)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)


class RateLimiter:
    """At most `rate` requests per second: waits until 1/rate has passed since the last one."""

    def __init__(
        self, rate: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._last: float | None = None

    def wait(self) -> None:
        if self.interval:
            now = self._clock()
            if self._last is not None and (delay := self._last + self.interval - now) > 0:
                self._sleep(delay)
                now += delay
            self._last = now


class CircuitOpen(Exception):
    """Too many consecutive failures: the source is down or blocking us; stop and resume later."""


class OutOfTime(Exception):
    """A backoff wait would outlast the invocation's time budget: stop and let the next resume.

    `wait_s` is the wait still owed to the source, so the next invocation does not come early.
    """

    def __init__(self, message: str, wait_s: float = 0.0) -> None:
        super().__init__(message)
        self.wait_s = wait_s


class CircuitBreaker:
    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.failures = 0

    def success(self) -> None:
        self.failures = 0

    def failure(self, what: str) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            raise CircuitOpen(f"{self.failures} consecutive failed requests, last: {what}")


def backoff_delay(attempt: int, policy: Policy, retry_after: str | None = None) -> float:
    """Seconds to wait before retry `attempt` (1-based): Retry-After if given, else full jitter."""
    if retry_after is not None and (seconds := parse_retry_after(retry_after)) is not None:
        return min(seconds, policy.retry_after_cap_s) * policy.retry_after_scale
    return policy.rng.uniform(0, min(policy.backoff_cap_s, policy.backoff_base_s * 2 ** (attempt - 1)))


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Retry-After as delta-seconds or an HTTP date (RFC 9110); None if unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
