"""Glue 5.0 jobs: logging, metrics, no bookmarks, encrypted, each role reaching only its zones."""

from __future__ import annotations

import json

import pytest
from infra_helpers import policy_statements


def _jobs(synth):
    return {j["Properties"]["Name"]: j["Properties"] for j in synth.resources("AWS::Glue::Job").values()}


def test_two_glue5_spark_jobs_with_small_workers(synth):
    jobs = _jobs(synth)
    assert set(jobs) == {"cafelake-cleanse", "cafelake-tokenize"}
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


def test_security_configuration_encrypts_everything_with_the_key(synth):
    conf = synth.one("AWS::Glue::SecurityConfiguration")["Properties"]["EncryptionConfiguration"]
    key = next(iter(synth.resources("AWS::KMS::Key")))
    assert conf["S3Encryptions"][0]["S3EncryptionMode"] == "SSE-KMS"
    assert conf["CloudWatchEncryption"]["CloudWatchEncryptionMode"] == "SSE-KMS"
    assert conf["JobBookmarksEncryption"]["JobBookmarksEncryptionMode"] == "CSE-KMS"
    for part in (conf["S3Encryptions"][0], conf["CloudWatchEncryption"], conf["JobBookmarksEncryption"]):
        assert part["KmsKeyArn"] == {"Fn::GetAtt": [key, "Arn"]}


ZONE_BUCKETS = ("StorageRaw", "StorageCleansed", "StorageTokenized", "StorageArtifacts")


@pytest.mark.parametrize("job, reads, writes", [
    ("Cleanse", "StorageRaw", "StorageCleansed"),
    ("Tokenize", "StorageCleansed", "StorageTokenized"),
])
def test_job_roles_reach_only_their_own_zones(synth, job, reads, writes):
    reached, written = set(), set()
    for st in policy_statements(synth, f"Jobs{job}Role"):
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        text = json.dumps(st["Resource"])
        buckets = {b for b in ZONE_BUCKETS if b in text}
        reached |= buckets
        if any(a.startswith(("s3:PutObject", "s3:DeleteObject")) for a in actions):
            written |= buckets
    assert written == {writes, "StorageArtifacts"}
    assert reached == {reads, writes, "StorageArtifacts"}


def _installed_keys(job: dict, key_of: dict[str, str]) -> list[str]:
    """The asset object keys in a job's --additional-python-modules, in the order given."""
    text = json.dumps(job["DefaultArguments"]["--additional-python-modules"])
    assert text.count(".whl") == len([k for k in key_of.values() if k in text])
    return sorted((k for k in key_of.values() if k in text), key=text.index)


def test_each_job_installs_exactly_its_manifest_wheels_in_order_without_an_index(synth, needs_glue_wheels):
    """Cleanse and tokenize each get the wheels the manifest assigns them, in its dependency order,
    and pip --no-index, so a job start never reaches a package index."""
    from infra_helpers import ROOT

    entries = json.loads((ROOT / "build/glue/manifest.json").read_text())["artifacts"]
    key_of = {path.name: synth.stack.resolve(asset.s3_object_key) for path, asset in synth.stack.jobs.wheels.items()}
    assert set(key_of) == {e["file"] for e in entries}
    jobs = _jobs(synth)
    for job in ("cleanse", "tokenize"):
        args = jobs[f"cafelake-{job}"]["DefaultArguments"]
        expected = [key_of[e["file"]] for e in entries if job in e["jobs"]]
        assert expected and _installed_keys(jobs[f"cafelake-{job}"], key_of) == expected, job
        assert args["--python-modules-installer-option"] == "--no-index"
    cleanse = {e["role"] for e in entries if "cleanse" in e["jobs"]}
    assert {"cafelake", "numpy"} <= cleanse and not cleanse & {"kiwipiepy-model", "scikit-learn"}


def test_job_roles_read_only_their_own_wheels(synth, needs_glue_wheels):
    """Of the wheel assets, each role may GetObject exactly those its job installs."""
    assets = synth.stack.jobs.wheels
    for job in ("cleanse", "tokenize"):
        args = _jobs(synth)[f"cafelake-{job}"]["DefaultArguments"]
        installed = json.dumps(args["--additional-python-modules"])
        statements = policy_statements(synth, f"Jobs{job.capitalize()}Role")
        (read,) = [st for st in statements if st["Action"] == "s3:GetObject"]
        granted = json.dumps(read["Resource"])
        for asset in assets.values():
            key = synth.stack.resolve(asset.s3_object_key)
            assert (key in granted) == (key in installed), (job, key)


def test_a_job_the_manifest_gives_no_wheels_is_refused(synth, tmp_path):
    """Rather than a job that would start without its imports."""
    import aws_cdk as cdk
    from aws_cdk import aws_secretsmanager as secretsmanager
    from cafelake_infra.assets import GlueArtifacts, MissingBuildInput
    from cafelake_infra.jobs import Jobs
    from cafelake_infra.storage import Storage

    wheel = tmp_path / "numpy-1-py3-none-any.whl"
    wheel.write_bytes(b"wheel")
    stack = cdk.Stack(cdk.App(), "JobsProbe")
    artifacts = GlueArtifacts(wheels=(("numpy", wheel),), jobs={"tokenize": frozenset({"numpy"})})
    with pytest.raises(MissingBuildInput, match="no wheels to the cleanse job"):
        Jobs(stack, "Jobs", settings=synth.stack.settings, storage=Storage(stack, "Storage", retain=False),
             artifacts=artifacts, pseudonym_key=secretsmanager.Secret(stack, "Key"))
