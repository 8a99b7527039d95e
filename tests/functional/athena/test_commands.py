"""`cafelake query`, `cafelake check` and `cafelake athena` as a user runs them."""

from __future__ import annotations

import io
import json

import boto3
import pandas as pd
import pyarrow as pa
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from cafelake.athena.deploy import statements
from cafelake.cli import COMMANDS, _register, app


@pytest.fixture(scope="module")
def cli():
    for name in ("query", "check", "athena"):
        _register(name, COMMANDS[name])
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_query_sql_as_csv_and_json(cli, mart_lake):
    sql = "SELECT post_hour, sum(posts) AS posts FROM cafelake.v_posts_by_hour GROUP BY 1 ORDER BY 1"
    res = cli("query", sql, "--lake", mart_lake.root, "--format", "csv")
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout))
    assert list(df.columns) == ["post_hour", "posts"]
    assert df["posts"].sum() == mart_lake.read_table("posts_dim").num_rows
    res = cli(
        "query", "--view", "v_daily_posts", "--where", "dt = '2025-10-07'", "--lake", mart_lake.root, "-f", "json"
    )
    [row] = json.loads(res.stdout)
    assert row["post_date"] == "2025-10-07" and row["posts"] > 0


def test_query_table_output_and_limit(cli, mart_lake):
    res = cli("query", "--view", "v_group_top_tokens", "--limit", "3", "--lake", mart_lake.root)
    assert res.exit_code == 0, res.output
    assert "group_name" in res.stdout and "3 row(s)" in res.stdout


def test_query_errors_are_clear(cli, mart_lake):
    res = cli("query", "SELECT nope FROM v_daily_posts", "--lake", mart_lake.root)
    assert res.exit_code == 2 and "nope" in res.output
    res = cli("query", "--view", "v_missing", "--lake", mart_lake.root)
    assert res.exit_code == 2 and "unknown view" in res.output
    assert cli("query", "--lake", mart_lake.root).exit_code != 0  # neither SQL nor --view


def test_list_names_every_view(cli, mart_lake):
    res = cli("query", "--list", "--lake", mart_lake.root)
    assert "v_posts_enriched" in res.stdout and "posts_dim" in res.stdout


def test_check_exit_code(cli, small_mart):
    lake, tables = small_mart
    res = cli("check", "--lake", lake.root)
    assert res.exit_code == 0, res.output
    hours = tables["posts_dim"].column("post_hour").to_pylist()
    hours[0] = 24
    p = tables["posts_dim"]
    lake.write_table(
        "posts_dim", p.set_column(p.schema.get_field_index("post_hour"), "post_hour", pa.array(hours, pa.int32()))
    )
    res = cli("check", "--lake", lake.root)
    assert res.exit_code == 1
    assert "posts_dim_post_hour_range" in res.output and "FAIL" in res.output


def test_athena_sql_prints_the_statements(cli):
    res = cli("athena", "sql", "--database", "db", "--cleansed-uri", "s3://c1", "--tokenized-uri", "s3://t1")
    assert res.exit_code == 0, res.output
    for name, sql in statements("db", "s3://c1", "s3://t1"):
        assert f"-- {name}\n{sql};" in res.stdout


@pytest.fixture
def no_zone_env(monkeypatch):
    """No zone URIs from the environment: the options alone decide."""
    monkeypatch.delenv("CAFELAKE_CLEANSED_URI", raising=False)
    monkeypatch.delenv("CAFELAKE_TOKENIZED_URI", raising=False)


def _submitted() -> set[str]:
    athena_client = boto3.client("athena", region_name="us-east-1")
    ids = athena_client.list_query_executions()["QueryExecutionIds"]
    return {athena_client.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Query"] for i in ids}


@mock_aws
def test_athena_apply_views_only_needs_no_zone_uris(cli, no_zone_env):
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="results")
    res = cli(
        "athena",
        "apply",
        "--database",
        "db",
        "--workgroup",
        "primary",
        "--output-uri",
        "s3://results/q/",
        "--views-only",
    )
    assert res.exit_code == 0, res.output
    assert _submitted() == {sql for _, sql in statements("db", tables=False)}


@mock_aws
def test_athena_apply_with_tables_requires_both_zone_uris(cli, no_zone_env):
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="results")
    base = ("athena", "apply", "--database", "db", "--workgroup", "primary", "--output-uri", "s3://results/q/")
    res = cli(*base, "--tokenized-uri", "s3://t1")
    assert res.exit_code == 2
    assert "--cleansed-uri" in res.output and "--views-only" in res.output and "--tokenized-uri:" not in res.output
    assert _submitted() == set(), "a usage error sends nothing to Athena"
    res = cli(*base, "--cleansed-uri", "s3://c1", "--tokenized-uri", "s3://t1")
    assert res.exit_code == 0, res.output
    assert _submitted() == {sql for _, sql in statements("db", "s3://c1", "s3://t1")}


@mock_aws
def test_athena_apply_takes_what_the_options_do_not_say_from_the_environment(cli, monkeypatch):
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="results")
    boto3.client("athena", region_name="us-east-1").create_work_group(Name="analysts")
    for name, value in {
        "CAFELAKE_DATABASE": "lakedb",
        "CAFELAKE_WORKGROUP": "analysts",
        "CAFELAKE_CLEANSED_URI": "s3://c2",
        "CAFELAKE_TOKENIZED_URI": "s3://t2",
    }.items():
        monkeypatch.setenv(name, value)
    res = cli("athena", "apply", "--output-uri", "s3://results/q/")
    assert res.exit_code == 0, res.output
    assert _submitted() == {sql for _, sql in statements("lakedb", "s3://c2", "s3://t2")}
    ids = boto3.client("athena", region_name="us-east-1").list_query_executions(WorkGroup="analysts")
    assert len(ids["QueryExecutionIds"]) == len(_submitted())


def _deployed_stack(workgroup: str) -> None:
    """A CafeLake stack in moto's CloudFormation whose outputs name its workgroup, as the CDK stack's do."""
    template = {
        "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {"AthenaWorkGroup": {"Value": workgroup}, "RawBucket": {"Value": "raw-bkt"}},
    }
    boto3.client("cloudformation", region_name="us-east-1").create_stack(
        StackName="CafeLake", TemplateBody=json.dumps(template)
    )
    boto3.client("athena", region_name="us-east-1").create_work_group(Name=workgroup)


def _workgroups() -> set[str]:
    athena_client = boto3.client("athena", region_name="us-east-1")
    ids = athena_client.list_query_executions(WorkGroup="CafeLake-51af3dc0")["QueryExecutionIds"]
    return {athena_client.get_query_execution(QueryExecutionId=i)["QueryExecution"]["WorkGroup"] for i in ids}


@mock_aws
def test_athena_apply_uses_the_deployed_stacks_workgroup_by_default(cli, no_zone_env, monkeypatch):
    """CloudFormation names the workgroup (one name per stack): without --workgroup, the stack's output."""
    monkeypatch.delenv("CAFELAKE_WORKGROUP", raising=False)
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="results")
    _deployed_stack("CafeLake-51af3dc0")
    res = cli("athena", "apply", "--database", "db", "--output-uri", "s3://results/q/", "--views-only")
    assert res.exit_code == 0, res.output
    assert _submitted() == {sql for _, sql in statements("db", tables=False)}
    assert _workgroups() == {"CafeLake-51af3dc0"}


@mock_aws
def test_athena_apply_without_a_deployed_stack_asks_for_the_workgroup(cli, no_zone_env, monkeypatch):
    monkeypatch.delenv("CAFELAKE_WORKGROUP", raising=False)
    res = cli("athena", "apply", "--database", "db", "--views-only", "--stack", "Elsewhere")
    assert res.exit_code == 2 and "--workgroup" in res.output and "Elsewhere" in res.output
    assert _submitted() == set()


def test_query_reads_sql_from_a_file_or_stdin_with_comments(cli, mart_lake, tmp_path):
    sql = "-- posts a day\n-- (two comment lines first)\nSELECT count(*) AS n FROM v_daily_posts\n"
    (tmp_path / "q.sql").write_text(sql)
    by_file = cli("query", "--file", tmp_path / "q.sql", "--lake", mart_lake.root, "-f", "json")
    assert by_file.exit_code == 0, by_file.output
    runner = CliRunner()
    by_stdin = runner.invoke(app, ["query", "-", "--lake", mart_lake.root, "-f", "json"], input=sql)
    piped = runner.invoke(app, ["query", "--lake", mart_lake.root, "-f", "json"], input=sql)  # no argument: stdin
    assert json.loads(by_file.stdout) == json.loads(by_stdin.stdout) == json.loads(piped.stdout)
    assert json.loads(by_file.stdout)[0]["n"] > 0


@pytest.mark.parametrize(
    "sql, message",
    [
        ("SELECT 1; SELECT 2", "2 SQL statements given; run one per call"),
        ("COPY (SELECT * FROM posts) TO '/tmp/out.csv'", "only a query that reads runs here"),
        ("INSERT INTO posts_dim SELECT * FROM posts_dim", "only a query that reads runs here"),
        ("ATTACH '/tmp/other.db' AS other", "invalid SQL at line 1, column"),  # not even Athena SQL
        ("CREATE TABLE t AS SELECT 1", "only a query that reads runs here"),
        ("-- only a comment", "no SQL statement given"),
    ],
)
def test_query_runs_one_statement_that_only_reads(cli, mart_lake, tmp_path, sql, message):
    (tmp_path / "q.sql").write_text(sql.replace("/tmp/", f"{tmp_path}/"))
    res = cli("query", "--file", tmp_path / "q.sql", "--lake", mart_lake.root)
    assert res.exit_code == 2 and message in res.output, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.sql"]  # nothing written, nothing attached


def test_check_writes_its_results_to_stdout_as_a_table_json_or_junit(cli, small_mart):
    from xml.etree import ElementTree

    lake, tables = small_mart
    p = tables["posts_dim"]
    hours = p.column("post_hour").to_pylist()
    hours[0] = 24
    lake.write_table(
        "posts_dim", p.set_column(p.schema.get_field_index("post_hour"), "post_hour", pa.array(hours, pa.int32()))
    )
    runner = CliRunner()
    as_table = runner.invoke(app, ["check", "--lake", lake.root], env={"COLUMNS": "200"})
    assert as_table.exit_code == 1 and "posts_dim_post_hour_range" in as_table.stdout and "FAIL" in as_table.stdout
    assert "1 of" in as_table.stderr and "checks failed" in as_table.stderr
    as_json = runner.invoke(app, ["check", "--lake", lake.root, "--format", "json"])
    results = {r["name"]: r for r in json.loads(as_json.stdout)}
    assert as_json.exit_code == 1 and not results["posts_dim_post_hour_range"]["passed"]
    assert results["posts_dim_post_hour_range"]["sample"][0]["post_hour"] == 24
    assert sum(not r["passed"] for r in results.values()) == 1 and len(results) >= 20
    junit = runner.invoke(app, ["check", "--lake", lake.root, "--format", "junit"])
    suite = ElementTree.fromstring(junit.stdout.split("?>", 1)[1])
    assert junit.exit_code == 1 and suite.get("failures") == "1" and suite.get("tests") == str(len(results))
    [failed] = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed.get("name") == "posts_dim_post_hour_range"
