"""The Glue job adapter: argument parsing without awsglue, and a run against moto (S3 + Secrets Manager)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import boto3
import pytest

from cafelake.cleanse.authors import pseudonym
from cafelake.lake import Lake

JOB = Path(__file__).resolve().parents[3] / "glue_jobs" / "cleanse.py"


@pytest.fixture(scope="module")
def job():
    spec = importlib.util.spec_from_file_location("glue_cleanse_job", JOB)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_parse_args_defaults_and_options(job):
    base = ["cleanse.py", "--JOB_NAME", "cleanse", "--raw_uri", "s3://raw", "--cleansed_uri", "s3://cl"]
    args = job.parse_args(base)
    assert (args.raw_uri, args.cleansed_uri, args.ingest_dts, args.full, args.pseudonym_secret_id) == (
        "s3://raw",
        "s3://cl",
        None,
        False,
        None,
    )
    args = job.parse_args([*base, "--ingest_dts", "2026-11-20, 2026-11-21", "--pseudonym_secret_id", "pk"])
    assert args.ingest_dts == ["2026-11-20", "2026-11-21"] and args.pseudonym_secret_id == "pk"
    assert job.parse_args([*base, "--full", "true"]).full is True
    with pytest.raises(ValueError, match="--full"):
        job.parse_args([*base, "--full", "yes"])
    with pytest.raises(ValueError, match="ingest_dts"):
        job.parse_args([*base, "--full", "true", "--ingest_dts", "2026-11-20"])
    with pytest.raises(SystemExit):
        job.parse_args(["cleanse.py", "--raw_uri", "s3://raw"])  # --cleansed_uri is required


def test_job_cleanses_s3_with_the_secret_key(job, moto_server, monkeypatch, make_envelope, write_raw):
    monkeypatch.setenv("CAFELAKE_S3_ENDPOINT", moto_server)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)  # boto3's own override, for Secrets Manager
    monkeypatch.delenv("CAFELAKE_PSEUDONYM_KEY", raising=False)
    s3 = boto3.client("s3", endpoint_url=moto_server)
    for bucket in ("glue-raw", "glue-cleansed"):
        s3.create_bucket(Bucket=bucket)
    boto3.client("secretsmanager", endpoint_url=moto_server).create_secret(
        Name="cafelake/pseudonym", SecretString=json.dumps({"key": "cloud-key"})
    )
    lake = Lake(
        "s3://glue-cleansed",
        zone_roots={"raw": "s3://glue-raw", "cleansed": "s3://glue-cleansed"},
        endpoint_url=moto_server,
    )
    write_raw(lake, [make_envelope(i, member=f"m{i % 3}") for i in range(1, 11)] + ["{bad"])
    argv = [
        "cleanse.py",
        "--JOB_NAME",
        "cleanse",
        "--raw_uri",
        "s3://glue-raw",
        "--cleansed_uri",
        "s3://glue-cleansed",
        "--tokenized_uri",
        "s3://unused",
        "--pseudonym_secret_id",
        "cafelake/pseudonym",
        "--metrics_namespace",
        "cafelake-test",
    ]

    summary = job.main(argv)
    assert (summary["records_in"], summary["cleansed"], summary["quarantined"]) == (11, 10, 1)
    posts = lake.read_table("posts").to_pylist()
    assert {r["article_id"]: r["author_key"] for r in posts}[4] == pseudonym("m:m1", b"cloud-key")
    assert lake.read_table("_quarantine").column("reason").to_pylist() == ["bad_json"]
    published = boto3.client("cloudwatch", endpoint_url=moto_server).list_metrics(
        Namespace="cafelake-test", MetricName="RecordsQuarantined"
    )["Metrics"]
    assert published and published[0]["Dimensions"] == [{"Name": "stage", "Value": "cleanse"}]
    assert job.main([*argv, "--full", "false"])["objects"] == 0  # by default only raw objects not cleansed yet
    assert job.main([*argv, "--full", "true"])["cleansed"] == 10
    assert lake.read_table("posts").num_rows == 10
    assert summary["config"] == {"keep_jamo": True, "max_text_chars": 50_000}  # the wheel's cleanse.yaml


def test_job_reads_cleanse_yaml_from_the_config_dir(job, tmp_path, monkeypatch, make_envelope, write_raw):
    monkeypatch.setenv("CAFELAKE_PSEUDONYM_KEY", "the-configured-key")  # a job without a secret id
    lake = Lake(str(tmp_path / "lake"))
    write_raw(lake, [make_envelope(1, subject="기침 ㅠㅠ", html="<p>밤에 심해요 ㅋㅋ</p>")])
    argv = ["cleanse.py", "--raw_uri", lake.uri("raw"), "--cleansed_uri", lake.uri("cleansed")]
    assert job.main(argv)["config"]["keep_jamo"] is True
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "cleanse.yaml").write_text("keep_jamo: false\n")
    monkeypatch.setenv("CAFELAKE_CONFIG_DIR", str(tmp_path / "cfg"))
    summary = job.main(argv)  # nothing new, but the rules changed: a full rebuild
    assert summary["full"] and summary["objects"] == 1 and summary["config"]["keep_jamo"] is False
    assert lake.read_table("posts").column("question_text").to_pylist() == ["기침\n밤에 심해요"]


@pytest.mark.parametrize(
    "argv, env, expected",
    [
        (["--region", "ap-northeast-2"], {}, "ap-northeast-2"),  # what the stack passes
        (
            ["--region", "ap-northeast-2"],
            {"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "eu-west-1"},
            "ap-northeast-2",
        ),  # the argument first
        ([], {"AWS_DEFAULT_REGION": "eu-west-1"}, "eu-west-1"),  # then the environment
    ],
)
def test_job_reaches_s3_in_the_region_it_is_given(job, monkeypatch, argv, env, expected):
    """pyarrow's S3 filesystem does not follow S3's region redirect: without the job's region it would
    talk to us-east-1."""
    import cafelake.cleanse
    import cafelake.pipeline

    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "CAFELAKE_S3_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    lakes = []
    monkeypatch.setattr(
        cafelake.pipeline.Pipeline,
        "cleanse",
        lambda stages, **kw: lakes.append(stages.lake) or cafelake.cleanse.CleanseSummary("run", full=False),
    )
    job.main(["cleanse.py", "--raw_uri", "s3://raw-bkt", "--cleansed_uri", "s3://cleansed-bkt", *argv])
    (lake,) = lakes
    for zone in ("raw", "cleansed"):
        assert lake.filesystem(zone, "posts")[0].region == expected, zone
