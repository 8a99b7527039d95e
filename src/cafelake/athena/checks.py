"""Data-quality checks in the spirit of dbt tests: each SQL file returns its failing rows.

Zero rows is a pass. The files in `athena_queries/checks/` are plain Athena SQL, so the
same checks can run in the Athena console; `run_checks` runs them on the local lake.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cafelake.athena import sqlfiles
from cafelake.athena.local import LocalAthena
from cafelake.errors import UsageError
from cafelake.lake import Lake
from cafelake.runs import Progress

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: how many rows fail it, and a few of them to look at."""

    name: str
    passed: bool
    failing_rows: int
    sample: pd.DataFrame = field(repr=False)
    description: str = ""


def run_checks(
    lake: Lake | str | LocalAthena, *, only: list[str] | None = None, on_progress: Progress | None = None
) -> list[CheckResult]:
    """Run every check (or those named in `only`) on the lake, in name order."""
    engine = lake if isinstance(lake, LocalAthena) else LocalAthena(lake, create_views=False)
    files = sqlfiles.checks()
    if only:
        unknown = sorted(set(only) - {f.name for f in files})
        if unknown:
            raise UsageError(f"unknown check(s) {unknown}; known: {', '.join(f.name for f in files)}")
        files = [f for f in files if f.name in only]
    results = []
    for i, check in enumerate(files, 1):
        body = check.parse().sql(dialect="athena")
        count = int(engine.query(f"SELECT count(*) AS n FROM ({body}) AS failing").iloc[0, 0])
        sample = engine.query(f"SELECT * FROM ({body}) AS failing LIMIT {SAMPLE_ROWS}") if count else pd.DataFrame()
        results.append(CheckResult(check.name, count == 0, count, sample, check.description))
        if on_progress:
            on_progress(i, len(files))
    return results
