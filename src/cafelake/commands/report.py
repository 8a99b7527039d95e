"""`cafelake report`: the HTML report and PNG charts of the views, from the local lake or Athena."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cafelake.commands._common import LakeOption, console, load

if TYPE_CHECKING:
    import pandas as pd

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
    from cafelake.report.html import make_charts, write_report

    with console.status("Drawing the charts..."):
        try:
            views, source = _read(engine, lake)
            drawn = make_charts(views, group=group)
            path = write_report(drawn, out, source=source)
        # an unknown engine, a lake that cannot be read, or no workgroup to query Athena through
        except (ValueError, OSError, LookupError) as exc:
            console.print(f"[red]cafelake report: {escape(str(exc))}[/red]")
            raise typer.Exit(1) from None
    typer.echo(str(path))
    _fail_on_broken(drawn, allow_missing)


def _read(engine: str, lake: str | None) -> tuple[Mapping[str, pd.DataFrame | Exception], str]:
    """The views the report reads, and how the page names their source."""
    from cafelake.report.html import local_source, read_views
    from cafelake.report.queries import query_engine, run_queries

    if engine == "local":
        settings, the_lake = load(lake)
        return read_views(the_lake, memory_limit=settings.env.duckdb_memory), local_source(the_lake)
    return run_queries(query_engine(engine)), "the views on Athena"


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
