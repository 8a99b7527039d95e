"""The cloud assembly `cdk synth` writes: the template and the asset manifest a deploy reads.

Synthesized by the pinned CDK CLI, as a user's `npx cdk deploy` synthesizes it (Lambda bundling
on, which runs locally without Docker), with no AWS credentials in reach.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

STACK = "CafeLake"
CLI = Path("node_modules/.bin/cdk")


class SynthFailed(RuntimeError):
    """`cdk synth` exited non-zero (its stderr is the message)."""


@dataclass(frozen=True)
class Assembly:
    outdir: Path
    stack: str = STACK

    @cached_property
    def template(self) -> dict:
        return json.loads((self.outdir / f"{self.stack}.template.json").read_text(encoding="utf-8"))

    @cached_property
    def asset_manifest(self) -> dict:
        return json.loads((self.outdir / f"{self.stack}.assets.json").read_text(encoding="utf-8"))

    @classmethod
    def synth(cls, root: Path, outdir: Path, *, timeout: float = 900) -> Assembly:
        """Run `cdk synth --output outdir` in the repository, as `make synth` does."""
        cli = root / CLI
        if not cli.exists():
            raise SynthFailed(f"{CLI} is missing: run `npm ci` (make install does)")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            CDK_DISABLE_CLI_TELEMETRY="true",
            JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
            AWS_EC2_METADATA_DISABLED="true",
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_CONFIG_FILE=os.devnull,
        )
        done = subprocess.run(
            [str(cli), "synth", "--quiet", "--output", str(outdir)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise SynthFailed(done.stderr[-4000:])
        return cls(outdir)
