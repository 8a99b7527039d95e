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

from infra_helpers import ALARM_EMAIL, BOARDS, QUICKSIGHT_CONTEXT, ROOT, Synth, cdk_context, glue_artifacts


def _synth(outdir: Path, **context) -> Synth:
    """The stack, built with the real Glue artefacts; a missing build input fails every test that needs it."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from cafelake_infra.assets import MissingBuildInput
    from cafelake_infra.stack import build

    artifacts = glue_artifacts()
    app = cdk.App(
        outdir=str(outdir),
        context=cdk_context(**{"cafelake:boards": BOARDS, "cafelake:alarmEmail": ALARM_EMAIL, **context}),
    )
    try:
        stack = build(app, root=ROOT, artifacts=artifacts)
    except MissingBuildInput as err:
        pytest.fail(f"the stack cannot be built: {err}")
    template = Template.from_stack(stack)
    return Synth(stack, template, template.to_json())


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> Synth:
    return _synth(tmp_path_factory.mktemp("cdk.out"))


@pytest.fixture(scope="session")
def quicksight_synth(tmp_path_factory) -> Synth:
    """The stack with QuickSight on, synthesized with DuckDB unimportable: synth must not start a query engine."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "duckdb", None)  # `import duckdb` now raises ImportError
        return _synth(tmp_path_factory.mktemp("cdk.out-quicksight"), **QUICKSIGHT_CONTEXT)
