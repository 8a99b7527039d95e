"""Options and helpers shared by the stage commands."""

from __future__ import annotations

import sys
from dataclasses import asdict
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from cafelake.pipeline import Pipeline
from cafelake.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

console = Console(stderr=True)  # progress, summaries and messages; results go to stdout

LakeOption = Annotated[
    str | None,
    typer.Option(
        "--lake",
        metavar="FOLDER|S3_URI",
        help="Lake root: a folder or s3://bucket/prefix (default: CAFELAKE_LAKE, else ./lake).",
    ),
]


WaitOption = Annotated[
    float,
    typer.Option(
        "--wait", metavar="SECONDS", help="If another run of this stage holds the lake's lock, wait this long for it."
    ),
]


def pipeline(lake: str | None, *, needs: str | None = None, stage: str | None = None) -> Pipeline:
    """The command's pipeline: the settings read once (the environment, `--lake` first) and the lake they name.

    `needs`: the zone the command reads; a lake without it is refused (MissingLakeError), and the
    stages whose last run was interrupted are named, with the command that heals them (the command's
    own `stage` says so itself, as it reruns).
    """
    stages = Pipeline.from_settings(Settings.load(lake=lake))
    if needs:
        stages.require(needs)
        for run in (r for r in stages.interrupted() if r["stage"] != stage):
            console.print(
                f"[yellow]the last {run['stage']} (run {run['run_id']}) did not finish ({run.get('status')}); "
                f"`cafelake {run['stage']}` heals it[/yellow]",
                soft_wrap=True,
            )
    return stages


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _dates_as_text(df: pd.DataFrame) -> pd.DataFrame:
    """DuckDB hands DATE columns to pandas as midnight datetimes: print them as dates."""
    import pandas as pd

    df = df.copy()
    for col in df.columns:
        s = df[col]
        naive = pd.api.types.is_datetime64_dtype(s) and not isinstance(s.dtype, pd.DatetimeTZDtype)
        if naive and (s.dropna() == s.dropna().dt.normalize()).all():
            df[col] = s.dt.strftime("%Y-%m-%d")
    return df


def print_frame(df: pd.DataFrame, fmt: Format, *, title: str | None = None) -> None:
    """Rows to stdout: a table for a person, CSV or JSON (one array of objects) for a program."""
    df = _dates_as_text(df)
    if fmt is Format.csv:
        df.to_csv(sys.stdout, index=False)
    elif fmt is Format.json:
        sys.stdout.write(df.to_json(orient="records", date_format="iso", force_ascii=False) + "\n")
    else:
        from rich.table import Table

        table = Table(title=title, caption=f"{len(df)} row(s)")
        for col in df.columns:
            table.add_column(str(col), overflow="fold")
        for row in df.itertuples(index=False):
            table.add_row(*("" if v is None or v != v else str(v) for v in row))
        Console().print(table)


def print_summary(stage: str, summary: object) -> None:
    """A stage's summary dataclass as a two-column table on the console, a row per field."""
    from rich.table import Table

    table = Table(stage, "value", title=f"{stage.capitalize()} summary")
    for key, value in asdict(summary).items():
        table.add_row(key, str(value))
    console.print(table)
