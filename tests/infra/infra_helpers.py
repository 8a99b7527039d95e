"""Shared helpers of the infra tests (a uniquely named module: tests have no packages)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "infra"))

os.environ.setdefault("CDK_DISABLE_CLI_TELEMETRY", "true")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

BOARDS = [
    {
        "name": "baby-health",
        "club_id": "10050146",
        "menu_id": "386",
        "schedule": "cron(0 18-23 * * ? *)",
        "timezone": "Asia/Seoul",
    },
    {"name": "toddler-food", "club_id": "10050146", "menu_id": "412", "schedule": "rate(2 hours)"},
]
ALARM_EMAIL = "ops@example.com"
# QuickSight on (what `-c cafelake:quicksight=true` deploys), with a reader group and the service role renamed.
QS_PRINCIPAL = "arn:aws:quicksight:us-east-1:123456789012:user/default/analyst"
QS_VIEWERS = ["arn:aws:quicksight:us-east-1:123456789012:group/default/parents-app-team"]
QS_SERVICE_ROLE = "qs-analysts-role"
QUICKSIGHT_CONTEXT = {
    "cafelake:quicksight": True,
    "cafelake:quicksightPrincipalArn": QS_PRINCIPAL,
    "cafelake:quicksightViewerArns": QS_VIEWERS,
    "cafelake:quicksightServiceRole": QS_SERVICE_ROLE,
}
BUILD_SCRIPT = ROOT / "scripts" / "build_glue_artifacts.py"


def cdk_context(**overrides: Any) -> dict[str, Any]:
    context = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    context.update({"aws:cdk:bundling-stacks": []}, **overrides)
    return context


@dataclass
class Synth:
    stack: Any
    template: Any  # aws_cdk.assertions.Template
    raw: dict

    def resources(self, rtype: str) -> dict[str, dict]:
        return {k: v for k, v in self.raw["Resources"].items() if v["Type"] == rtype}

    def asset_file(self, key: str) -> Path:
        """The staged file of the cloud assembly that `cdk deploy` publishes under this object key."""
        assembly = Path(self.stack.node.root.outdir)
        (manifest,) = assembly.glob(f"{self.stack.artifact_id}.assets.json")
        for asset in json.loads(manifest.read_text())["files"].values():
            if any(d["objectKey"] == key for d in asset["destinations"].values()):
                return assembly / asset["source"]["path"]
        raise KeyError(key)

    def one(self, rtype: str) -> dict:
        found = list(self.resources(rtype).values())
        assert len(found) == 1, f"expected one {rtype}, found {len(found)}"
        return found[0]


def glue_artifacts():
    """The real Glue artefacts, built once if missing (the build script must exist: the stack packages them)."""
    from cafelake_infra.assets import GLUE_MANIFEST, GlueArtifacts

    if not (ROOT / GLUE_MANIFEST).exists():
        assert BUILD_SCRIPT.exists(), f"{BUILD_SCRIPT.relative_to(ROOT)} is missing: the stack cannot package the jobs"
        subprocess.run([sys.executable, str(BUILD_SCRIPT)], cwd=ROOT, check=True, timeout=900)
    return GlueArtifacts.load(ROOT)


def cfn_lint_findings(template: dict, path: Path) -> list[str]:
    """The rule ids cfn-lint reports on a template (written to `path`)."""
    path.write_text(json.dumps(template), encoding="utf-8")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in range(0, 16, 2), done.stderr  # bit flags: errors, warnings, info; 1 is a crash
    return [f["Rule"]["Id"] for f in json.loads(done.stdout or "[]")]


def state_machine_definition(synth: Synth) -> dict:
    """The pipeline's ASL, with CloudFormation intrinsics inside it replaced by '<ref>'."""
    parts = synth.one("AWS::StepFunctions::StateMachine")["Properties"]["DefinitionString"]["Fn::Join"][1]
    return json.loads("".join(p if isinstance(p, str) else "<ref>" for p in parts))


def policy_statements(synth: Synth, role_logical_prefix: str) -> list[dict]:
    """Statements of the inline policies attached to roles whose logical id starts with the prefix, and of the
    managed policies CDK moves statements to when an inline policy outgrows IAM's size limit (its
    `OverflowPolicy`: the pipeline role's view grants grow with every view)."""
    out = []
    policies = [*synth.resources("AWS::IAM::Policy").values(), *synth.resources("AWS::IAM::ManagedPolicy").values()]
    for policy in policies:
        roles = [r["Ref"] for r in policy["Properties"].get("Roles", [])]
        if any(r.startswith(role_logical_prefix) for r in roles):
            out += policy["Properties"]["PolicyDocument"]["Statement"]
    return out


# What moto's accounts and regions answer, and a stack id of the usual shape.
PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "CafeLake",
    "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/CafeLake/51af3dc0-da77-11e4-872e-1234567db123",
}


def resolve(value: Any, refs: dict[str, Any]) -> Any:
    """CloudFormation intrinsics evaluated as CloudFormation would: `Ref` and `Fn::GetAtt` of the resources in
    `refs` (by logical id, or "LogicalId.Attribute"; a pseudo parameter there overrides PSEUDO_PARAMETERS),
    Fn::Join, Fn::Select, Fn::Split."""
    if isinstance(value, list):
        return [resolve(v, refs) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1 or not next(iter(value)).startswith(("Ref", "Fn::")):
        return {k: resolve(v, refs) for k, v in value.items()}
    ((fn, arg),) = value.items()
    if fn == "Ref":
        return refs[arg] if arg in refs else PSEUDO_PARAMETERS[arg]
    if fn == "Fn::GetAtt":
        return refs[f"{arg[0]}.{arg[1]}"]
    if fn == "Fn::Join":
        return resolve(arg[0], refs).join(resolve(p, refs) for p in resolve(arg[1], refs))
    if fn == "Fn::Select":
        return resolve(arg[1], refs)[int(resolve(arg[0], refs))]
    if fn == "Fn::Split":
        return resolve(arg[1], refs).split(resolve(arg[0], refs))
    raise ValueError(f"no evaluation of {fn} here")
