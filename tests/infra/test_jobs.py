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
        assert job["SecurityConfiguration"] == "cafelake"
        assert job["JobRunQueuingEnabled"] is True
        args = job["DefaultArguments"]
        assert args["--enable-continuous-cloudwatch-log"] == "true"
        assert args["--enable-metrics"] == "true"
        assert args["--job-bookmark-option"] == "job-bookmark-disable"
        assert args["--full"] == "false"
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


def test_jobs_install_their_wheels_in_manifest_order(synth, needs_glue_wheels):
    """Cleanse installs only the cafelake wheel; tokenize every wheel, in the manifest's order."""
    from infra_helpers import ROOT

    entries = json.loads((ROOT / "build/glue/manifest.json").read_text())["artifacts"]
    key_of = {path.name: synth.stack.resolve(asset.s3_object_key) for path, asset in synth.stack.jobs.wheels.items()}
    jobs = _jobs(synth)
    for job, roles in (("cafelake-cleanse", {"cafelake"}), ("cafelake-tokenize", {e["role"] for e in entries})):
        text = json.dumps(jobs[job]["DefaultArguments"]["--additional-python-modules"])
        expected = [key_of[e["file"]] for e in entries if e["role"] in roles]
        installed = sorted((k for k in key_of.values() if k in text), key=text.index)
        assert installed == expected, job
