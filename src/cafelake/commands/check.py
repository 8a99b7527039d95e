"""`cafelake check`: the data-quality checks on the local lake; non-zero exit on a failure."""

from __future__ import annotations

from typing import Annotated

import typer

from cafelake.commands._common import LakeOption, console, pipeline


def check(
    lake: LakeOption = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="Run only this check (repeatable).")] = None,
) -> None:
    """Run every check in athena_queries/checks/ and print a table of the results."""
    from rich.table import Table

    results = pipeline(lake, needs="tokenized").checks(only=only)
    table = Table("check", "result", "failing rows", "what it asserts")
    table.columns[0].no_wrap = True
    for r in results:
        table.add_row(
            r.name, "[green]pass[/green]" if r.passed else "[red]FAIL[/red]", str(r.failing_rows), r.description
        )
    console.print(table)
    failed = [r for r in results if not r.passed]
    for r in failed:
        console.print(f"[red]{r.name}[/red]: {r.failing_rows} failing row(s), e.g.")
        console.print(r.sample.to_string(index=False))
    if failed:
        raise typer.Exit(1)
    console.print(f"[green]all {len(results)} checks passed[/green]")
