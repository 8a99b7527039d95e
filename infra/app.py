"""CDK entry point (`npx cdk synth` runs it with the repo's venv, see cdk.json)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aws_cdk as cdk

from cafelake_infra.assets import MissingBuildInput
from cafelake_infra.settings import SettingsError
from cafelake_infra.stack import build

app = cdk.App()
try:
    build(app)
except (MissingBuildInput, SettingsError) as err:
    sys.exit(f"cafelake infra: {err}")
app.synth()
