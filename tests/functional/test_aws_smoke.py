"""`cafelake aws smoke`: starts the board's execution, reports each step from its history, exits by outcome."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from cafelake.cli import _register, app

ROLE = '{"Version": "2012-10-17", "Statement": []}'
DEFINITIONS = {
    "ok": {
        "StartAt": "Which board?",
        "States": {
            "Which board?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.board", "StringEquals": "baby-health", "Next": "Scrape"}],
                "Default": "Unknown",
            },
            "Scrape": {"Type": "Pass", "Result": {"continue": False}, "ResultPath": "$.scrape", "Next": "Done"},
            "Unknown": {"Type": "Fail", "Error": "UnknownBoard", "Cause": "not a board of cdk.json"},
            "Done": {"Type": "Succeed"},
        },
    },
    "slow": {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3, "End": True}}},
}


@pytest.fixture
def machines():
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        role = boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=ROLE)["Role"]["Arn"]
        sfn = boto3.client("stepfunctions")
        arns = {
            name: sfn.create_state_machine(name=name, definition=json.dumps(d), roleArn=role)["stateMachineArn"]
            for name, d in DEFINITIONS.items()
        }
        template = {
            "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {"StateMachineArn": {"Value": arns["ok"]}},
        }
        boto3.client("cloudformation").create_stack(StackName="CafeLake", TemplateBody=json.dumps(template))
        yield arns


def _smoke(*args: str):
    _register("aws", "smoke test")
    return CliRunner().invoke(app, ["aws", "smoke", "--poll", "0.1", *args])


def test_a_succeeded_run_reports_each_step_and_exits_0(machines):
    result = _smoke("--board", "baby-health")  # the state machine from the stack's output
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("> Which board?" in line for line in lines) and any("< Scrape" in line for line in lines)
    assert lines[-1] == "SUCCEEDED"
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=machines["ok"])["executions"]
    (execution,) = executions
    started = boto3.client("stepfunctions").describe_execution(executionArn=execution["executionArn"])
    assert json.loads(started["input"]) == {"board": "baby-health", "backfill": False}


def test_a_failed_run_names_the_error_and_exits_1(machines):
    result = _smoke("--board", "no-such-board", "--state-machine-arn", machines["ok"])
    assert result.exit_code == 1, result.output
    assert "UnknownBoard" in result.output and result.output.splitlines()[-1] == "FAILED"


def test_a_run_still_going_when_the_wait_ends_exits_3(machines):
    result = _smoke("--board", "baby-health", "--state-machine-arn", machines["slow"], "--timeout", "0.3")
    assert result.exit_code == 3, result.output
    assert "still RUNNING" in result.output
