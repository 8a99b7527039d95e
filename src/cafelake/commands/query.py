"""`cafelake query`: Athena SQL or a named view on the local lake, via sqlglot and DuckDB."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cafelake.commands._common import Format, LakeOption, pipeline, print_frame
from cafelake.errors import UsageError


def _sql(sql: str | None, file: Path | None) -> str | None:
    """The SQL to run: the argument, a file, or stdin (`-`, or piped in with neither given)."""
    if sql is not None and file is not None:
        raise UsageError("give the SQL as an argument or with --file, not both")
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--file {file}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if sql == "-" or (sql is None and not sys.stdin.isatty()):
        return sys.stdin.read() or None
    return sql


def query(
    sql: Annotated[
        str | None,
        typer.Argument(help='One Athena SQL query, e.g. "SELECT * FROM v_daily_posts"; - reads it from stdin.'),
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", metavar="FILE", help="Read the SQL from this file.")] = None,
    view: Annotated[
        str | None, typer.Option("--view", "-v", metavar="NAME", help="Name of a view (or table) to show.")
    ] = None,
    where: Annotated[
        str | None,
        typer.Option(
            "--where", metavar="PREDICATE", help="Athena SQL predicate for --view, e.g. \"dt >= '2026-01-01'\"."
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", metavar="N", help="At most this many rows.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    list_views: Annotated[bool, typer.Option("--list", help="List the views and tables, then exit.")] = False,
    lake: LakeOption = None,
) -> None:
    """Run one read-only query written for Athena on the local lake; print the result.

    The SQL comes as an argument, from --file, or on stdin; comments are fine. One statement per
    call, and only one that reads: COPY ... TO, INSERT, ATTACH and the like are refused.
    """
    from cafelake.athena.local import read_only

    text = None if view or list_views else _sql(sql, file)
    if (text is None) == (view is None) and not list_views:
        raise UsageError("give either SQL (an argument, --file or stdin) or --view NAME (or --list)")
    if where and not view:
        raise UsageError("--where applies to --view")
    if text is not None:
        read_only(text)
    with pipeline(lake, needs="tokenized").query_engine() as engine:
        if list_views:
            for name, v in engine.views.items():
                typer.echo(f"{name}\t{v.description}")
            for name, t in engine.tables.items():
                typer.echo(f"{name}\t(table) {t.description}")
            return
        if view:
            df = engine.view(view, where, limit=limit)
        else:
            df = engine.query(text)
            if limit is not None:
                df = df.head(limit)
    print_frame(df, fmt)
