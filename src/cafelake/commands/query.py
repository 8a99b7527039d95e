"""`cafelake query`: Athena SQL or a named view on the local lake, via sqlglot and DuckDB."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from cafelake.commands._common import LakeOption, pipeline
from cafelake.errors import UsageError


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _dates_as_text(df):
    """DuckDB hands DATE columns to pandas as midnight datetimes: print them as dates."""
    import pandas as pd

    df = df.copy()
    for col in df.columns:
        s = df[col]
        naive = pd.api.types.is_datetime64_dtype(s) and not isinstance(s.dtype, pd.DatetimeTZDtype)
        if naive and (s.dropna() == s.dropna().dt.normalize()).all():
            df[col] = s.dt.strftime("%Y-%m-%d")
    return df


def _print(df, fmt: Format) -> None:
    df = _dates_as_text(df)
    if fmt is Format.csv:
        df.to_csv(sys.stdout, index=False)
    elif fmt is Format.json:
        sys.stdout.write(df.to_json(orient="records", date_format="iso", force_ascii=False) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(caption=f"{len(df)} row(s)")
        for col in df.columns:
            table.add_column(str(col), overflow="fold")
        for row in df.itertuples(index=False):
            table.add_row(*("" if v is None or v != v else str(v) for v in row))
        Console().print(table)


def query(
    sql: Annotated[str | None, typer.Argument(help='Athena SQL, e.g. "SELECT * FROM v_daily_posts".')] = None,
    view: Annotated[str | None, typer.Option("--view", "-v", help="Name of a view (or table) to show.")] = None,
    where: Annotated[
        str | None, typer.Option("--where", help="Athena SQL predicate for --view, e.g. \"dt >= '2026-01-01'\".")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many rows.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    list_views: Annotated[bool, typer.Option("--list", help="List the views and tables, then exit.")] = False,
    lake: LakeOption = None,
) -> None:
    """Run SQL written for Athena on the local lake; print the result."""
    if (sql is None) == (view is None) and not list_views:
        raise UsageError("give either SQL or --view NAME (or --list)")
    if where and not view:
        raise UsageError("--where applies to --view")
    import duckdb
    import sqlglot

    with pipeline(lake, needs="tokenized").query_engine() as engine:
        if list_views:
            for name, v in engine.views.items():
                typer.echo(f"{name}\t{v.description}")
            for name, t in engine.tables.items():
                typer.echo(f"{name}\t(table) {t.description}")
            return
        try:
            if view:
                df = engine.view(view, where, limit=limit)
            else:
                df = engine.query(sql)
                if limit is not None:
                    df = df.head(limit)
        except (KeyError, ValueError, sqlglot.errors.SqlglotError, duckdb.Error) as exc:
            raise UsageError(str(exc.args[0] if isinstance(exc, KeyError) else exc)) from None
    _print(df, fmt)
