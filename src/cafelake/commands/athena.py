"""`cafelake athena`: apply the DDL and views to the Glue catalog and Athena (after `cdk deploy`)."""

from __future__ import annotations

from typing import Annotated

import typer

from cafelake.commands._common import console
from cafelake.errors import UsageError

app = typer.Typer(no_args_is_help=True)

Database = Annotated[str, typer.Option("--database", envvar="CAFELAKE_DATABASE", help="Glue database.")]
Cleansed = Annotated[
    str | None,
    typer.Option(
        "--cleansed-uri",
        envvar="CAFELAKE_CLEANSED_URI",
        help="s3:// URI of the cleansed zone (not needed with --views-only).",
    ),
]
Tokenized = Annotated[
    str | None,
    typer.Option(
        "--tokenized-uri",
        envvar="CAFELAKE_TOKENIZED_URI",
        help="s3:// URI of the tokenized zone, the mart (not needed with --views-only).",
    ),
]


@app.command()
def apply(
    database: Database = "cafelake",
    cleansed_uri: Cleansed = None,
    tokenized_uri: Tokenized = None,
    workgroup: Annotated[
        str | None,
        typer.Option(
            "--workgroup",
            envvar="CAFELAKE_WORKGROUP",
            help="Athena workgroup (default: the one the stack created, its AthenaWorkGroup output).",
        ),
    ] = None,
    stack: Annotated[
        str, typer.Option("--stack", envvar="CAFELAKE_STACK", help="The deployed stack whose workgroup is the default.")
    ] = "CafeLake",
    output_uri: Annotated[
        str | None, typer.Option("--output-uri", help="s3:// URI for query results, if the workgroup does not set one.")
    ] = None,
    replace_tables: Annotated[
        bool,
        typer.Option(
            "--replace-tables", help="Drop and re-create the tables (external: the data stays) so schema changes apply."
        ),
    ] = False,
    views_only: Annotated[bool, typer.Option("--views-only", help="Only (re)create the views.")] = False,
) -> None:
    """Create the database, tables and views in Athena, in dependency order."""
    from rich.progress import Progress

    from cafelake.athena.deploy import apply as run_apply
    from cafelake.athena.deploy import stack_workgroup

    if not views_only:
        _require_zones(cleansed_uri, tokenized_uri)
    if workgroup is None:
        try:
            workgroup = stack_workgroup(stack)
        except LookupError as err:
            raise UsageError(f"{err}; pass --workgroup") from None
    with Progress(console=console) as progress:
        task = progress.add_task("Applying to Athena", total=None)
        summary = run_apply(
            database,
            workgroup,
            cleansed_uri,
            tokenized_uri,
            s3_output=output_uri,
            replace_tables=replace_tables,
            tables=not views_only,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    for name, qid in zip(summary.applied, summary.query_ids, strict=True):
        console.print(f"[green]ok[/green] {name}  ({qid})")


def _require_zones(cleansed_uri: str | None, tokenized_uri: str | None) -> None:
    """The tables' DDL names their S3 locations: a usage error (exit 2) before anything reaches AWS."""
    missing = [
        opt for opt, value in (("--cleansed-uri", cleansed_uri), ("--tokenized-uri", tokenized_uri)) if not value
    ]
    if missing:
        raise UsageError(
            f"{' and '.join(missing)}: required to create the tables (or CAFELAKE_CLEANSED_URI / "
            "CAFELAKE_TOKENIZED_URI); only --views-only runs without the zone URIs"
        )


@app.command()
def sql(
    database: Database = "cafelake",
    cleansed_uri: Cleansed = "s3://CLEANSED-BUCKET",
    tokenized_uri: Tokenized = "s3://TOKENIZED-BUCKET",
) -> None:
    """Print the statements `apply` would run, in order (nothing is sent to AWS)."""
    from cafelake.athena.deploy import statements

    for name, text in statements(database, cleansed_uri, tokenized_uri):
        typer.echo(f"-- {name}\n{text};\n")
