"""Scraper Lambda: one time-budgeted invocation of `run_scrape` for one board of one source.

The board comes in the event (one EventBridge schedule per board, its input the board's
configuration): `{"source": "naver_cafe", "club_id": "10050146", "menu_id": "386", "name": "...", ...}`;
`source` names a registered source that can be scraped (default: the registry's default); optional
`backfill` (walk the whole board) and `rate_limit`, `lookback_hours`, `lookback_max`,
`per_page`, `max_pages` (overriding the environment).
It works until the remaining time nearly runs out, saves the checkpoint and returns the
event plus `"continue": true` and `"wait_seconds"` (how long the source asked us to wait
before the next request), so a state machine (or the next schedule) resumes.

One invocation per board at a time: it first takes the board's lease (`cafelake.collect.lease`,
an S3 conditional write) for its remaining time, and gives it back when it ends. If another
invocation holds it, it raises `BoardBusy` before touching anything; the state machine retries.

Environment: CAFELAKE_RAW_URI (s3://raw-bucket[/prefix]), the source's base URL variable (the
source's `base_url_env`, Naver's CAFELAKE_NAVER_BASE_URL; default its real API),
CAFELAKE_COOKIE_SECRET (Secrets Manager id/ARN of the source's session cookies, optional),
CAFELAKE_RATE_LIMIT (requests/s, default 1), CAFELAKE_LOOKBACK_HOURS (default 24),
CAFELAKE_BUDGET_MARGIN_S (time kept back from the Lambda timeout, default 30),
CAFELAKE_USER_AGENT (the User-Agent header, with the operator's contact; optional).
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from cafelake import sources
from cafelake.collect import run_scrape
from cafelake.collect.http import USER_AGENT_ENV
from cafelake.collect.lease import board_lease
from cafelake.lake import Lake
from cafelake.sources.base import Board

logger = Logger(service="scraper")
metrics = Metrics(namespace="cafelake", service="scraper")
# The lease outlasts the invocation's remaining time by this much: clocks of two invocations may differ a little.
LEASE_MARGIN_S = 30


def _setting(event: dict[str, Any], key: str, env: str, default: str) -> str:
    return str(event.get(key) if event.get(key) is not None else os.environ.get(env, default))


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    source = sources.listing(str(event.get("source") or sources.default_name()))
    club_id, menu_id = str(event.get("club_id", "")), str(event.get("menu_id", ""))
    if not (club_id.isdigit() and menu_id.isdigit()):
        raise ValueError(f"the event must name a board by numeric club_id and menu_id, got {club_id!r}/{menu_id!r}")
    board = Board(source.name, club_id, menu_id)
    secret = os.environ.get("CAFELAKE_COOKIE_SECRET")
    cookies = source.load_session(secret_id=secret) if secret else None
    margin = float(os.environ.get("CAFELAKE_BUDGET_MARGIN_S", "30"))
    budget = max(0.0, context.get_remaining_time_in_millis() / 1000 - margin)
    max_pages = event.get("max_pages")
    logger.info(
        "scraping board",
        extra={
            "source": source.name,
            "club_id": club_id,
            "menu_id": menu_id,
            "board": event.get("name"),
            "budget_s": budget,
            "member_session": cookies is not None,
        },
    )
    lake = Lake.from_env()
    with board_lease(
        lake,
        board,
        holder=context.aws_request_id,
        seconds=context.get_remaining_time_in_millis() / 1000 + LEASE_MARGIN_S,
    ):
        summary = run_scrape(
            lake,
            os.environ.get(source.base_url_env, source.default_base_url),
            club_id,
            menu_id,
            source=source.name,
            cookies=cookies,
            rate_limit=float(_setting(event, "rate_limit", "CAFELAKE_RATE_LIMIT", "1")),
            lookback=float(_setting(event, "lookback_hours", "CAFELAKE_LOOKBACK_HOURS", "24")),
            lookback_max=int(_setting(event, "lookback_max", "CAFELAKE_LOOKBACK_MAX", "1000")),
            backfill=bool(event.get("backfill")),
            per_page=int(event.get("per_page") or 50),
            max_pages=int(max_pages) if max_pages is not None else None,
            time_budget_s=budget,
            user_agent=os.environ.get(USER_AGENT_ENV) or None,
        )
    metrics.add_dimension(name="board", value=f"{club_id}/{menu_id}")
    for name, value in (
        ("ArticlesFetched", summary.articles_fetched),
        ("ArticlesSkipped", summary.skipped),
        ("RequestsRetried", summary.retries),
        ("Quarantined", summary.quarantined),
        ("PagesRead", summary.pages),
        ("PagesSkipped", summary.pages_skipped),
        ("RawObjectsWritten", summary.objects_written),
        ("CircuitOpened", int(summary.stopped == "circuit_open")),
    ):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    for status, count in summary.statuses.items():
        metrics.add_metric(name=f"Articles_{status}", unit=MetricUnit.Count, value=count)
    result = summary.to_dict()
    logger.info("scrape invocation done", extra={"summary": result})
    return {**event, **result}
