"""`npx cdk synth` with the pinned CLI: offline, no AWS credentials, no Docker, scraper bundled."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from infra_helpers import ROOT, glue_artifacts

CLI = ROOT / "node_modules" / ".bin" / "cdk"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_cdk_synth_offline_without_credentials(tmp_path):
    assert CLI.exists(), "the pinned CDK CLI is not installed: run `npm ci` (make test does)"
    glue_artifacts()  # what the app packages: built here if missing, as `make test` would
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        CDK_DISABLE_CLI_TELEMETRY="true",
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_CONFIG_FILE=str(tmp_path / "none"),
    )
    out = tmp_path / "cdk.out"
    done = subprocess.run(
        [str(CLI), "synth", "--quiet", "--output", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    template = json.loads((out / "CafeLake.template.json").read_text())
    functions = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("Handler") == "handler.handler"
    ]
    assert functions
    # The bundled scraper: handler, core package and dependencies, none of the heavy libraries.
    assets = json.loads((out / "CafeLake.assets.json").read_text())["files"]
    bundles = [
        out / a["source"]["path"] for a in assets.values() if (out / a["source"]["path"] / "handler.py").is_file()
    ]
    assert len(bundles) == 1
    bundle = bundles[0]
    for needed in ("cafelake/raw.py", "requests", "aws_lambda_powertools"):
        assert (bundle / needed).exists(), needed
    assert not (bundle / "pyarrow").exists() and not (bundle / "pandas").exists()
