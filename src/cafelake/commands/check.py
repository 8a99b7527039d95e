"""`cafelake check`: the data-quality checks on the local lake; exit 1 on a failure.

The results go to stdout (a table, JSON, or JUnit XML for a CI job); messages go to stderr.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated
from xml.etree import ElementTree

import typer

from cafelake.commands._common import LakeOption, console, pipeline

if TYPE_CHECKING:
    from cafelake.athena.checks import CheckResult


class CheckFormat(str, Enum):
    table = "table"
    json = "json"
    junit = "junit"


def _table(results: list[CheckResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()
    table = Table("check", "result", "failing rows", "what it asserts")
    table.columns[0].no_wrap = True
    for r in results:
        table.add_row(
            r.name, "[green]pass[/green]" if r.passed else "[red]FAIL[/red]", str(r.failing_rows), r.description
        )
    out.print(table)
    for r in results:
        if not r.passed:
            out.print(f"[red]{r.name}[/red]: {r.failing_rows} failing row(s), e.g.")
            out.print(r.sample.to_string(index=False), markup=False, highlight=False)


def _json(results: list[CheckResult]) -> str:
    return json.dumps(
        [
            {
                "name": r.name,
                "passed": r.passed,
                "failing_rows": r.failing_rows,
                "description": r.description,
                "sample": json.loads(r.sample.to_json(orient="records", date_format="iso", force_ascii=False)),
            }
            for r in results
        ],
        ensure_ascii=False,
        indent=1,
    )


def _junit(results: list[CheckResult]) -> str:
    """One test suite, a test case per check; a failed check is a <failure> with its sample rows."""
    failures = sum(not r.passed for r in results)
    suite = ElementTree.Element(
        "testsuite", name="cafelake.checks", tests=str(len(results)), failures=str(failures), errors="0"
    )
    for r in results:
        case = ElementTree.SubElement(suite, "testcase", classname="cafelake.checks", name=r.name)
        if not r.passed:
            failure = ElementTree.SubElement(
                case, "failure", message=f"{r.failing_rows} failing row(s): {r.description}"
            )
            failure.text = r.sample.to_string(index=False)
    ElementTree.indent(suite)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)


def check(
    lake: LakeOption = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", metavar="CHECK", help="Run only this check (repeatable).")
    ] = None,
    fmt: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="table for a person, json, or junit (XML) for a CI job.")
    ] = CheckFormat.table,
) -> None:
    """Run every check in athena_queries/checks/ and print the results to stdout; exit 1 if one fails."""
    results = pipeline(lake, needs="tokenized").checks(only=only)
    if fmt is CheckFormat.table:
        _table(results)
    else:
        sys.stdout.write((_json(results) if fmt is CheckFormat.json else _junit(results)) + "\n")
    failed = [r for r in results if not r.passed]
    if failed:
        console.print(f"[red]{len(failed)} of {len(results)} checks failed[/red]: {', '.join(r.name for r in failed)}")
        raise typer.Exit(1)
    console.print(f"[green]all {len(results)} checks passed[/green]")
