"""CDK entry point (`npx cdk synth` runs it with the repo's venv, see cdk.json)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aws_cdk as cdk  # noqa: E402

from cafelake_infra.assets import MissingBuildInput  # noqa: E402
from cafelake_infra.settings import SettingsError  # noqa: E402
from cafelake_infra.stack import build  # noqa: E402

app = cdk.App()
try:
    build(app)
except (MissingBuildInput, SettingsError) as err:
    sys.exit(f"cafelake infra: {err}")
app.synth()
