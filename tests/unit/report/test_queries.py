"""The engine switch: local DuckDB or Athena through awswrangler, chosen by one setting."""

from __future__ import annotations

import awswrangler as wr
import pandas as pd
import pytest

from cafelake.errors import UsageError
from cafelake.report.queries import query_engine, run_queries


def test_athena_engine_sends_the_sql_to_the_configured_database_and_workgroup(monkeypatch):
    calls = []
    monkeypatch.setattr(wr.athena, "read_sql_query", lambda sql, **kw: calls.append((sql, kw)) or pd.DataFrame())
    monkeypatch.setenv("CAFELAKE_ENGINE", "athena")
    monkeypatch.setenv("CAFELAKE_DATABASE", "lakedb")
    monkeypatch.setenv("CAFELAKE_WORKGROUP", "analysts")
    query_engine()("SELECT 1")
    assert calls == [("SELECT 1", {"database": "lakedb", "workgroup": "analysts", "ctas_approach": False})]


def test_local_engine_runs_athena_sql_on_the_lake(tmp_path, monkeypatch):
    monkeypatch.setenv("CAFELAKE_LAKE", str(tmp_path))
    got = query_engine("local")("SELECT count(*) AS n FROM v_daily_posts")
    assert got["n"].tolist() == [0]


def test_unknown_engine_is_a_clear_error():
    with pytest.raises(UsageError, match="local, athena"):
        query_engine("spark")


def test_a_failing_query_is_kept_as_its_error_and_the_others_still_run():
    def query(sql: str) -> pd.DataFrame:
        if "v_top_tokens" in sql:
            raise RuntimeError("boom")
        return pd.DataFrame({"sql": [sql]})

    got = run_queries(query)
    assert isinstance(got["v_top_tokens"], RuntimeError)
    assert sum(isinstance(v, pd.DataFrame) for v in got.values()) == len(got) - 1


def test_athena_engine_defaults_to_the_deployed_stacks_workgroup(monkeypatch):
    import json

    import boto3
    from moto import mock_aws

    calls = []
    monkeypatch.setattr(wr.athena, "read_sql_query", lambda sql, **kw: calls.append(kw) or pd.DataFrame())
    monkeypatch.delenv("CAFELAKE_WORKGROUP", raising=False)
    monkeypatch.setenv("CAFELAKE_STACK", "LakeStaging")
    with mock_aws():
        boto3.client("cloudformation").create_stack(
            StackName="LakeStaging",
            TemplateBody=json.dumps(
                {
                    "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
                    "Outputs": {"AthenaWorkGroup": {"Value": "LakeStaging-0b1c2d3e"}},
                }
            ),
        )
        query_engine("athena")("SELECT 1")
    assert calls[0]["workgroup"] == "LakeStaging-0b1c2d3e"
