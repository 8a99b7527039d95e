"""`cafelake cleanse`: raw envelopes -> cleansed posts, with quarantine and a reconciled summary."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

import typer

from cafelake.commands._common import LakeOption, WaitOption, console, pipeline
from cafelake.errors import UsageError


def _ingest_dates(values: list[str] | None) -> list[str] | None:
    """Each --ingest-dt a real calendar day written YYYY-MM-DD (a typo would otherwise select nothing, quietly)."""
    for value in values or ():
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError("expected YYYY-MM-DD")
            date.fromisoformat(value)
        except ValueError as exc:
            raise UsageError(f"--ingest-dt {value}: not a date ({exc}); give a day as YYYY-MM-DD") from None
    return values or None


def cleanse(
    lake: LakeOption = None,
    full: Annotated[bool, typer.Option("--full", help="Rebuild the cleansed zone from every raw object.")] = False,
    ingest_dt: Annotated[
        list[str] | None,
        typer.Option(
            "--ingest-dt",
            metavar="YYYY-MM-DD",
            help="Re-cleanse the raw objects of this ingest date; repeatable.",
        ),
    ] = None,
    wait: WaitOption = 0.0,
) -> None:
    """Cleanse the raw objects not cleansed yet (or those of --ingest-dt, or all with --full).

    The rules come from cleanse.yaml (CAFELAKE_CONFIG_DIR overrides it); a changed rule
    makes the run a full rebuild.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    ingest_dt = _ingest_dates(ingest_dt)
    if full and ingest_dt:
        raise UsageError("--full already covers every ingest date; drop --ingest-dt")
    stages = pipeline(lake, needs="raw", stage="cleanse")
    stages.pseudonym_key()  # a lake without a key is refused before the progress bar starts
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("Cleansing raw objects", total=None)
        summary = stages.cleanse(
            ingest_dts=ingest_dt or None,
            full=full,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
            wait=wait,
        )
    table = Table("cleanse", "value", title=f"Cleanse run {summary.run_id}")
    table.add_row("full rebuild", "yes" if summary.full else "no")
    table.add_row("config", ", ".join(f"{k}={v}" for k, v in summary.config.items()))
    for name in (
        "objects",
        "records_in",
        "cleansed",
        "quarantined",
        "duplicates",
        "superseded_by_deletion",
        "replaced",
        "removed",
        "posts_in_partitions",
        "seconds",
    ):
        table.add_row(name, str(getattr(summary, name)))
    table.add_row(
        "partitions written / dropped", f"{len(summary.partitions_written)} / {len(summary.partitions_dropped)}"
    )
    for reason, n in summary.quarantine_reasons.items():
        table.add_row(f"  quarantine: {reason}", str(n))
    console.print(table)
