"""A source's page or body, asked for again while it comes back unparsable in a way a retry may fix.

A truncated or invalid JSON answer is usually a dropped connection or a server hiccup: it is
fetched again, at most `Policy.malformed_retries` times, before collect quarantines it. An
answer that is well formed but wrong (a 404 board, a body without the object) is not.
"""

from __future__ import annotations

from cafelake.collect.http import PoliteHttp
from cafelake.sources.base import Board, Body, ListingSource, ListPage, MalformedPage


def list_page(source: ListingSource, http: PoliteHttp, board: Board, page: int, per_page: int) -> ListPage:
    """One list page; MalformedPage once it stayed unparsable (or at once when retrying cannot help)."""
    retries = 0
    while True:
        try:
            return source.list_page(http, board, page, per_page)
        except MalformedPage as exc:
            if not exc.retryable or retries >= http.policy.malformed_retries:
                raise
        retries += 1
        http.counts["malformed_retries"] += 1


def body(source: ListingSource, http: PoliteHttp, board: Board, article_id: int) -> Body:
    """One body, classified; a retryable malformed one is fetched again first."""
    got = source.fetch(http, board, article_id)
    for _ in range(http.policy.malformed_retries):
        if not got.retryable:
            break
        http.counts["malformed_retries"] += 1
        got = source.fetch(http, board, article_id)
    return got
