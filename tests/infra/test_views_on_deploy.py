"""Views on deploy: the custom resource's handler waits for the views-only execution, and the stack
makes what reads the views (QuickSight) wait for that resource."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass

import boto3
import pytest
from infra_helpers import ROOT
from moto import mock_aws

HANDLER = ROOT / "lambdas" / "deploy_views" / "deploy_views.py"
PASS = {
    "StartAt": "Views",
    "States": {"Views": {"Type": "Wait", "Seconds": 2, "Next": "Done"}, "Done": {"Type": "Succeed"}},
}
FAIL = {
    "StartAt": "Views",
    "States": {"Views": {"Type": "Fail", "Error": "PipelineFailed", "Cause": "see the notification"}},
}


@dataclass
class Context:
    remaining_ms: int = 900_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def handler(monkeypatch):
    spec = importlib.util.spec_from_file_location("deploy_views_handler", HANDLER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "POLL_S", 0.2)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield module


def _machine(definition: dict) -> str:
    role = boto3.client("iam").create_role(RoleName="sm", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    return boto3.client("stepfunctions").create_state_machine(
        name="pipeline", roleArn=role, definition=json.dumps(definition)
    )["stateMachineArn"]


def _event(kind: str, arn: str, **extra) -> dict:
    return {"RequestType": kind, "ResourceProperties": {"StateMachineArn": arn, "Fingerprint": "abc123"}, **extra}


def _executions(arn: str) -> list[dict]:
    return boto3.client("stepfunctions").list_executions(stateMachineArn=arn)["executions"]


def test_create_returns_only_once_the_views_execution_succeeded(handler):
    arn = _machine(PASS)
    got = handler.handler(_event("Create", arn), Context())
    (execution,) = _executions(arn)
    assert execution["status"] == "SUCCEEDED" and got["Data"]["ExecutionArn"] == execution["executionArn"]
    assert got["PhysicalResourceId"] == "views-abc123"
    history = boto3.client("stepfunctions").describe_execution(executionArn=execution["executionArn"])
    assert json.loads(history["input"]) == {"viewsOnly": True}


def test_a_failed_views_execution_fails_the_deploy_with_its_error(handler):
    arn = _machine(FAIL)
    with pytest.raises(RuntimeError, match="ended FAILED: PipelineFailed see the notification"):
        handler.handler(_event("Update", arn, PhysicalResourceId="views-old"), Context())


def test_it_gives_up_with_a_message_before_its_own_timeout(handler):
    arn = _machine({"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 600, "End": True}}})
    with pytest.raises(TimeoutError, match="still running"):
        handler.handler(_event("Create", arn), Context(remaining_ms=20_000))
    boto3.client("stepfunctions").stop_execution(executionArn=_executions(arn)[0]["executionArn"])


def test_delete_starts_nothing(handler):
    arn = _machine(PASS)
    assert handler.handler(_event("Delete", arn, PhysicalResourceId="views-abc123"), Context()) == {
        "PhysicalResourceId": "views-abc123"
    }
    assert _executions(arn) == []


def test_the_stack_runs_the_handler_through_a_provider_after_the_tables_and_workgroup(synth):
    (resource,) = synth.resources("Custom::Views").values()
    props = resource["Properties"]
    assert props["StateMachineArn"]["Ref"].startswith("OrchestrationPipeline")
    deps = set(resource.get("DependsOn", []))
    assert any(d.startswith("CatalogTable") for d in deps) and any(d.startswith("QueryWorkGroup") for d in deps)
    handler_fn = synth.stack.views_on_deploy.handler
    assert synth.stack.resolve(handler_fn.runtime.name) == "python3.14"
    (framework,) = [
        f["Properties"]
        for k, f in synth.resources("AWS::Lambda::Function").items()
        if k.startswith("ViewsOnDeployProviderframeworkonEvent")
    ]
    assert framework["Environment"]["Variables"]["USER_ON_EVENT_FUNCTION_ARN"]["Fn::GetAtt"][0].startswith(
        "ViewsOnDeployHandler"
    )
    assert props["ServiceToken"]["Fn::GetAtt"][0].startswith("ViewsOnDeployProviderframeworkonEvent")
