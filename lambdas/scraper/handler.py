"""Scraper Lambda: one time-budgeted invocation of the collect stage for one board of one source.

The board comes in the event (one EventBridge schedule per board, its input the board's
configuration): `{"source": "naver_cafe", "club_id": "10050146", "menu_id": "386", "name": "...", ...}`;
`source` names a registered source that can be scraped (default: the registry's default); optional
`backfill` (walk the whole board) and `rate_limit`, `lookback_hours`, `lookback_max`,
`per_page`, `max_pages` (overriding the environment).
It works until the remaining time nearly runs out, saves the checkpoint and returns the
event plus `"continue": true` and `"wait_seconds"` (how long the source asked us to wait
before the next request), so a state machine (or the next schedule) resumes. It runs the
pipeline's collect stage, with the settings' environment part only (no configuration file is
read, and neither pydantic nor pyarrow is in the bundle), and emits the stage's counts under the
one metrics namespace (`cafelake.runs`).

One invocation per board at a time: it first takes the board's lease (`cafelake.collect.lease`,
an S3 conditional write) for its remaining time, and gives it back when it ends. If another
invocation holds it, it raises `BoardBusy` before touching anything; the state machine retries.
An event that names no board is a `UsageError`.

Environment (read by `cafelake.environment`): CAFELAKE_RAW_URI (s3://raw-bucket[/prefix]), the
source's base URL variable (the source's `base_url_env`, Naver's CAFELAKE_NAVER_BASE_URL; default
its real API), CAFELAKE_COOKIE_SECRET (Secrets Manager id/ARN of the source's session cookies,
optional), CAFELAKE_RATE_LIMIT (requests/s, default 1), CAFELAKE_LOOKBACK_HOURS (default 24),
CAFELAKE_LOOKBACK_MAX (default 1000), CAFELAKE_BUDGET_MARGIN_S (time kept back from the Lambda
timeout, default 30), CAFELAKE_USER_AGENT (the User-Agent header, with the operator's contact).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from cafelake import runs, sources
from cafelake.collect.lease import board_lease
from cafelake.environment import Environment
from cafelake.errors import UsageError
from cafelake.pipeline import Pipeline
from cafelake.settings import Settings
from cafelake.sources.base import Board

logger = Logger(service="scraper")
metrics = Metrics(namespace=runs.NAMESPACE, service="scraper")
# The lease outlasts the invocation's remaining time by this much: clocks of two invocations may differ a little.
LEASE_MARGIN_S = 30
PER_PAGE = 50  # Naver's API caps a list page at 50 items


def _number(event: dict[str, Any], key: str, default: float | None, kind: type[int] | type[float] = float) -> Any:
    """An event's override of a setting, `default` when the event has none."""
    value = event.get(key)
    if value is None:
        return default
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise UsageError(f"the event's {key} must be a number, got {value!r}") from None


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    env = Environment.read()
    scraping = env.scraping
    source = sources.listing(str(event.get("source") or sources.default_name()))
    club_id, menu_id = str(event.get("club_id", "")), str(event.get("menu_id", ""))
    if not (club_id.isdigit() and menu_id.isdigit()):
        raise UsageError(f"the event must name a board by numeric club_id and menu_id, got {club_id!r}/{menu_id!r}")
    board = Board(source.name, club_id, menu_id)
    cookies = source.load_session(secret_id=scraping.cookie_secret) if scraping.cookie_secret else None
    budget = max(0.0, context.get_remaining_time_in_millis() / 1000 - scraping.budget_margin_s)
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
    pipeline = Pipeline.from_settings(Settings(env))
    with board_lease(
        pipeline.lake,
        board,
        holder=context.aws_request_id,
        seconds=context.get_remaining_time_in_millis() / 1000 + LEASE_MARGIN_S,
    ):
        summary = pipeline.collect(
            env.variable(source.base_url_env) or source.default_base_url,
            club_id,
            menu_id,
            source=source.name,
            cookies=cookies,
            rate_limit=_number(event, "rate_limit", scraping.rate_limit),
            lookback=_number(event, "lookback_hours", scraping.lookback_hours),
            lookback_max=_number(event, "lookback_max", scraping.lookback_max, int),
            backfill=bool(event.get("backfill")),
            per_page=_number(event, "per_page", PER_PAGE, int),
            max_pages=_number(event, "max_pages", None, int),
            time_budget_s=budget,
            user_agent=scraping.user_agent,
        )
    result = summary.to_dict()
    metrics.add_dimension(name="board", value=f"{club_id}/{menu_id}")
    for field, name in runs.METRICS["scrape"].items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=result[field])
    metrics.add_metric(name="CircuitOpened", unit=MetricUnit.Count, value=int(summary.stopped == "circuit_open"))
    for status, count in summary.statuses.items():
        metrics.add_metric(name=f"Articles_{status}", unit=MetricUnit.Count, value=count)
    logger.info("scrape invocation done", extra={"summary": result})
    return {**event, **result}
