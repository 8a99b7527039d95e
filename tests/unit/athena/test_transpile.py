"""Athena SQL -> DuckDB: the rewrites LocalAthena needs beyond sqlglot's defaults."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from cafelake.athena.local import transpile
from cafelake.schemas import TABLES, duck_type


def test_at_timezone_becomes_at_time_zone():
    [sql] = transpile("SELECT hour(at_timezone(posted_at, 'Asia/Seoul')) FROM posts_dim")
    assert "AT TIME ZONE 'Asia/Seoul'" in sql and "AT_TIMEZONE" not in sql.upper()


def test_at_timezone_gives_the_kst_hour_on_utc_aware_timestamps():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    [sql] = transpile("SELECT hour(at_timezone(TIMESTAMP '2026-01-01 13:30:00 UTC', 'Asia/Seoul')) AS h")
    assert con.execute(sql).fetchone()[0] == 22


def test_database_qualifiers_are_dropped_for_known_names_only():
    [sql] = transpile("SELECT * FROM cafelake.posts_dim JOIN other.thing USING (post_id)", {"posts_dim"})
    assert "cafelake" not in sql and "other.thing" in sql


def test_several_statements_and_blank_input():
    assert len(transpile("SELECT 1; SELECT 2;")) == 2
    assert transpile("  ") == []


@pytest.mark.parametrize("tdef", TABLES.values(), ids=lambda t: t.name)
def test_every_schema_type_has_a_duckdb_type(tdef):
    con = duckdb.connect()
    cols = ", ".join(f'CAST(NULL AS {duck_type(f.type)}) AS "{f.name}"' for f in tdef.schema)
    assert con.execute(f"SELECT {cols}").fetchall()


def test_unknown_type_is_an_error():
    with pytest.raises(TypeError):
        duck_type(pa.float16())
