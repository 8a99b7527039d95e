"""One run record for every stage: its id, its `_runs/` document, its metrics, its progress callback.

- A run id is `YYYYMMDDTHHMMSSZ-<8 hex>` (UTC start, then random): runs sort by start time and
  two runs started in the same second differ. A scrape run keeps its id across the Lambda
  invocations that share it (the id is in its checkpoint); an import's id ends with a digest of
  what it imported instead of random digits, so importing the same file again is recognised.
- Each run writes `_runs/<stage>/<run id>.json` in the zone the stage writes (`RUN_ZONES`),
  hidden from readers: the stage's summary with the record's header (stage, run id, status, start
  and end). `write_run` is the only writer. A stage run through `recorded` is marked `running`
  before it writes anything, then `done` (with its summary) or `failed` (with the error); a
  record still `running` whose run no longer holds the stage's lock was interrupted
  (`interrupted_run`). Records without a status (older lakes) were written when their run ended.
- Every metric goes to the one CloudWatch namespace `NAMESPACE`: the Glue jobs publish a stage's
  summary fields under the names of `METRICS`, the scraper Lambda emits its own through
  Powertools under the same namespace, and the stack's dashboard, alarms and IAM condition read it.
- `Progress` is the callback every stage takes: `(done, total)`, total None while unknown.

Plain Python (boto3 imported when publishing): the scraper Lambda imports it.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cafelake.lake import Lake

NAMESPACE = "cafelake"
Progress = Callable[[int, int | None], None]

# stage -> the zone its run records live in (the zone it writes)
RUN_ZONES = {"scrape": "raw", "import": "raw", "cleanse": "cleansed", "tokenize": "tokenized", "compact": "tokenized"}
# the stages whose runs are marked running and then done or failed, each healed by running it again
RECORDED_STAGES = ("cleanse", "tokenize", "compact")

# stage -> {summary field: metric name}; the dashboard graphs RecordsQuarantined beside the scraper's Quarantined
METRICS: dict[str, dict[str, str]] = {
    "scrape": {
        "articles_fetched": "ArticlesFetched",
        "skipped": "ArticlesSkipped",
        "retries": "RequestsRetried",
        "quarantined": "Quarantined",
        "pages": "PagesRead",
        "pages_skipped": "PagesSkipped",
        "objects_written": "RawObjectsWritten",
    },
    "cleanse": {
        "records_in": "RecordsIn",
        "cleansed": "RecordsCleansed",
        "quarantined": "RecordsQuarantined",
        "duplicates": "RecordsDuplicate",
        "seconds": "StageSeconds",
    },
    "compact": {
        "months_compacted": "MonthsCompacted",
        "files_in": "FilesCompacted",
        "seconds": "StageSeconds",
    },
    "tokenize": {
        "posts_in": "PostsIn",
        "posts_tokenized": "PostsTokenized",
        "posts_reused": "PostsReused",
        "tokens": "TokensWritten",
        "seconds": "StageSeconds",
    },
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso_z(moment: datetime) -> str:
    """UTC ISO 8601 to the millisecond with a Z, as run records, checkpoints and envelopes write instants."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def new_run_id(started: datetime | None = None, *, tag: str | None = None) -> str:
    """A run id: the UTC start to the second, then `tag` (hex digits naming the run's input) or 8 random ones."""
    if tag is not None and not re.fullmatch(r"[0-9a-f]{8,}", tag):
        raise ValueError(f"a run id's tag is 8 or more lowercase hex digits, got {tag!r}")
    return f"{(started or utcnow()).astimezone(UTC):%Y%m%dT%H%M%SZ}-{tag or secrets.token_hex(4)}"


def run_key(stage: str, run_id: str) -> str:
    """Where a run's record lives in its stage's zone."""
    return f"_runs/{stage}/{run_id}.json"


def write_run(
    lake: Lake,
    stage: str,
    run_id: str,
    summary: Mapping[str, Any],
    *,
    started_at: datetime | str,
    finished_at: datetime | None = None,
    status: str = "done",
) -> dict[str, Any]:
    """Write a run's record to `_runs/<stage>/<run id>.json` in the stage's zone; returns the record.

    The record is the header (stage, run_id, status, started_at, finished_at: None while running)
    and the summary's fields.
    """
    if summary.get("run_id", run_id) != run_id:
        raise ValueError(f"{stage} run {run_id}: the summary names run {summary['run_id']}")
    record = {
        "stage": stage,
        "run_id": run_id,
        "status": status,
        "started_at": started_at if isinstance(started_at, str) else iso_z(started_at),
        "finished_at": None if status == "running" else iso_z(finished_at or utcnow()),
        **summary,
    }
    lake.put_bytes(
        RUN_ZONES[stage],
        run_key(stage, run_id),
        json.dumps(record, indent=1, ensure_ascii=False, default=str).encode("utf-8"),
    )
    return record


@contextmanager
def recorded(lake: Lake, stage: str, run_id: str, started_at: datetime) -> Iterator[None]:
    """Mark the run `running` while the block runs, `failed` (with the error) if it raises.

    The block marks it `done` itself, with its summary (`write_run`); a process killed midway
    leaves `running`, which `interrupted_run` reports.
    """
    write_run(lake, stage, run_id, {}, started_at=started_at, status="running")
    try:
        yield
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        write_run(lake, stage, run_id, {"error": error}, started_at=started_at, status="failed")
        raise


def read_runs(lake: Lake, stage: str) -> list[dict[str, Any]]:
    """Every recorded run of a stage, oldest first."""
    zone = RUN_ZONES[stage]
    keys = lake.list_keys(zone, f"_runs/{stage}", include_hidden=True)
    return [json.loads(lake.get_bytes(zone, k)) for k in sorted(keys) if k.endswith(".json")]


def last_run(lake: Lake, stage: str) -> dict[str, Any] | None:
    """The stage's latest run record, or None before its first run.

    Run ids sort by their start to the second; of runs started in the same second, the record's
    start to the millisecond decides.
    """
    zone = RUN_ZONES[stage]
    keys = sorted(k for k in lake.list_keys(zone, f"_runs/{stage}", include_hidden=True) if k.endswith(".json"))
    if not keys:
        return None
    second = keys[-1].rsplit("/", 1)[-1].split("-", 1)[0]
    same = [json.loads(lake.get_bytes(zone, k)) for k in keys if k.rsplit("/", 1)[-1].startswith(second)]
    return max(same, key=lambda r: str(r.get("started_at")))


def interrupted_run(lake: Lake, stage: str, *, running: str | None = None) -> dict[str, Any] | None:
    """The stage's latest run if it did not finish (`failed`, or `running` though `running`, the run
    holding the stage's lock, is another), else None."""
    last = last_run(lake, stage)
    if last is None or last.get("status", "done") == "done" or last["run_id"] == running:
        return None
    return last


def metric_data(stage: str, summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """CloudWatch datums of a stage's summary: one per mapped field present, dimensioned by stage."""
    return [
        {
            "MetricName": metric,
            "Dimensions": [{"Name": "stage", "Value": stage}],
            "Unit": "Seconds" if name == "seconds" else "Count",
            "Value": float(summary[name]),
        }
        for name, metric in METRICS[stage].items()
        if summary.get(name) is not None
    ]


def publish(stage: str, summary: Mapping[str, Any], *, client: Any = None, namespace: str = NAMESPACE) -> list[dict]:
    """Put a stage's run counts to CloudWatch (the Glue jobs do, after the run); returns what was sent."""
    data = metric_data(stage, summary)
    if data:
        if client is None:
            import boto3

            client = boto3.client("cloudwatch")
        client.put_metric_data(Namespace=namespace, MetricData=data)
    return data
