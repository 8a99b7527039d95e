"""Athena SQL on the local lake: sqlglot transpiles it, DuckDB runs it over the Parquet.

Every catalog table becomes a DuckDB view over its Parquet files with hive partitioning
on `dt` (so a `dt` filter prunes partitions, as partition projection does in Athena),
and the view files in `athena_queries/views/` are created from the very text Athena
gets. A table with no files yet is an empty relation with the right columns, so every
view stays queryable on a fresh lake.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import sqlglot
from sqlglot import exp

from cafelake.athena import sqlfiles
from cafelake.lake import PARTITION_KEY, Lake
from cafelake.schemas import CATALOG_TABLES, UTC_TS, TableDef

_DUCK_TYPES = {
    pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.int32(): "INTEGER", pa.bool_(): "BOOLEAN",
    pa.float64(): "DOUBLE", pa.date32(): "DATE", UTC_TS: "TIMESTAMPTZ",
}


def duck_type(t: pa.DataType) -> str:
    if pa.types.is_list(t):
        return f"{duck_type(t.value_type)}[]"
    try:
        return _DUCK_TYPES[t]
    except KeyError:
        raise TypeError(f"no DuckDB type for {t}") from None


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fix_functions(node: exp.Expression) -> exp.Expression:
    """Athena functions sqlglot passes through but DuckDB lacks, rewritten to equivalents."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "at_timezone" and len(node.expressions) == 2:
        return exp.AtTimeZone(this=node.expressions[0], zone=node.expressions[1])
    return node


def transpile(sql: str, known: set[str] | None = None) -> list[str]:
    """Athena SQL -> DuckDB SQL, one string per statement.

    Database qualifiers on `known` names are dropped (`cafelake.posts_dim` -> `posts_dim`),
    so a query copied from the Athena console runs unchanged.
    """
    out = []
    for tree in sqlglot.parse(sql, read="athena"):
        if tree is None:
            continue
        tree = tree.transform(_fix_functions)
        if known:
            for table in tree.find_all(exp.Table):
                if table.name in known and table.args.get("db"):
                    table.set("db", None)
                    table.set("catalog", None)
        out.append(tree.sql(dialect="duckdb"))
    return out


class LocalAthena:
    """The lake's Athena catalog, locally: `.query(athena_sql)` and `.view(name)` as DataFrames."""

    def __init__(self, lake: Lake | str | os.PathLike, *, create_views: bool = True) -> None:
        import duckdb

        self.lake = lake if isinstance(lake, Lake) else Lake(str(lake))
        if any(self.lake.zone_roots[t.zone].startswith("s3://") for t in CATALOG_TABLES):
            raise ValueError("LocalAthena reads a local lake folder; query an S3 lake with Athena "
                             "(`cafelake athena apply`)")
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self._files: dict[str, tuple[str, ...] | None] = {}
        self.tables = {t.name: t for t in CATALOG_TABLES}
        self.views = {v.name: v for v in sqlfiles.views()}
        self.refresh()
        if create_views:
            for view in self.views.values():
                for statement in transpile(view.text):
                    self.con.execute(statement)

    # --- catalog ---------------------------------------------------------------------
    def _table_files(self, tdef: TableDef) -> tuple[str, ...]:
        """The table's Parquet files, with the lake's rule: names starting `_` or `.` are hidden."""
        base = Path(self.lake.table_uri(tdef))
        folders = sorted(base.glob(f"{PARTITION_KEY}=*")) if tdef.partitioned else [base]
        return tuple(
            str(p) for folder in folders if folder.is_dir()
            for p in sorted(folder.glob("*.parquet")) if not p.name.startswith((".", "_"))
        )

    def _relation(self, tdef: TableDef, files: tuple[str, ...]) -> str:
        cols = [(f.name, duck_type(f.type)) for f in tdef.schema]
        if tdef.partitioned:
            cols.append((PARTITION_KEY, "VARCHAR"))
        if not files:
            select = ", ".join(f'CAST(NULL AS {t}) AS "{n}"' for n, t in cols)
            return f"SELECT {select} WHERE false"
        # dt is left uncast so DuckDB pushes a dt filter down to the file list (pruning).
        select = ", ".join(f'"{n}"' if n == PARTITION_KEY else f'CAST("{n}" AS {t}) AS "{n}"' for n, t in cols)
        hive = "true, hive_types={'dt': 'VARCHAR'}" if tdef.partitioned else "false"
        file_list = "[" + ", ".join(_literal(f) for f in files) + "]"
        return f"SELECT {select} FROM read_parquet({file_list}, hive_partitioning={hive}, union_by_name=true)"

    def refresh(self) -> None:
        """Re-point the table views at the files now in the lake (cheap when nothing changed)."""
        for name, tdef in self.tables.items():
            files = self._table_files(tdef)
            if self._files.get(name) != files:
                self.con.execute(f'CREATE OR REPLACE VIEW "{name}" AS {self._relation(tdef, files)}')
                self._files[name] = files

    # --- queries ---------------------------------------------------------------------
    def query(self, sql: str) -> pd.DataFrame:
        """Run Athena SQL (one or more statements); the last statement's result as a DataFrame."""
        self.refresh()
        statements = transpile(sql, set(self.tables) | set(self.views))
        if not statements:
            raise ValueError("no SQL statement given")
        for statement in statements[:-1]:
            self.con.execute(statement)
        rel = self.con.sql(statements[-1])
        if rel is None:  # a statement without a result (CREATE VIEW, SET ...)
            return pd.DataFrame()
        # DuckDB sums BIGINT into HUGEINT (float64 in pandas); Athena's sum(bigint) is bigint.
        if any(str(t) == "HUGEINT" for t in rel.types):
            rel = rel.project(", ".join(
                f"CAST({_ident(c)} AS BIGINT) AS {_ident(c)}" if str(t) == "HUGEINT" else _ident(c)
                for c, t in zip(rel.columns, rel.types, strict=True)))
        return rel.df()

    def view(self, name: str, where: str | None = None, *, order_by: str | None = None,
             limit: int | None = None) -> pd.DataFrame:
        """Rows of a view or table, optionally filtered by an Athena SQL predicate."""
        if name not in self.views and name not in self.tables:
            raise KeyError(f"unknown view {name!r}; views: {', '.join(sorted(self.views))}")
        sql = f"SELECT * FROM {name}"
        if where:
            sql += f" WHERE {where}"
        if order_by:
            sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.query(sql)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> LocalAthena:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
