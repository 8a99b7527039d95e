"""Compaction: each closed month of every partitioned table rewritten as one file.

A table is written a day file per day (`layout.py`), so a year of it is ~365 files and a query
reads a footer per file. A month is closed once the current KST month is past it (or it lies
before `before`): its day files are rewritten as one month file, rows in dt order (row groups
sorted by dt, dt statistics kept, so a dt filter still skips them), by `Lake.rewrite_month`,
which counts the rows written back before it removes a day file. A month already one month file
with nothing beside it is skipped, so a re-run changes nothing. A day written later into a
compacted month is folded into its month file by the lake's writer: the month stays one file.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from cafelake.errors import UsageError
from cafelake.lake import Lake
from cafelake.layout import TableFile, live_files
from cafelake.runs import Progress, new_run_id, utcnow, write_run
from cafelake.schemas import KST, TABLES, TableDef

log = logging.getLogger(__name__)


@dataclass
class CompactSummary:
    run_id: str
    before: str  # months strictly before this one (YYYY-MM) are closed
    months_compacted: int = 0
    months_already: int = 0  # closed months that were one file already: skipped
    files_in: int = 0  # files the compacted months held
    files_out: int = 0
    rows: int = 0  # rows rewritten (counted back from the new files)
    tables: dict[str, int] = field(default_factory=dict)  # table -> months compacted
    seconds: float = 0.0


def current_month(now: datetime | None = None) -> str:
    """The open month: the KST month of `now`."""
    return (now or utcnow()).astimezone(ZoneInfo(KST)).strftime("%Y-%m")


def check_month(text: str) -> str:
    """A YYYY-MM month, or a UsageError."""
    try:
        datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise UsageError(f"{text!r} is not a month: give YYYY-MM, e.g. 2026-11") from None
    if len(text) != 7:
        raise UsageError(f"{text!r} is not a month: give YYYY-MM, e.g. 2026-11")
    return text


def needs_compaction(files: list[TableFile]) -> bool:
    """Whether a month's files are anything but one month file alone."""
    return not (len(files) == 1 and files[0].compacted)


def closed_months(lake: Lake, tdef: TableDef, before: str) -> dict[str, list[TableFile]]:
    """month -> files, of the table's months before `before` (one listing of the table)."""
    return {m: fs for m, fs in lake.month_files(tdef).items() if m < before}


def compact_table(lake: Lake, tdef: TableDef, before: str, summary: CompactSummary) -> None:
    """Compact the table's closed months that are not one file yet, adding to `summary`."""
    for month, files in closed_months(lake, tdef, before).items():
        if not needs_compaction(files):
            summary.months_already += 1
            continue
        _rows_in, rows_out = lake.rewrite_month(tdef, month, files)
        log.info("%s %s: %d files -> 1 (%d rows)", tdef.name, month, len(live_files(files)), rows_out)
        summary.months_compacted += 1
        summary.files_in += len(files)
        summary.files_out += 1 if rows_out else 0
        summary.rows += rows_out
        summary.tables[tdef.name] = summary.tables.get(tdef.name, 0) + 1


def run_compact(
    lake: Lake, *, before: str | None = None, run_id: str | None = None, on_progress: Progress | None = None
) -> CompactSummary:
    """Compact the closed months (before `before`, by default the current KST month) of every partitioned table."""
    started, start = utcnow(), time.monotonic()
    summary = CompactSummary(run_id or new_run_id(started), check_month(before) if before else current_month(started))
    tables = [t for t in TABLES.values() if t.partitioned]
    for i, tdef in enumerate(tables, 1):
        compact_table(lake, tdef, summary.before, summary)
        if on_progress:
            on_progress(i, len(tables))
    summary.seconds = round(time.monotonic() - start, 3)
    write_run(lake, "compact", summary.run_id, asdict(summary), started_at=started)
    return summary
