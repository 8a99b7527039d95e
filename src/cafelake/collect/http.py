"""PoliteHttp: the one way a source reaches the network, bound by collect's politeness.

One keep-alive session per run, a rate limit, a circuit breaker and retries of 429/5xx/timeouts/
resets with backoff (Retry-After first). The source says what to GET and reads what came back; it
never waits, retries or counts. Member cookies are handed to the session only: nothing of them is
logged or written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from cafelake import __version__
from cafelake.collect.politeness import CircuitBreaker, OutOfTime, Policy, RateLimiter, backoff_delay
from cafelake.sources.base import HttpResponse

# Identifies the tool; an operator adds a way to reach them (CAFELAKE_USER_AGENT, --user-agent).
USER_AGENT = f"cafelake/{__version__} (polite research scraper)"
USER_AGENT_ENV = "CAFELAKE_USER_AGENT"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
RETRYABLE_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class PoliteHttp:
    """GETs below one base URL: rate limited, retried with backoff, stopped by the circuit breaker."""

    def __init__(
        self,
        base_url: str,
        *,
        cookies: Mapping[str, str] | None = None,
        policy: Policy | None = None,
        user_agent: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.policy = policy or Policy()
        self.limiter = RateLimiter(self.policy.rate_limit, self.policy.clock, self.policy.sleep)
        self.breaker = CircuitBreaker(self.policy.breaker_threshold)
        self.counts: Counter[str] = Counter()
        self.session = requests.Session()
        # Proxies and .netrc from the environment make no sense for the loopback server, and
        # looking them up costs ~20% of a local request: honour them for remote sources only.
        self.session.trust_env = urlsplit(self.base_url).hostname not in LOOPBACK
        self.session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=2, max_retries=0))
        self.session.mount("https://", HTTPAdapter(pool_connections=1, pool_maxsize=2, max_retries=0))
        self.session.headers.update({"User-Agent": user_agent or USER_AGENT, "Accept": "application/json"})
        if cookies:
            self.session.cookies.update(dict(cookies))

    def __repr__(self) -> str:
        return f"PoliteHttp({self.base_url!r})"

    def close(self) -> None:
        self.session.close()

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> HttpResponse:
        """GET, retrying 429/5xx/timeouts/resets with backoff (Retry-After first) until it succeeds,
        the circuit breaker opens (CircuitOpen) or a wait would pass the deadline (OutOfTime)."""
        attempt = 0
        while True:
            attempt += 1
            if attempt > 1:
                self.counts["retries"] += 1
            self.limiter.wait()
            self.counts["requests"] += 1
            retry_after = None
            try:
                resp = self.session.get(self.base_url + path, params=params, timeout=self.policy.timeout_s)
            except RETRYABLE_ERRORS as exc:
                error = type(exc).__name__
            else:
                if resp.status_code != 429 and resp.status_code < 500:
                    self.breaker.success()
                    return HttpResponse(resp.status_code, resp.content)
                error, retry_after = f"HTTP {resp.status_code}", resp.headers.get("Retry-After")
            self.counts["failures"] += 1
            self.breaker.failure(f"GET {path}: {error}")
            delay = backoff_delay(attempt, self.policy, retry_after)
            if self.policy.deadline is not None and self.policy.clock() + delay > self.policy.deadline:
                raise OutOfTime(f"GET {path}: {error}; a {delay:.1f}s backoff would pass the time budget", delay)
            self.policy.sleep(delay)
