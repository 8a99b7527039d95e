"""Athena SQL on the local lake: sqlglot transpiles it, DuckDB runs it over the Parquet.

Every catalog table becomes a DuckDB view over its Parquet files with hive partitioning
on `month` (so a `month` filter prunes folders, as partition projection does in Athena) and
`dt` read from the files (a `dt` filter skips files and row groups by their statistics),
and the view files in `athena_queries/views/` are created from the very text Athena
gets. A table with no files yet is an empty relation with the right columns, so every
view stays queryable on a fresh lake. An S3 lake is read through the lake's pyarrow
datasets instead (DuckDB has no S3 access here). A local file whose Parquet footer cannot be
read (truncated, corrupt) is left out of its table with a warning (`skipped`): one bad file
does not fail every query; `cafelake check` names it, the stage that owns it rebuilds it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import sqlglot
from sqlglot import exp

from cafelake.athena import sqlfiles
from cafelake.environment import DEFAULT_DUCKDB_MEMORY
from cafelake.errors import LakeError, UsageError
from cafelake.lake import PARTITION_KEY, Lake
from cafelake.layout import MONTH_KEY
from cafelake.schemas import CATALOG_TABLES, TableDef, duck_type

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger(__name__)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fix_functions(node: exp.Expression) -> exp.Expression:
    """Athena functions sqlglot passes through but DuckDB lacks, rewritten to equivalents."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "at_timezone" and len(node.expressions) == 2:
        return exp.AtTimeZone(this=node.expressions[0], zone=node.expressions[1])
    return node


_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # sqlglot underlines the bad token for a terminal


def _parse_error(exc: sqlglot.errors.ParseError) -> UsageError:
    """sqlglot's error as one line: where (line, column), what, and the text there; no terminal colour codes."""
    first = exc.errors[0] if exc.errors else {}
    if not first:
        return UsageError("invalid SQL: " + _ANSI.sub("", str(exc)))
    near = (first.get("highlight") or "").strip()
    return UsageError(
        f"invalid SQL at line {first.get('line')}, column {first.get('col')}: {first.get('description')}"
        + (f" (near {near!r})" if near else "")
    )


def _parse(sql: str) -> list[exp.Expression]:
    try:
        return [tree for tree in sqlglot.parse(sql, read="athena") if tree is not None]
    except sqlglot.errors.ParseError as exc:
        raise _parse_error(exc) from None


def read_only(sql: str) -> str:
    """`sql` if it is one statement that only reads (SELECT, WITH ..., VALUES, UNION ...); else a UsageError.

    What a person types at `cafelake query` runs on the lake's files: a COPY ... TO, an INSERT, an
    ATTACH, a SET or a second statement is refused before DuckDB sees it. Comments are fine.
    """
    trees = _parse(sql)
    if not trees:
        raise UsageError("no SQL statement given (only comments or blanks)")
    if len(trees) > 1:
        raise UsageError(f"{len(trees)} SQL statements given; run one per call")
    if not isinstance(trees[0], exp.Query):
        kind = trees[0].key.upper() if not isinstance(trees[0], exp.Command) else trees[0].name.upper()
        raise UsageError(f"only a query that reads runs here (SELECT, WITH, VALUES), not {kind}")
    return sql


def _duckdb_error(exc: duckdb.Error) -> LakeError | UsageError:
    """DuckDB's error at the seam where it arises: a file it cannot read is the lake's fault, the rest the query's."""
    import duckdb

    text = str(exc).split("\n\nLINE ", 1)[0]  # the caret drawing after it is for a terminal
    if isinstance(exc, duckdb.IOException) or (isinstance(exc, duckdb.InvalidInputException) and ".parquet" in text):
        return LakeError(f"a lake file cannot be read: {text}; rerun the stage that writes it, or remove the file")
    return UsageError(f"the query failed: {text}")


def transpile(sql: str, known: set[str] | None = None) -> list[str]:
    """Athena SQL -> DuckDB SQL, one string per statement.

    Database qualifiers on `known` names are dropped (`cafelake.posts_dim` -> `posts_dim`),
    so a query copied from the Athena console runs unchanged.
    """
    out = []
    for tree in _parse(sql):
        tree = tree.transform(_fix_functions)
        if known:
            for table in tree.find_all(exp.Table):
                if table.name in known and table.args.get("db"):
                    table.set("db", None)
                    table.set("catalog", None)
        out.append(tree.sql(dialect="duckdb"))
    return out


@dataclass(frozen=True)
class Scan:
    """What one table scan of a query reads: the files opened after pruning, the columns, and the days
    its dt filter lets through (None: no dt filter), which decide the row groups read."""

    table: str
    files: tuple[str, ...]
    files_total: int
    columns: tuple[str, ...]
    days: frozenset[str] | None = None

    @property
    def footer_bytes(self) -> int:
        """Bytes of the files' footers (schema and column-chunk metadata), read whatever the columns."""
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(path).metadata.serialized_size for path in self.files)

    def _wanted(self, meta, rg: int) -> bool:
        """Whether a row group may hold a day the filter keeps, by its dt min/max (as Athena skips it)."""
        if self.days is None or PARTITION_KEY not in meta.schema.names:
            return True
        stats = meta.row_group(rg).column(meta.schema.names.index(PARTITION_KEY)).statistics
        if stats is None or not stats.has_min_max:
            return True
        return any(stats.min <= d <= stats.max for d in self.days)

    @property
    def row_groups(self) -> tuple[int, int]:
        """(row groups read, row groups in the files opened)."""
        import pyarrow.parquet as pq

        read = total = 0
        for path in self.files:
            meta = pq.ParquetFile(path).metadata
            total += meta.num_row_groups
            read += sum(self._wanted(meta, rg) for rg in range(meta.num_row_groups))
        return read, total

    @property
    def bytes(self) -> int:
        """Compressed bytes of the column chunks read (in the row groups the dt filter keeps), plus each
        opened file's footer: what Athena bills."""
        import pyarrow.parquet as pq

        total = 0
        for path in self.files:
            meta = pq.ParquetFile(path).metadata
            total += meta.serialized_size
            names = [meta.schema.column(i).path.split(".")[0] for i in range(meta.num_columns)]
            for rg in range(meta.num_row_groups):
                if not self._wanted(meta, rg):
                    continue
                group = meta.row_group(rg)
                total += sum(group.column(i).total_compressed_size for i, n in enumerate(names) if n in self.columns)
        return total


def _plan_scans(node: dict) -> list[dict]:
    info = node.get("extra_info", {})
    found = [info] if isinstance(info, dict) and info.get("Function") == "READ_PARQUET" else []
    for child in node.get("children", []):
        found += _plan_scans(child)
    return found


class LocalAthena:
    """The lake's Athena catalog, locally: `.query(athena_sql)` and `.view(name)` as DataFrames.

    A local lake is read with DuckDB's Parquet reader; an S3 lake (or a local S3 such as
    moto) through the lake's pyarrow datasets, since DuckDB has no S3 access here.
    """

    def __init__(
        self, lake: Lake | str | os.PathLike, *, create_views: bool = True, memory_limit: str = DEFAULT_DUCKDB_MEMORY
    ) -> None:
        """`memory_limit`: DuckDB's cap (the settings' CAFELAKE_DUCKDB_MEMORY); larger work spills to disk."""
        import duckdb

        self.lake = lake if isinstance(lake, Lake) else Lake(str(lake))
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        # its bar would tear through rich's output; Jupyter without ipywidgets: DuckDB refuses any change
        with contextlib.suppress(duckdb.InvalidInputException):
            self.con.execute("SET enable_progress_bar = false")
        self.con.execute(f"SET memory_limit = {_literal(memory_limit)}")
        self.con.execute(f"SET temp_directory = '{Path(tempfile.gettempdir()) / 'cafelake-duckdb'}'")
        self._listed: dict[str, tuple[str, ...]] = {}  # the table files last seen
        self._files: dict[str, tuple[str, ...] | None] = {}  # those the table's view reads
        self.skipped: dict[str, str] = {}  # unreadable file -> why
        self.tables = {t.name: t for t in CATALOG_TABLES}
        self.views = {v.name: v for v in sqlfiles.views()}
        self.refresh()
        if create_views:
            for view in self.views.values():
                for statement in transpile(view.text):
                    self.con.execute(statement)

    # --- catalog ---------------------------------------------------------------------
    def _on_s3(self, tdef: TableDef) -> bool:
        """Whether the table is out of DuckDB's reach (not files on this machine): read through pyarrow."""
        return self.lake.local_path(tdef.zone) is None

    def _relation(self, tdef: TableDef, files: tuple[str, ...]) -> str:
        cols = [(f.name, duck_type(f.type)) for f in tdef.schema]
        if tdef.partitioned:
            cols += [(PARTITION_KEY, "VARCHAR"), (MONTH_KEY, "VARCHAR")]
        if not files:
            select = ", ".join(f'CAST(NULL AS {t}) AS "{n}"' for n, t in cols)
            return f"SELECT {select} WHERE false"
        # dt and month are left uncast so DuckDB pushes their filters down (statistics, folder pruning).
        uncast = (PARTITION_KEY, MONTH_KEY)
        select = ", ".join(f'"{n}"' if n in uncast else f'CAST("{n}" AS {t}) AS "{n}"' for n, t in cols)
        if self._on_s3(tdef):
            # DuckDB cannot read S3 here (no httpfs): scan the lake's pyarrow dataset, which
            # takes DuckDB's projection and dt filter pushdown; month is dt's first 7 characters.
            self.con.register(f"__arrow_{tdef.name}", self.lake.dataset(tdef))
            select = select.replace(f'"{MONTH_KEY}"', f'substr("{PARTITION_KEY}", 1, 7) AS "{MONTH_KEY}"')
            return f'SELECT {select} FROM "__arrow_{tdef.name}"'
        hive = f"true, hive_types={{'{MONTH_KEY}': 'VARCHAR'}}" if tdef.partitioned else "false"
        file_list = "[" + ", ".join(_literal(f) for f in files) + "]"
        return f"SELECT {select} FROM read_parquet({file_list}, hive_partitioning={hive}, union_by_name=true)"

    def refresh(self) -> None:
        """Re-point the table views at the files now in the lake (cheap when nothing changed)."""
        import duckdb

        for name, tdef in self.tables.items():
            listed = tuple(self.lake.table_files(tdef))
            if self._listed.get(name) != listed:
                files = listed if self._on_s3(tdef) else self._readable(tdef, listed)
                try:  # DuckDB reads the files' footers to bind the view: a file that is not Parquet fails here
                    self.con.execute(f'CREATE OR REPLACE VIEW "{name}" AS {self._relation(tdef, files)}')
                except duckdb.Error as exc:
                    raise _duckdb_error(exc) from exc
                self._listed[name], self._files[name] = listed, files

    def _readable(self, tdef: TableDef, files: tuple[str, ...]) -> tuple[str, ...]:
        """The files whose Parquet footer reads; the others are skipped with a warning."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        kept = []
        for path in files:
            try:
                pq.read_metadata(path)
            except (pa.ArrowException, OSError) as exc:
                self.skipped[path] = str(exc).splitlines()[0]
                owner = "cleanse" if tdef.zone == "cleansed" else "tokenize"
                log.warning(
                    "skipping unreadable file %s of %s (%s); `cafelake %s` rebuilds it",
                    path,
                    tdef.name,
                    self.skipped[path],
                    owner,
                )
                continue
            kept.append(path)
        return tuple(kept)

    # --- queries ---------------------------------------------------------------------
    def _run(self, sql: str) -> duckdb.DuckDBPyRelation | None:
        """Run Athena SQL on the current files; the last statement's relation (None without a result)."""
        self.refresh()
        statements = transpile(sql, set(self.tables) | set(self.views))
        if not statements:
            raise ValueError("no SQL statement given")
        for statement in statements[:-1]:
            self.con.execute(statement)
        return self.con.sql(statements[-1])

    def query(self, sql: str) -> pd.DataFrame:
        """Run Athena SQL (one or more statements); the last statement's result as a DataFrame.

        A DuckDB error becomes a LakeError (a file it cannot read) or a UsageError (the query's own)."""
        import duckdb

        try:
            return self._frame(self._run(sql))
        except duckdb.Error as exc:
            raise _duckdb_error(exc) from exc

    @staticmethod
    def _frame(rel: duckdb.DuckDBPyRelation | None) -> pd.DataFrame:
        if rel is None:  # a statement without a result (CREATE VIEW, SET ...)
            return pd.DataFrame()
        # DuckDB sums BIGINT into HUGEINT (float64 in pandas); Athena's sum(bigint) is bigint.
        if any(str(t) == "HUGEINT" for t in rel.types):
            rel = rel.project(
                ", ".join(
                    f"CAST({_ident(c)} AS BIGINT) AS {_ident(c)}" if str(t) == "HUGEINT" else _ident(c)
                    for c, t in zip(rel.columns, rel.types, strict=True)
                )
            )
        with warnings.catch_warnings():  # raised inside DuckDB's own pandas conversion, not ours to fix
            warnings.filterwarnings("ignore", message="The inplace keyword", category=pd.errors.Pandas4Warning)
            return rel.df()

    def _known(self, name: str) -> None:
        if name not in self.views and name not in self.tables:
            raise UsageError(
                f"unknown view {name!r}; the views: {', '.join(sorted(self.views))} "
                f"(and the tables: {', '.join(sorted(self.tables))})"
            )

    def view(
        self, name: str, where: str | None = None, *, order_by: str | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        """Rows of a view or table, optionally filtered by an Athena SQL predicate."""
        self._known(name)
        sql = f"SELECT * FROM {name}"
        if where:
            sql += f" WHERE {where}"
        if order_by:
            sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.query(sql)

    def row_count(self, name: str, *, batch_rows: int = 65_536) -> int:
        """Rows of a view, every column computed (as a SPICE import would) but streamed in batches.

        `count(*)` would let DuckDB skip the columns, and `view()` holds them all in memory at once.
        """
        self._known(name)
        return sum(batch.num_rows for batch in self._run(f"SELECT * FROM {name}").to_arrow_reader(batch_rows))

    def scans(self, sql: str) -> list[Scan]:
        """The Parquet scans DuckDB plans for an Athena query, after partition and column pruning.

        Read from the query plan (`EXPLAIN`): its projected and filtered columns, its file filter
        on month applied to the table's files, and its dt filter applied to the table's days (which
        row groups it reads, by their dt statistics). Local lakes only (an S3 table's
        scan is an Arrow scan, which the plan does not detail).
        """
        if any(self._on_s3(t) for t in self.tables.values()):
            raise ValueError("scans() reads DuckDB's Parquet plan of a local lake; for S3 ask Athena")
        self.refresh()
        [statement] = transpile(sql, set(self.tables) | set(self.views))
        plan = json.loads(self.con.execute(f"EXPLAIN (FORMAT json) {statement}").fetchall()[0][1])
        out = []
        referenced = self._referenced_tables(statement)
        for info in (i for root in plan for i in _plan_scans(root)):
            projections = info.get("Projections", [])
            columns = set([projections] if isinstance(projections, str) else projections) - {""}
            filters = info.get("Filters", "")
            filters = " AND ".join(filters) if isinstance(filters, list) else filters
            file_filter = info.get("File Filters", "")
            total = int(info["Scanning Files"].split("/")[1]) if "Scanning Files" in info else None
            tdef = self._scanned_table(referenced, columns, total)
            names = [*tdef.schema.names, PARTITION_KEY] if tdef.partitioned else tdef.schema.names
            columns |= {n for n in names if re.search(rf"\b{re.escape(n)}\b", filters)}
            files = self._files[tdef.name] or ()
            if file_filter:
                read = int(info["Scanning Files"].split("/")[0])
                files = tuple(self._filter_files(files, file_filter))
                if len(files) != read:
                    raise RuntimeError(f"{tdef.name}: plan reads {read} files, its file filter selects {len(files)}")
            days = self._days(tdef, filters) if tdef.partitioned else None
            out.append(
                Scan(tdef.name, files, len(self._files[tdef.name] or ()), tuple(sorted(columns - {MONTH_KEY})), days)
            )
        return out

    def _days(self, tdef: TableDef, filters: str) -> frozenset[str] | None:
        """The table's days that pass the plan's conditions on dt alone (evaluated by DuckDB); None if none."""
        on_dt = [
            c
            for c in re.split(r"\s+AND\s+|\n", filters)
            if c.strip() and set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", re.sub(r"'[^']*'", "", c))) == {PARTITION_KEY}
        ]
        if not on_dt:
            return None
        days = self.lake.partitions(tdef)
        if not days:
            return frozenset()
        values = ", ".join(f"({_literal(d)})" for d in days)
        where = " AND ".join(f"({c})" for c in on_dt)
        return frozenset(
            d for (d,) in self.con.execute(f"SELECT dt FROM (VALUES {values}) AS t(dt) WHERE {where}").fetchall()
        )

    def _referenced_tables(self, statement: str) -> set[str]:
        """Catalog tables a DuckDB statement reads, through the views it names."""
        todo = {t.name for t in sqlglot.parse_one(statement, read="duckdb").find_all(exp.Table)}
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in self.views:
                todo |= self.views[name].tables()
        return seen & set(self.tables)

    def _scanned_table(self, referenced: set[str], columns: set[str], total: int | None) -> TableDef:
        """The table a plan's scan reads: the only referenced one with those columns (and file count)."""
        candidates = [
            self.tables[n]
            for n in sorted(referenced)
            if columns <= set(self.tables[n].schema.names) | {PARTITION_KEY, *self.tables[n].partition_keys}
            and (total is None or total == len(self._files[n] or ()))
        ]
        if len(candidates) != 1:
            raise RuntimeError(
                f"cannot tell which table a scan of {sorted(columns)} reads: {[t.name for t in candidates]}"
            )
        return candidates[0]

    def _filter_files(self, files: tuple[str, ...], file_filter: str) -> list[str]:
        """The files whose month folder passes the plan's file filter (evaluated by DuckDB itself)."""
        by_month: dict[str, list[str]] = {}
        for f in files:
            by_month.setdefault(Path(f).parent.name.split("=", 1)[1], []).append(f)
        values = ", ".join(f"({_literal(m)})" for m in by_month)
        kept = self.con.execute(f"SELECT {MONTH_KEY} FROM (VALUES {values}) AS t({MONTH_KEY}) WHERE {file_filter}")
        return sorted(f for (m,) in kept.fetchall() for f in by_month[m])

    def explain_bytes(self, sql: str) -> int:
        """Bytes the query's scans read (see `Scan.bytes`)."""
        return sum(s.bytes for s in self.scans(sql))

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> LocalAthena:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
