"""`cafelake status`: what a lake holds, at a glance: zones, tables, rows, the last run of each stage, quarantine.

Row counts come from the Parquet footers (no data is read); a file that cannot be read is named, not fatal.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cafelake.commands._common import Format, LakeOption, pipeline
from cafelake.errors import UsageError
from cafelake.layout import ZONES

if TYPE_CHECKING:
    from cafelake.lake import Lake


def _rows(lake: Lake, name: str) -> tuple[int, int | str]:
    """(files, rows) of a table; rows is the reason instead when a footer cannot be read."""
    import pyarrow as pa

    files = lake.table_files(name)
    dataset = lake.dataset(name)
    try:
        return len(files), dataset.count_rows() if dataset is not None else 0
    except (pa.ArrowException, OSError) as exc:  # a truncated or foreign file among them
        return len(files), f"unreadable: {' '.join(str(exc).split())}"


def _last_run(record: dict[str, Any] | None) -> dict[str, Any]:
    """A stage's last run record, in brief: its id, when it ended, and its outcome (the record's status if it
    keeps one, else "finished": a record is written when a run ends)."""
    if record is None:
        return {"run_id": None, "finished_at": None, "outcome": "never run"}
    outcome = record.get("status") or "finished"
    if record.get("stopped"):  # a scrape says why it stopped (complete, budget, an error ...)
        outcome += f" ({record['stopped']})"
    return {"run_id": record.get("run_id"), "finished_at": record.get("finished_at"), "outcome": outcome}


def lake_status(lake: Lake) -> dict[str, Any]:
    """The status of a lake as plain data: the JSON output, and what the table shows."""
    from cafelake.runs import RUN_ZONES, read_runs
    from cafelake.schemas import QUARANTINE, TABLES

    zones = {}
    for zone in ZONES:
        objects = len(lake.list_keys(zone))  # first: the store's own error if the lake cannot be reached
        tables = {}
        for name, tdef in TABLES.items():
            if tdef.zone == zone:
                files, rows = _rows(lake, name)
                tables[name] = {"files": files, "rows": rows}
        zones[zone] = {"uri": lake.uri(zone), "objects": objects, "tables": tables}
    runs = {stage: _last_run((read_runs(lake, stage) or [None])[-1]) for stage in RUN_ZONES}
    reasons = lake.read_table(QUARANTINE, columns=["reason"]).column("reason").value_counts().to_pylist()
    quarantine = dict(sorted(((r["values"], r["counts"]) for r in reasons), key=lambda kv: (-kv[1], kv[0])))
    return {"lake": lake.root, "zones": zones, "last_runs": runs, "quarantine": quarantine}


def _print_tables(status: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()
    zones = Table("zone", "table", "files", "rows", title=f"lake {status['lake']}")
    for zone, z in status["zones"].items():
        zones.add_row(zone, "(objects)", f"{z['objects']:,}", "", style="bold")
        for name, t in z["tables"].items():
            rows = t["rows"]
            zones.add_row("", name, f"{t['files']:,}", f"{rows:,}" if isinstance(rows, int) else f"[red]{rows}[/red]")
    out.print(zones)
    runs = Table("stage", "last run", "finished", "outcome", title="last runs")
    for stage, r in status["last_runs"].items():
        runs.add_row(stage, r["run_id"] or "", r["finished_at"] or "", r["outcome"])
    out.print(runs)
    quarantine = Table("reason", "records", title="quarantine (cafelake quarantine lists them)")
    for reason, n in status["quarantine"].items():
        quarantine.add_row(reason, f"{n:,}")
    if not status["quarantine"]:
        quarantine.add_row("(none)", "0")
    out.print(quarantine)


def status(
    lake: LakeOption = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table, or json (csv is not offered here).")
    ] = Format.table,
) -> None:
    """Show the lake's zones and tables with their row counts, the last run of each stage and its outcome,
    and the quarantined records by reason."""
    if fmt is Format.csv:
        raise UsageError("--format csv does not fit a status: use table or json")
    stages = pipeline(lake)
    root = stages.lake.local_root()
    if root is not None and not root.exists():
        raise UsageError(
            f"no lake at {root}: pass --lake (or set CAFELAKE_LAKE), or create one with a scrape or import"
        )
    status = lake_status(stages.lake)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(status, ensure_ascii=False, indent=1) + "\n")
    else:
        _print_tables(status)
