"""`cafelake report`: the HTML report and PNG charts of the views, from the local lake or Athena."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cafelake.commands._common import LakeOption, console, pipeline

if TYPE_CHECKING:
    from cafelake.report.charts import Chart


def report(
    lake: LakeOption = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for report.html and the PNG charts.")] = Path("report"),
    group: Annotated[str, typer.Option("--group", help="Keyword group whose top tokens get a chart.")] = "skin",
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local: the lake folder (DuckDB); athena: the deployed "
            "views (CAFELAKE_DATABASE; CAFELAKE_WORKGROUP, by default the deployed "
            "stack's).",
        ),
    ] = "local",
    allow_missing: Annotated[
        bool,
        typer.Option(
            "--allow-missing",
            help="Exit 0 even if a chart's view could not be read or lost a column (the page says so in its place).",
        ),
    ] = False,
) -> None:
    """Write the report and print the HTML path; exit 1 if a chart could not be drawn."""
    from cafelake.report.queries import query_engine, run_queries

    stages = pipeline(lake, needs="tokenized" if engine == "local" else None)
    with console.status("Drawing the charts..."):
        # a lake that cannot be read (LakeError) or no workgroup to query Athena through (ConfigError)
        # arrive as CafelakeErrors from where they arise: one line, and their exit code
        if engine == "local":
            drawn = stages.report(out, group=group)
        else:
            views = run_queries(query_engine(engine, settings=stages.settings))
            drawn = stages.report(out, group=group, views=views, source="the views on Athena")
    typer.echo(str(drawn.path))
    _fail_on_broken(drawn.charts, allow_missing)


def _fail_on_broken(drawn: list[Chart], allow_missing: bool) -> None:
    """Name the charts whose view broke; exit 1 unless allowed. A view with no data yet is not broken."""
    if not (failed := [c for c in drawn if c.failed]):
        return
    colour = "yellow" if allow_missing else "red"
    console.print(
        f"[{colour}]cafelake report: {len(failed)} of {len(drawn)} charts could not be drawn: "
        f"{', '.join(c.slug for c in failed)}[/{colour}]",
        soft_wrap=True,
    )
    for chart in failed:
        console.print(f"  {chart.slug}: {escape(chart.reading)}", soft_wrap=True)
    if not allow_missing:
        console.print("The report was written with a message in their place; --allow-missing accepts it.")
        raise typer.Exit(1)
