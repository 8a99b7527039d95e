"""`cafelake report`: the HTML report and PNG charts of the local lake's views."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cafelake.commands._common import LakeOption, console, open_lake


def report(
    lake: LakeOption = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for report.html and the PNG charts.")] = Path("report"),
    group: Annotated[str, typer.Option("--group", help="Keyword group whose top tokens get a chart.")] = "skin",
) -> None:
    """Write the report and print the HTML path."""
    from cafelake.report import build_report

    with console.status("Drawing the charts..."):
        path = build_report(open_lake(lake), out, group=group)
    typer.echo(str(path))
