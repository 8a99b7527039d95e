"""The reviewer's checks: cdk-nag AwsSolutions (v3) and cfn-lint on the synthesized template."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(params=["default", "quicksight"])
def synthesized(request):
    """The stack as committed, and with QuickSight on (data sets, analysis, dashboard)."""
    return request.getfixturevalue({"default": "synth", "quicksight": "quicksight_synth"}[request.param])


def test_aws_solutions_pack_passes(synthesized):
    from cdk_nag import AwsSolutionsChecks

    report = AwsSolutionsChecks().validate_scope(synthesized.stack)
    assert report.success, [v.rule_name for v in report.violations]


def test_the_nag_check_is_not_vacuous():
    """A wildcard policy with no acknowledgment must fail the same check."""
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam
    from cdk_nag import AwsSolutionsChecks

    stack = cdk.Stack(cdk.App(), "Probe")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["s3:*"], resources=["*"]))
    assert not AwsSolutionsChecks().validate_scope(stack).success


def test_every_acknowledgment_is_justified_and_scoped(synth):
    from cafelake_infra import nag

    acks = nag.acknowledgments(synth.stack)
    assert acks
    for ack in acks:
        assert ack.scopes and all(s is not None for s in ack.scopes), ack.finding
        assert len(ack.reason) >= 60, ack.finding
        assert ack.scopes[0] is not synth.stack, "acknowledge on the reviewed constructs, not the whole stack"


def _cfn_lint(template: dict, path: Path) -> list[str]:
    path.write_text(json.dumps(template), encoding="utf-8")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 2, 4, 6, 8, 10, 12, 14), done.stderr  # bit flags: errors, warnings, info
    return [f["Rule"]["Id"] for f in json.loads(done.stdout or "[]")]


def _inline_definitions(template: dict) -> dict:
    """The state machine's DefinitionString with its intrinsics filled in, so cfn-lint's ASL
    schema (E3601) checks the definition too (it skips an Fn::Join)."""
    template = copy.deepcopy(template)
    for res in template["Resources"].values():
        if res["Type"] == "AWS::StepFunctions::StateMachine":
            parts = res["Properties"]["DefinitionString"]["Fn::Join"][1]
            res["Properties"]["DefinitionString"] = "".join(p if isinstance(p, str) else "aws" for p in parts)
    return template


def test_cfn_lint_finds_no_error_and_the_definition_is_valid_asl(synthesized, tmp_path):
    """With QuickSight on, cfn-lint also reads the analysis's and the dashboard's Definition against
    CloudFormation's schema (tests/infra/test_quicksight.py plants an invalid property to show it)."""
    ids = _cfn_lint(_inline_definitions(synthesized.raw), tmp_path / "template.json")
    assert [i for i in ids if i != "W3005"] == []


def test_cfn_lint_checks_inlined_definitions(tmp_path):
    """The ASL check is live: a state with an unknown field is reported."""
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Bogus": 1}}}
    template = {
        "Resources": {
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "RoleArn": "arn:aws:iam::123456789012:role/r",
                    "DefinitionString": json.dumps(definition),
                },
            }
        }
    }
    assert "E3601" in _cfn_lint(template, tmp_path / "probe.json")


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {
            "cafelake:quicksight": True,
            "cafelake:quicksightPrincipalArn": "arn:aws:quicksight:us-east-1:123456789012:user/default/analyst",
        },
    ],
    ids=["default", "quicksight"],
)
def test_every_acknowledgment_answers_a_real_finding(monkeypatch, tmp_path, extra):
    """Build the stack again without acknowledging anything: each acknowledgment must match a finding
    on the constructs it names (a stale one would silently cover a future wildcard)."""
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks
    from infra_helpers import ALARM_EMAIL, BOARDS, ROOT, cdk_context, glue_artifacts

    from cafelake_infra import nag
    from cafelake_infra import stack as stack_module

    monkeypatch.setattr(stack_module.nag, "acknowledge", lambda stack: [])
    app = cdk.App(
        outdir=str(tmp_path),
        context=cdk_context(**{"cafelake:boards": BOARDS, "cafelake:alarmEmail": ALARM_EMAIL, **extra}),
    )
    stack = stack_module.build(app, root=ROOT, artifacts=glue_artifacts())
    report = AwsSolutionsChecks().validate_scope(stack)
    found = {v.rule_name: [r.construct_path for r in v.violating_resources] for v in report.violations}
    for ack in nag.acknowledgments(stack):
        paths = found.get(ack.id, [])
        for scope in ack.scopes:
            assert any(p == scope.node.path or p.startswith(scope.node.path + "/") for p in paths), (
                f"{ack.id} is acknowledged on {scope.node.path} but not found there"
            )
