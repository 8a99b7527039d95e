"""The Athena stand-in: the catalog says where tables are, the workgroup where results go, DuckDB runs it."""

from __future__ import annotations

import boto3
import pytest

from cafelake.athena.deploy import glue_table_input, statements
from cafelake.schemas import CATALOG_TABLES
from cafelake_rehearsal.athena import AthenaStandIn

ZONES = {"cleansed": "athena-cleansed", "tokenized": "athena-tokenized"}


@pytest.fixture(scope="module")
def catalog(moto_server):
    c = {
        n: boto3.client(
            n,
            endpoint_url=moto_server,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        for n in ("glue", "athena", "s3")
    }
    for bucket in (*ZONES.values(), "athena-results"):
        c["s3"].create_bucket(Bucket=bucket)
    for db in ("cafelake", "shifted"):
        c["glue"].create_database(DatabaseInput={"Name": db})
    for tdef in CATALOG_TABLES:
        location = f"s3://{ZONES[tdef.zone]}/{tdef.location}/"
        c["glue"].create_table(DatabaseName="cafelake", TableInput=glue_table_input(tdef, location))
        shifted = glue_table_input(tdef, location)
        if tdef.partitioned:
            shifted["Parameters"]["storage.location.template"] = f"s3://{ZONES[tdef.zone]}/elsewhere/month=${{month}}/"
        c["glue"].create_table(DatabaseName="shifted", TableInput=shifted)
    c["athena"].create_work_group(
        Name="cafelake",
        Configuration={
            "EnforceWorkGroupConfiguration": True,
            "ResultConfiguration": {"OutputLocation": "s3://athena-results/out/"},
        },
    )
    return c


def _standin(catalog, moto_server) -> AthenaStandIn:
    return AthenaStandIn(catalog["glue"], catalog["athena"], catalog["s3"], moto_server, "us-east-1")


def test_a_view_statement_runs_and_its_result_lands_where_the_workgroup_enforces(catalog, moto_server):
    standin = _standin(catalog, moto_server)
    sql = next(s for n, s in statements("cafelake", tables=False) if n == "view:v_daily_posts")
    qid = standin.start(
        {
            "QueryString": sql,
            "WorkGroup": "cafelake",
            "QueryExecutionContext": {"Database": "cafelake"},
            "ResultConfiguration": {"OutputLocation": "s3://athena-tokenized/ignored/"},
        }
    )
    done = standin.get(qid)
    assert done["Status"] == {"State": "SUCCEEDED"}, done
    assert done["ResultConfiguration"]["OutputLocation"] == f"s3://athena-results/out/{qid}.txt"
    catalog["s3"].head_object(Bucket="athena-results", Key=f"out/{qid}.txt")
    assert list(standin.engine("cafelake").view("v_daily_posts").columns) == ["dt", "post_date", "posts", "authors"]


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"WorkGroup": "nope", "QueryExecutionContext": {"Database": "cafelake"}}, "WorkGroup nope is not found"),
        ({"WorkGroup": "cafelake", "QueryExecutionContext": {"Database": "nowhere"}}, "nowhere"),
        ({"WorkGroup": "cafelake", "QueryExecutionContext": {"Database": "shifted"}}, "does not name"),
    ],
)
def test_what_athena_would_refuse_fails_the_query(catalog, moto_server, params, reason):
    standin = _standin(catalog, moto_server)
    done = standin.get(standin.start({"QueryString": "SELECT count(*) FROM posts_dim", **params}))
    assert done["Status"]["State"] == "FAILED" and reason in done["Status"]["StateChangeReason"]


def test_a_querys_rows_land_as_athenas_csv(catalog, moto_server):
    """A SELECT (the alert step's) writes `<id>.csv`: a header, every value quoted, a quote doubled, NULL empty."""
    standin = _standin(catalog, moto_server)
    sql = """SELECT 'a "b"' AS text, 2 AS n, CAST(NULL AS varchar) AS nothing UNION ALL SELECT '수족구', 3, 'x'"""
    qid = standin.start(
        {"QueryString": sql, "WorkGroup": "cafelake", "QueryExecutionContext": {"Database": "cafelake"}}
    )
    done = standin.get(qid)
    assert done["Status"] == {"State": "SUCCEEDED"} and done["StatementType"] == "DML"
    assert done["ResultConfiguration"]["OutputLocation"] == f"s3://athena-results/out/{qid}.csv"
    body = catalog["s3"].get_object(Bucket="athena-results", Key=f"out/{qid}.csv")["Body"].read().decode()
    assert sorted(body.splitlines()) == sorted(['"text","n","nothing"', '"a ""b""","2",', '"수족구","3","x"'])
