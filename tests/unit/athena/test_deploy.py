"""Cloud apply: the right statements, in order, reach Athena; the Glue TableInput matches the DDL.

moto's Athena runs no SQL, so these tests assert what was submitted, never results.
"""

from __future__ import annotations

import boto3
import pytest
import sqlglot
from moto import mock_aws
from sqlglot import exp

from cafelake.athena import deploy, sqlfiles
from cafelake.schemas import CATALOG_TABLES, athena_columns, projection_properties

C, T = "s3://cafelake-cleansed-123", "s3://cafelake-tokenized-123/mart"


def test_statements_order_and_placeholders():
    stmts = deploy.statements("analytics", C, T + "/")
    names = [n for n, _ in stmts]
    assert names[0] == "database:analytics"
    tables = [n for n in names if n.startswith("table:")]
    views = [n for n in names if n.startswith("view:")]
    assert len(tables) == len(CATALOG_TABLES) and len(views) == len(sqlfiles.views())
    assert names == names[:1] + tables + views, "database, then tables, then views"
    assert views == [f"view:{v.name}" for v in sqlfiles.views()]
    for name, sql in stmts:
        assert not sql.lstrip().startswith("--"), f"{name}: Athena wants the statement first"
        for placeholder in ("${database}", "${cleansed_uri}", "${tokenized_uri}"):
            assert placeholder not in sql
        tree = sqlglot.parse_one(sql, read="athena")
        if name.startswith("table:"):
            table = name.split(":", 1)[1]
            assert tree.this.this.sql() == f"analytics.{table}"
            zone = next(t.zone for t in CATALOG_TABLES if t.name == table)
            root = C if zone == "cleansed" else T
            assert tree.find(exp.LocationProperty).this.this == f"{root}/{table}/"


def test_replace_tables_drops_each_table_before_creating_it():
    names = [n for n, _ in deploy.statements("db", C, T, replace_tables=True, views=False)]
    for t in CATALOG_TABLES:
        assert names.index(f"drop:{t.name}") == names.index(f"table:{t.name}") - 1


def test_views_only_and_bad_uris():
    stmts = deploy.statements("db", C, T, tables=False)
    assert all(n.startswith("view:") for n, _ in stmts)
    with pytest.raises(ValueError, match="s3://"):
        deploy.statements("db", "/local/path", T)


def test_views_need_no_zone_uris_and_tables_need_both():
    assert deploy.statements("db", tables=False) == deploy.statements("db", C, T, tables=False)
    for cleansed, tokenized in ((None, None), (C, None), (None, T)):
        with pytest.raises(ValueError, match="cleansed_uri and tokenized_uri"):
            deploy.statements("db", cleansed, tokenized)


@mock_aws
def test_apply_views_only_without_zone_uris_submits_only_the_views():
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="query-results")
    summary = deploy.apply("analytics", "primary", tables=False, s3_output="s3://query-results/athena/")
    assert summary.applied == [f"view:{v.name}" for v in sqlfiles.views()]


@pytest.fixture(scope="module")
def glue_tables():
    """Every catalog table created in (moto's) Glue from its TableInput, as Glue returns it."""
    locations = deploy.table_locations(C, T)
    with mock_aws():
        glue = boto3.client("glue", region_name="us-east-1")
        glue.create_database(DatabaseInput={"Name": "db"})
        for tdef in CATALOG_TABLES:
            glue.create_table(DatabaseName="db", TableInput=deploy.glue_table_input(tdef, locations[tdef.name]))
        yield {t["Name"]: t for t in glue.get_tables(DatabaseName="db")["TableList"]}


@pytest.mark.parametrize("tdef", CATALOG_TABLES, ids=lambda t: t.name)
def test_glue_table_input_is_accepted_by_glue_and_matches_the_schema(tdef, glue_tables):
    location = deploy.table_locations(C, T)[tdef.name]
    got = glue_tables[tdef.name]
    sd = got["StorageDescriptor"]
    assert [(c["Name"], c["Type"], c["Comment"]) for c in sd["Columns"]] == athena_columns(tdef)
    assert [k["Name"] for k in got.get("PartitionKeys", [])] == tdef.partition_keys
    assert sd["Location"] == location and sd["SerdeInfo"]["SerializationLibrary"] == deploy.PARQUET_SERDE
    if tdef.partitioned:
        assert projection_properties(location).items() <= got["Parameters"].items()
        assert got["Parameters"]["storage.location.template"] == f"{location}month=${{month}}/"
    else:
        assert not any(k.startswith("projection.") for k in got["Parameters"])


def test_deploy_imports_neither_the_cdk_nor_the_local_engine():
    """The CDK app imports this module: no aws_cdk back (circular), no DuckDB/pandas (weight)."""
    import subprocess
    import sys

    code = (
        "import sys, cafelake.athena.deploy; "
        "print(','.join(m for m in ('aws_cdk', 'duckdb', 'pandas') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert result.stdout.strip() == ""


@mock_aws
def test_apply_submits_every_statement_in_order():
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="query-results")
    done = []
    summary = deploy.apply(
        "analytics",
        "primary",
        C,
        T,
        s3_output="s3://query-results/athena/",
        on_progress=lambda i, n: done.append((i, n)),
    )
    expected = deploy.statements("analytics", C, T)
    assert summary.applied == [n for n, _ in expected]
    assert done[-1] == (len(expected), len(expected))
    athena = boto3.client("athena", region_name="us-east-1")
    for qid, (name, sql) in zip(summary.query_ids, expected, strict=True):
        q = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        assert q["Query"] == sql
        assert q["WorkGroup"] == "primary"
        context = q.get("QueryExecutionContext", {}).get("Database")
        assert context == (None if name.startswith("database:") else "analytics")
