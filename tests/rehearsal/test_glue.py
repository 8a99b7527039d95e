"""A Glue job run as Glue 5.0 runs it: its modules through pip under their S3 names, its script under its
key's name, Glue's arguments; in a Python holding Glue's modules and nothing of the project."""

from __future__ import annotations

import hashlib
import json
import subprocess

import boto3
import pytest
from moto import mock_aws
from rehearsal_helpers import wheel, zip_of_wheels

from cafelake_rehearsal.environments import python
from cafelake_rehearsal.glue import PROVIDED, GlueRunner, JobRun, glue_argv

pytestmark = pytest.mark.slow
BUCKET = "glue-assets"
GREET = wheel("greet", "1.0", {"greet/__init__.py": "def hello():\n    return 'hello from a wheel'\n"})
SCRIPT = """import sys, greet
print(greet.hello())
print("ARGV", " ".join(sys.argv[1:]))
"""


@pytest.fixture
def runner(envs, tmp_path):
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        yield GlueRunner(envs, s3, workdir=tmp_path, environment={}, region="ap-northeast-2"), s3


def _run(runner, *, script="x.py", body=SCRIPT, modules=None, options="--no-index", version="5.0", run_id="jr_1"):
    glue, s3 = runner
    s3.put_object(Bucket=BUCKET, Key=f"scripts/{script}", Body=body.encode())
    args = {"--full": "false"}
    if modules is not None:
        args |= {"--additional-python-modules": modules, "--python-modules-installer-option": options}
    return glue.run(JobRun("cafelake-test", run_id, f"s3://{BUCKET}/scripts/{script}", args, version))


def test_the_jobs_python_holds_glues_modules_and_nothing_of_the_project(envs):
    env = envs.base("glue5", PROVIDED)
    code = (
        "import importlib.metadata as m, importlib.util as u, json; print(json.dumps({**{n: m.version(n) for n in "
        "('numpy', 'pandas', 'pyarrow', 'boto3', 'pyspark', 'pip')}, 'cafelake': bool(u.find_spec('cafelake'))}))"
    )
    got = json.loads(
        subprocess.run([str(python(env)), "-s", "-c", code], capture_output=True, text=True, check=True).stdout
    )
    assert got == {
        "numpy": "1.26.4",
        "pandas": "2.2.2",
        "pyarrow": "17.0.0",
        "boto3": "1.34.131",
        "pyspark": "3.5.4",
        "pip": "23.0.1",
        "cafelake": False,
    }


def test_the_job_finds_its_region_where_glue_puts_it(runner):
    """AWS_DEFAULT_REGION, as a Glue job's environment holds it, and no AWS_REGION (see glue.py)."""
    body = "import os\nprint('REGION', os.environ.get('AWS_DEFAULT_REGION'), os.environ.get('AWS_REGION'))\n"
    result = _run(runner, body=body)
    assert result.state == "SUCCEEDED" and "REGION ap-northeast-2 None" in result.log.read_text()


def test_a_zip_of_wheels_is_installed_and_the_script_gets_glues_arguments(runner):
    _, s3 = runner
    s3.put_object(Bucket=BUCKET, Key="m/deps.gluewheels.zip", Body=zip_of_wheels([GREET], ["greet==1.0"]))
    result = _run(runner, modules=f"s3://{BUCKET}/m/deps.gluewheels.zip")
    log = result.log.read_text()
    assert result.state == "SUCCEEDED", log
    assert "hello from a wheel" in log
    argv = next(line for line in log.splitlines() if line.startswith("ARGV")).split()[1:]
    assert argv[:6] == ["--JOB_ID", argv[1], "--JOB_RUN_ID", "jr_1", "--JOB_NAME", "cafelake-test"]
    assert "--full false" in " ".join(argv) and "--python-modules-installer-option --no-index" in " ".join(argv)
    assert result.environment.name.startswith("glue5-cafelake-test-")  # not the shared Glue Python


def test_a_wheel_under_a_hashed_name_is_refused_as_pip_refuses_it(runner):
    """Defect 1 as Glue meets it: a CDK asset of a single wheel is stored as <sha256>.whl."""
    _, s3 = runner
    name, data = GREET
    s3.put_object(Bucket=BUCKET, Key=f"{hashlib.sha256(data).hexdigest()}.whl", Body=data)
    s3.put_object(Bucket=BUCKET, Key=f"named/{name}", Body=data)
    refused = _run(runner, modules=f"s3://{BUCKET}/{hashlib.sha256(data).hexdigest()}.whl", run_id="jr_hashed")
    assert refused.state == "FAILED" and "is not a valid wheel filename" in refused.error
    assert _run(runner, modules=f"s3://{BUCKET}/named/{name}", run_id="jr_named").state == "SUCCEEDED"


def test_without_no_index_a_missing_requirement_cannot_reach_an_index(runner):
    _, s3 = runner
    s3.put_object(
        Bucket=BUCKET, Key="m/open.gluewheels.zip", Body=zip_of_wheels([GREET], ["greet==1.0", "not-in-the-zip==1.0"])
    )
    result = _run(runner, modules=f"s3://{BUCKET}/m/open.gluewheels.zip", options="")
    assert result.state == "FAILED" and "LAUNCH ERROR" in result.error


def test_the_script_runs_under_its_keys_name(runner):
    """Glue runs the script as a file named after its key: one named like a standard-library module
    shadows it (the job's tokenize.py would, were its key not a hash)."""
    body = "from dataclasses import dataclass\nprint('ran')\n"
    assert _run(runner, script="0a1b2c.py", body=body, run_id="jr_hash").state == "SUCCEEDED"
    shadowed = _run(runner, script="tokenize.py", body=body, run_id="jr_tokenize")
    assert shadowed.state == "FAILED" and "partially initialized module" in shadowed.error


def test_a_failing_script_fails_the_run_with_its_last_error_line(runner):
    result = _run(runner, body="raise ValueError('the pseudonym key is empty')\n")
    assert (result.state, result.error) == ("FAILED", "ValueError: the pseudonym key is empty")


def test_only_glue_5_is_rehearsed(runner):
    assert _run(runner, version="4.0").state == "FAILED"


def test_glue_arguments_come_first_then_the_jobs_sorted():
    run = JobRun("j", "jr_9", "s3://b/k.py", {"--b": "2", "--a": "1"}, "5.0")
    argv = glue_argv(run)
    assert argv[2:6] == ["--JOB_RUN_ID", "jr_9", "--JOB_NAME", "j"] and argv[6:] == ["--a", "1", "--b", "2"]
