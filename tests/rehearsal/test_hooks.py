"""The hooks: moto's interpreter walks a definition; Glue runs, crawls, Lambda invocations, Athena queries and
waits are what the hooks make them, and the interpreter reports them as Step Functions would."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from cafelake_rehearsal.athena import AthenaStandIn
from cafelake_rehearsal.glue import GlueRunner
from cafelake_rehearsal.hooks import Crawls, Services, installed, iso_timestamps
from cafelake_rehearsal.lambda_runtime import LambdaRuntime

REGION = "ap-northeast-2"
BUCKET = "rehearsal-hooks"
ROLE = '{"Version": "2012-10-17", "Statement": []}'


@pytest.fixture
def aws(envs, tmp_path):
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        c = {
            name: boto3.client(name, region_name=REGION)
            for name in ("s3", "glue", "stepfunctions", "iam", "lambda", "athena")
        }
        c["s3"].create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        c["role"] = c["iam"].create_role(RoleName="r", AssumeRolePolicyDocument=ROLE)["Role"]["Arn"]
        services = Services(
            glue=GlueRunner(envs, c["s3"], workdir=tmp_path / "glue", environment={}, region=REGION),
            lambdas=LambdaRuntime(envs, workdir=tmp_path / "lambda", environment={}),
            athena=AthenaStandIn(c["glue"], c["athena"], c["s3"], "http://127.0.0.1:9", REGION),
            crawls=Crawls(c["s3"]),
        )
        with installed(services):
            yield c, services


def _execute(c, states: dict, start: str) -> dict:
    definition = json.dumps({"StartAt": start, "States": states})
    arn = c["stepfunctions"].create_state_machine(
        name=f"sm{time.monotonic_ns()}", roleArn=c["role"], definition=definition
    )["stateMachineArn"]
    ex = c["stepfunctions"].start_execution(stateMachineArn=arn, name=f"x{time.monotonic_ns()}", input="{}")
    for _ in range(600):
        desc = c["stepfunctions"].describe_execution(executionArn=ex["executionArn"])
        if desc["status"] != "RUNNING":
            return desc
        time.sleep(0.1)
    raise TimeoutError


def _job(c, name: str, script: str) -> None:
    c["s3"].put_object(Bucket=BUCKET, Key=f"{name}.py", Body=script.encode())
    c["glue"].create_job(
        Name=name,
        Role=c["role"],
        GlueVersion="5.0",
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{BUCKET}/{name}.py"},
    )


@pytest.mark.slow
def test_a_glue_sync_task_ends_with_the_runs_outcome(aws):
    c, services = aws
    _job(c, "ok-job", "print('fine')\n")
    _job(c, "bad-job", "raise ValueError('boom')\n")
    task = {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "ResultPath": "$.run"}
    states = {
        "Ok": {**task, "Parameters": {"JobName": "ok-job", "Arguments": {"--full": "false"}}, "Next": "Bad"},
        "Bad": {
            **task,
            "Parameters": {"JobName": "bad-job"},
            "End": True,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
        },
        "Caught": {"Type": "Pass", "End": True},
    }
    out = json.loads(_execute(c, states, "Ok")["output"])
    assert out["run"]["JobRunState"] == "SUCCEEDED" and out["run"]["Arguments"]["--full"] == "false"
    assert out["error"]["Error"] == "States.TaskFailed"
    cause = json.loads(out["error"]["Cause"])
    assert cause["JobRunState"] == "FAILED" and cause["ErrorMessage"] == "ValueError: boom"
    assert [r.state for _, r in services.job_runs.values()] == ["SUCCEEDED", "FAILED"]


def test_a_crawl_runs_then_reports_its_outcome_and_waits_take_no_time(aws):
    c, services = aws
    c["glue"].create_database(DatabaseInput={"Name": "db"})
    c["glue"].create_crawler(
        Name="crawler", Role=c["role"], DatabaseName="db", Targets={"S3Targets": [{"Path": f"s3://{BUCKET}/"}]}
    )
    get = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:getCrawler", "Parameters": {"Name": "crawler"}}
    states = {
        "Start": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:glue:startCrawler",
            "Parameters": {"Name": "crawler"},
            "ResultPath": None,
            "Next": "First",
        },
        "First": {**get, "ResultSelector": {"state.$": "$.Crawler.State"}, "ResultPath": "$.first", "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 30, "Next": "Second"},
        "Second": {
            **get,
            "ResultSelector": {"state.$": "$.Crawler.State", "last.$": "$.Crawler.LastCrawl"},
            "ResultPath": "$.second",
            "End": True,
        },
    }
    start = time.monotonic()
    out = json.loads(_execute(c, states, "Start")["output"])
    assert time.monotonic() - start < 20 and services.waits == [30]  # recorded, not slept
    assert out["first"]["state"] == "RUNNING" and out["second"]["state"] == "READY"
    assert out["second"]["last"]["Status"] == "SUCCEEDED"
    assert out["second"]["last"]["StartTime"].split("T")[0] == datetime.now(UTC).date().isoformat()

    services.crawls.fail_next("rehearsed failure")
    out = json.loads(_execute(c, states, "Start")["output"])
    assert out["second"]["last"]["Status"] == "FAILED" and out["second"]["last"]["ErrorMessage"] == "rehearsed failure"


def test_a_crawl_already_running_is_refused(aws):
    c, _ = aws
    c["glue"].create_crawler(
        Name="crawler", Role=c["role"], DatabaseName="db", Targets={"S3Targets": [{"Path": "s3://no-such-bucket/"}]}
    )
    c["glue"].start_crawler(Name="crawler")
    with pytest.raises(c["glue"].exceptions.CrawlerRunningException):
        c["glue"].start_crawler(Name="crawler")
    for _ in range(2):
        crawler = c["glue"].get_crawler(Name="crawler")["Crawler"]
    assert crawler["LastCrawl"]["Status"] == "FAILED" and "no-such-bucket" in crawler["LastCrawl"]["ErrorMessage"]


@pytest.mark.slow
def test_a_lambda_task_runs_the_package_the_function_was_created_from(aws):
    c, services = aws
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return {'seen': event, 'continue': False}\n")
    c["s3"].put_object(Bucket=BUCKET, Key="code.zip", Body=buf.getvalue())
    fn = c["lambda"].create_function(
        FunctionName="f",
        Runtime="python3.14",
        Role=c["role"],
        Handler="handler.handler",
        Code={"S3Bucket": BUCKET, "S3Key": "code.zip"},
        Timeout=60,
    )["FunctionArn"]
    states = {
        "Invoke": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "End": True,
            "Parameters": {"FunctionName": fn, "Payload": {"board": "baby-health"}},
            "ResultSelector": {"result.$": "$.Payload"},
        }
    }
    out = json.loads(_execute(c, states, "Invoke")["output"])
    assert out == {"result": {"seen": {"board": "baby-health"}, "continue": False}}
    assert len(services.lambdas.invocations) == 1


def test_an_athena_task_fails_as_athena_fails_it(aws):
    c, _ = aws
    states = {
        "View": {
            "Type": "Task",
            "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
            "End": True,
            "Parameters": {
                "QueryString": "SELECT 1",
                "WorkGroup": "missing",
                "QueryExecutionContext": {"Database": "cafelake"},
            },
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
        },
        "Caught": {"Type": "Pass", "End": True},
    }
    out = json.loads(_execute(c, states, "View")["output"])
    assert out["error"]["Error"] == "States.TaskFailed"
    status = json.loads(out["error"]["Cause"])["QueryExecution"]["Status"]
    assert status["State"] == "FAILED" and "missing" in status["StateChangeReason"]


def test_executions_started_without_a_name_get_a_uuid_as_in_step_functions(aws):
    c, _ = aws
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    arn = c["stepfunctions"].create_state_machine(name="unnamed", roleArn=c["role"], definition=definition)[
        "stateMachineArn"
    ]
    started = [c["stepfunctions"].start_execution(stateMachineArn=arn)["executionArn"] for _ in range(2)]
    names = [a.rsplit(":", 1)[1] for a in started]
    assert names[0] != names[1] and all(str(uuid.UUID(n)) == n for n in names)


def test_timestamps_become_iso_text():
    when = datetime(2026, 12, 7, 19, 5, 42, 826123, tzinfo=UTC)
    assert iso_timestamps({"a": [when], "b": 1}) == {"a": ["2026-12-07T19:05:42.826Z"], "b": 1}
