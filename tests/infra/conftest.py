"""One synthesized app per session (importing and synthesizing CDK is slow), offline.

The stack is built from the committed `cdk.json` context with two boards and an alarm
e-mail added, so per-board and optional parts are exercised. Lambda bundling is skipped
here (context `aws:cdk:bundling-stacks`); the CLI test bundles for real.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the tests' helper module, under any import mode

from infra_helpers import ALARM_EMAIL, BOARDS, ROOT, Synth, cdk_context, glue_artifacts


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> Synth:
    """The stack, built with the real Glue artefacts; a missing build input fails every test that needs it."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from cafelake_infra.assets import MissingBuildInput
    from cafelake_infra.stack import build

    artifacts = glue_artifacts()
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("cdk.out")),
                  context=cdk_context(**{"cafelake:boards": BOARDS, "cafelake:alarmEmail": ALARM_EMAIL}))
    try:
        stack = build(app, root=ROOT, artifacts=artifacts)
    except MissingBuildInput as err:
        pytest.fail(f"the stack cannot be built: {err}")
    template = Template.from_stack(stack)
    return Synth(stack, template, template.to_json())

