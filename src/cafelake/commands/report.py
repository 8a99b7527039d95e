"""`cafelake report`: the HTML report and PNG charts of the views, from the local lake or Athena."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cafelake.commands._common import LakeOption, console, open_lake


def report(
    lake: LakeOption = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for report.html and the PNG charts.")] = Path("report"),
    group: Annotated[str, typer.Option("--group", help="Keyword group whose top tokens get a chart.")] = "skin",
    engine: Annotated[str, typer.Option("--engine", help="local: the lake folder (DuckDB); athena: the deployed "
                                        "views (CAFELAKE_DATABASE, CAFELAKE_WORKGROUP).")] = "local",
) -> None:
    """Write the report and print the HTML path."""
    from cafelake.report import build_report, render_report
    from cafelake.report.queries import query_engine, run_queries

    with console.status("Drawing the charts..."):
        try:
            if engine == "local":
                path = build_report(open_lake(lake), out, group=group)
            else:
                path = render_report(run_queries(query_engine(engine)), out, group=group, source="the views on Athena")
        except (ValueError, OSError) as exc:  # an unknown engine, or a lake that cannot be read
            console.print(f"[red]cafelake report: {exc}[/red]")
            raise typer.Exit(1) from None
    typer.echo(str(path))
