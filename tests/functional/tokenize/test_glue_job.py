"""The Glue job adapter: argument parsing, and a run against S3 (moto) with the python engine."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from cafelake.lake import Lake

JOB = Path(__file__).resolve().parents[3] / "glue_jobs" / "tokenize.py"


@pytest.fixture(scope="module")
def job():
    spec = importlib.util.spec_from_file_location("glue_tokenize", JOB)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # importable without awsglue
    return module


def test_parses_glue_style_arguments(job):
    args = job.parse_args(
        [
            "--JOB_ID",
            "j_1",
            "--cleansed_uri",
            "s3://c/",
            "--tokenized_uri",
            "s3://t",
            "--full",
            "true",
            "--engine",
            "spark",
            "--TempDir",
            "s3://tmp/",
        ]
    )
    assert (args.cleansed_uri, args.tokenized_uri, args.full, args.engine) == ("s3://c", "s3://t", True, "spark")
    defaults = job.parse_args(["--cleansed_uri", "s3://c", "--tokenized_uri", "s3://t"])
    assert (defaults.full, defaults.engine) == (False, "python")
    assert job.parse_args(["--cleansed_uri", "a", "--tokenized_uri", "b", "--full", "false"]).full is False


@pytest.mark.parametrize(
    "argv",
    [
        ["--tokenized_uri", "s3://t"],
        ["--cleansed_uri", "a", "--tokenized_uri", "b", "--engine", "dask"],
        ["--cleansed_uri", "a", "--tokenized_uri", "b", "--full", "maybe"],
    ],
)
def test_rejects_bad_arguments(job, argv):
    with pytest.raises(SystemExit):
        job.parse_args(argv)


@dataclass
class _Summary:
    posts_in: int = 0


def _lake_regions(job, monkeypatch, argv, env) -> dict[str, str]:
    """The region of each zone's S3 filesystem when the job runs with `argv` under `env`."""
    import cafelake.pipeline

    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "CAFELAKE_S3_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    lakes = []
    monkeypatch.setattr(
        cafelake.pipeline.Pipeline, "tokenize", lambda stages, **kw: lakes.append(stages.lake) or _Summary()
    )
    job.main(["--cleansed_uri", "s3://cleansed-bkt", "--tokenized_uri", "s3://tokenized-bkt", *argv])
    (lake,) = lakes
    return {zone: lake.filesystem(zone, "posts")[0].region for zone in ("cleansed", "tokenized")}


@pytest.mark.parametrize("variable", ["AWS_REGION", "AWS_DEFAULT_REGION"])
def test_reads_and_writes_s3_in_the_jobs_region(job, monkeypatch, variable):
    """pyarrow's S3 filesystem does not follow S3's region redirect: it must be given Glue's region."""
    assert _lake_regions(job, monkeypatch, [], {variable: "ap-northeast-2"}) == {
        "cleansed": "ap-northeast-2",
        "tokenized": "ap-northeast-2",
    }


def test_the_region_argument_comes_before_the_environment(job, monkeypatch):
    """The stack passes --region: with no region in the environment the job still reaches its buckets
    in their region, and the argument wins over a different environment."""
    for env in ({}, {"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "eu-west-1"}):
        assert _lake_regions(job, monkeypatch, ["--region", "ap-northeast-2"], env) == {
            "cleansed": "ap-northeast-2",
            "tokenized": "ap-northeast-2",
        }, env


def test_runs_on_s3(job, moto_server, monkeypatch, make_posts, sample_rows, kiwi_analyzer):
    s3 = boto3.client("s3", endpoint_url=moto_server)
    for bucket in ("cleansed-bkt", "tokenized-bkt"):
        s3.create_bucket(Bucket=bucket)
    monkeypatch.setenv("CAFELAKE_S3_ENDPOINT", moto_server)
    zones = {"cleansed": "s3://cleansed-bkt", "tokenized": "s3://tokenized-bkt"}
    Lake("s3://tokenized-bkt", zone_roots=dict(zones), endpoint_url=moto_server).write_table(
        "posts", make_posts(sample_rows)
    )

    result = job.main(["--cleansed_uri", zones["cleansed"], "--tokenized_uri", zones["tokenized"]])

    lake = Lake("s3://tokenized-bkt", zone_roots=dict(zones), endpoint_url=moto_server)
    assert result["posts_in"] == lake.read_table("posts_dim").num_rows == len(sample_rows)
    assert result["tokens"] == lake.read_table("tokens_fact").num_rows > 0
    assert lake.read_table("token_tfidf").num_rows == result["tfidf_rows"] > 0
    again = job.main(["--cleansed_uri", zones["cleansed"], "--tokenized_uri", zones["tokenized"]])
    assert again["partitions_changed"] == 0
