"""`cafelake athena`: apply the DDL and views to the Glue catalog and Athena (after `cdk deploy`)."""

from __future__ import annotations

from typing import Annotated

import typer

from cafelake.commands._common import console
from cafelake.environment import Environment
from cafelake.errors import ConfigError, UsageError

app = typer.Typer(no_args_is_help=True)

Database = Annotated[
    str | None, typer.Option("--database", help="Glue database [default: CAFELAKE_DATABASE, else cafelake].")
]
Cleansed = Annotated[
    str | None,
    typer.Option(
        "--cleansed-uri",
        help="s3:// URI of the cleansed zone (not needed with --views-only) [default: CAFELAKE_CLEANSED_URI].",
    ),
]
Tokenized = Annotated[
    str | None,
    typer.Option(
        "--tokenized-uri",
        help="s3:// URI of the tokenized zone, the mart (not needed with --views-only) "
        "[default: CAFELAKE_TOKENIZED_URI].",
    ),
]


@app.command()
def apply(
    database: Database = None,
    cleansed_uri: Cleansed = None,
    tokenized_uri: Tokenized = None,
    workgroup: Annotated[
        str | None,
        typer.Option(
            "--workgroup",
            help="Athena workgroup [default: CAFELAKE_WORKGROUP, else the one the stack created, its "
            "AthenaWorkGroup output].",
        ),
    ] = None,
    stack: Annotated[
        str | None,
        typer.Option(
            "--stack",
            help="The deployed stack whose workgroup is the default [default: CAFELAKE_STACK, else CafeLake].",
        ),
    ] = None,
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

    env = Environment.read()
    database = database or env.warehouse.database
    cleansed_uri = cleansed_uri or env.zone_uris.get("cleansed")
    tokenized_uri = tokenized_uri or env.zone_uris.get("tokenized")
    workgroup = workgroup or env.warehouse.workgroup
    stack = stack or env.warehouse.stack
    if not views_only:
        _require_zones(cleansed_uri, tokenized_uri)
    if workgroup is None:
        try:
            workgroup = stack_workgroup(stack)
        except ConfigError as err:
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
def sql(database: Database = None, cleansed_uri: Cleansed = None, tokenized_uri: Tokenized = None) -> None:
    """Print the statements `apply` would run, in order (nothing is sent to AWS; zones not given are placeholders)."""
    from cafelake.athena.deploy import statements

    env = Environment.read()
    database = database or env.warehouse.database
    cleansed_uri = cleansed_uri or env.zone_uris.get("cleansed", "s3://CLEANSED-BUCKET")
    tokenized_uri = tokenized_uri or env.zone_uris.get("tokenized", "s3://TOKENIZED-BUCKET")
    for name, text in statements(database, cleansed_uri, tokenized_uri):
        typer.echo(f"-- {name}\n{text};\n")
