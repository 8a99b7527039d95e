"""`cafelake quarantine`: the records the cleanse could not use, newest first, by reason.

The table shows what fits a terminal (no payload: one raw record can fill a screen); JSON and CSV
carry every column, the payload with its authors already pseudonymised by the cleanse.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cafelake.commands._common import Format, LakeOption, console, pipeline, print_frame
from cafelake.errors import UsageError


def quarantine(
    lake: LakeOption = None,
    reason: Annotated[
        list[str] | None, typer.Option("--reason", metavar="REASON", help="Only this reason (repeatable).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", metavar="N", min=1, help="At most this many records.")] = 20,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table, csv or json.")] = Format.table,
) -> None:
    """List quarantined records (the newest first) with their reason and detail; the counts by reason go to stderr."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from cafelake.schemas import QUARANTINE

    table = pipeline(lake).lake.read_table(QUARANTINE)
    counts = {r["values"]: r["counts"] for r in table.column("reason").value_counts().to_pylist()}
    if unknown := sorted(set(reason or ()) - set(counts)):
        known = ", ".join(f"{k} ({n})" for k, n in sorted(counts.items())) or "none: the quarantine is empty"
        raise UsageError(f"no record is quarantined as {', '.join(unknown)}; the reasons: {known}")
    if reason:
        table = table.filter(pc.is_in(table.column("reason"), value_set=pa.array(reason, pa.string())))
    table = table.sort_by([("quarantined_at", "descending"), ("source_key", "ascending"), ("line_no", "ascending")])
    shown = table.slice(0, limit)
    columns = ["quarantined_at", "reason", "post_id", "detail", "ingest_dt", "source_key", "line_no", "payload"]
    df = shown.select(columns).to_pandas()
    if fmt is Format.table:  # what fits a terminal: the object's file name and line stand for where it came from
        where = df["source_key"].str.rsplit("/", n=1).str[-1] + ":" + df["line_no"].astype(str)
        df = df[["reason", "post_id", "detail"]].assign(object_line=where, ingest_dt=df["ingest_dt"])
    print_frame(df, fmt, title="quarantined records")
    by_reason = ", ".join(
        f"{k} {n:,}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]) if not reason or k in reason
    )
    console.print(f"{len(shown):,} of {table.num_rows:,} record(s) shown; by reason: {by_reason or 'none'}")
