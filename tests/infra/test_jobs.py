"""Glue 5.0 jobs: logging, metrics, no bookmarks, encrypted, each role reaching only its zones."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile

import pytest
from infra_helpers import policy_statements


def _jobs(synth):
    return {j["Properties"]["Name"]: j["Properties"] for j in synth.resources("AWS::Glue::Job").values()}


def test_three_glue5_spark_jobs_with_small_workers(synth):
    jobs = _jobs(synth)
    assert set(jobs) == {"cafelake-cleanse", "cafelake-tokenize", "cafelake-compact"}
    for job in jobs.values():
        assert job["GlueVersion"] == "5.0"
        assert job["Command"]["Name"] == "glueetl"
        assert (job["WorkerType"], job["NumberOfWorkers"]) == ("G.1X", 2)
        assert job["SecurityConfiguration"] == {"Ref": next(iter(synth.resources("AWS::Glue::SecurityConfiguration")))}
        assert job["JobRunQueuingEnabled"] is True
        args = job["DefaultArguments"]
        assert args["--enable-continuous-cloudwatch-log"] == "true"
        assert args["--enable-metrics"] == "true"
        assert args["--job-bookmark-option"] == "job-bookmark-disable"
        assert args["--full"] == "false"
        assert args["--region"] == {"Ref": "AWS::Region"}  # the jobs' S3 filesystem needs it (pyarrow)
        for zone in ("raw", "cleansed", "tokenized"):
            assert args[f"--{zone}_uri"]["Fn::Join"][1][0] == "s3://"
    assert "--pseudonym_secret_id" in jobs["cafelake-cleanse"]["DefaultArguments"]
    assert "--pseudonym_secret_id" not in jobs["cafelake-tokenize"]["DefaultArguments"]
    assert "--pseudonym_secret_id" not in jobs["cafelake-compact"]["DefaultArguments"]


def test_security_configuration_encrypts_everything_with_the_key(synth):
    conf = synth.one("AWS::Glue::SecurityConfiguration")["Properties"]["EncryptionConfiguration"]
    key = next(iter(synth.resources("AWS::KMS::Key")))
    assert conf["S3Encryptions"][0]["S3EncryptionMode"] == "SSE-KMS"
    assert conf["CloudWatchEncryption"]["CloudWatchEncryptionMode"] == "SSE-KMS"
    assert conf["JobBookmarksEncryption"]["JobBookmarksEncryptionMode"] == "CSE-KMS"
    for part in (conf["S3Encryptions"][0], conf["CloudWatchEncryption"], conf["JobBookmarksEncryption"]):
        assert part["KmsKeyArn"] == {"Fn::GetAtt": [key, "Arn"]}


ZONE_BUCKETS = ("StorageRaw", "StorageCleansed", "StorageTokenized", "StorageArtifacts")


@pytest.mark.parametrize(
    "job, reads, writes",
    [
        ("Cleanse", "StorageRaw", "StorageCleansed"),
        ("Tokenize", "StorageCleansed", "StorageTokenized"),
        ("Compact", "StorageCleansed", "StorageTokenized"),  # it rewrites both zones' tables
    ],
)
def test_job_roles_reach_only_their_own_zones(synth, job, reads, writes):
    reached, written = set(), set()
    for st in policy_statements(synth, f"Jobs{job}Role"):
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        text = json.dumps(st["Resource"])
        buckets = {b for b in ZONE_BUCKETS if b in text}
        reached |= buckets
        if any(a.startswith(("s3:PutObject", "s3:DeleteObject")) for a in actions):
            written |= buckets
    assert written == ({reads, writes} if job == "Compact" else {writes}) | {"StorageArtifacts"}
    assert reached == {reads, writes, "StorageArtifacts"}


def _module_keys(job: dict) -> list[str]:
    """The asset object keys a job's --additional-python-modules names, in the order given."""
    return re.findall(r"[0-9a-f]{64}[^\"/,]*", json.dumps(job["DefaultArguments"]["--additional-python-modules"]))


def _bundles() -> dict:
    from infra_helpers import ROOT

    return json.loads((ROOT / "build/glue/manifest.json").read_text())["bundles"]


def test_each_module_is_one_pip_accepts_by_its_name(synth):
    """Glue hands every module of --additional-python-modules to pip under its S3 key's name, and
    pip refuses a wheel whose name is not a wheel name (`<sha256>.whl` is "not a valid wheel
    filename"). So each module is a zip of wheels (`.gluewheels.zip`) whose wheels keep their names,
    each pinned in its requirements.txt, or a wheel under its own name."""
    from packaging.utils import parse_wheel_filename

    for job in _jobs(synth).values():
        keys = _module_keys(job)
        assert keys, job["Name"]
        for key in keys:
            if key.endswith(".whl"):
                parse_wheel_filename(key)  # raises InvalidWheelFilename for a hashed name
                continue
            assert key.endswith(".gluewheels.zip"), key
            with zipfile.ZipFile(synth.asset_file(key)) as zf:
                names = zf.namelist()
                pins = zf.read("wheels/requirements.txt").decode().split()
            wheels = [n.removeprefix("wheels/") for n in names if n.endswith(".whl")]
            assert set(names) == {"wheels/requirements.txt", *(f"wheels/{w}" for w in wheels)}, key
            named = [parse_wheel_filename(w) for w in wheels]
            assert pins == [f"{name}=={version}" for name, version, _, _ in named], key


def test_each_job_installs_its_own_zip_of_wheels_without_an_index(synth):
    """One module per job: its bundle from the manifest, under a key that keeps the bundle's name,
    and pip --no-index, so a job start never reaches a package index."""
    bundles = _bundles()
    jobs = _jobs(synth)
    for job, bundle in (("cleanse", "cleanse"), ("tokenize", "tokenize"), ("compact", "cleanse")):
        args = jobs[f"cafelake-{job}"]["DefaultArguments"]
        (key,) = _module_keys(jobs[f"cafelake-{job}"])
        assert key == f"{bundles[bundle]['sha256']}-{bundle}.gluewheels.zip"  # compact: the cleanse job's wheels
        assert args["--python-modules-installer-option"] == "--no-index"
        assert hashlib.sha256(synth.asset_file(key).read_bytes()).hexdigest() == bundles[bundle]["sha256"]
    cleanse = set(bundles["cleanse"]["wheels"])
    assert any(w.startswith("cafelake-") for w in cleanse) and any(w.startswith("numpy-") for w in cleanse)
    assert not any(w.startswith(("kiwipiepy_model-", "scikit_learn-")) for w in cleanse)


def test_job_roles_read_only_their_own_modules_and_script(synth):
    """Of the CDK assets bucket, each role may GetObject exactly its script and its zip of wheels."""
    jobs = _jobs(synth)
    for job in ("cleanse", "tokenize", "compact"):
        statements = policy_statements(synth, f"Jobs{job.capitalize()}Role")
        (read,) = [st for st in statements if st["Action"] == "s3:GetObject"]
        granted = re.findall(r"[0-9a-f]{64}[^\"/,]*", json.dumps(read["Resource"]))
        script = jobs[f"cafelake-{job}"]["Command"]["ScriptLocation"]["Fn::Sub"].rsplit("/", 1)[1]
        assert sorted(granted) == sorted([script, *_module_keys(jobs[f"cafelake-{job}"])]), job


def test_a_job_the_manifest_gives_no_bundle_is_refused(synth, tmp_path):
    """Rather than a job that would start without its imports."""
    import aws_cdk as cdk
    from aws_cdk import aws_secretsmanager as secretsmanager

    from cafelake_infra.assets import Bundle, GlueArtifacts, MissingBuildInput
    from cafelake_infra.jobs import Jobs
    from cafelake_infra.storage import Storage

    zipped = tmp_path / "tokenize.gluewheels.zip"
    zipped.write_bytes(b"zip")
    stack = cdk.Stack(cdk.App(), "JobsProbe")
    artifacts = GlueArtifacts({"tokenize": Bundle(zipped, hashlib.sha256(b"zip").hexdigest())})
    with pytest.raises(MissingBuildInput, match="no zip of wheels for the cleanse job"):
        Jobs(
            stack,
            "Jobs",
            settings=synth.stack.settings,
            storage=Storage(stack, "Storage", retain=False),
            artifacts=artifacts,
            pseudonym_key=secretsmanager.Secret(stack, "Key"),
        )
