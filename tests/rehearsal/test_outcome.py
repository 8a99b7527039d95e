"""What a run left in the buckets: the snapshot a second run is compared with, and what counts as new."""

from __future__ import annotations

import boto3
from moto import mock_aws

from cafelake.lake import Lake
from cafelake_rehearsal.outcome import snapshot
from cafelake_rehearsal.scenarios import SecondRun

REGION = "ap-northeast-2"


@mock_aws
def test_a_snapshot_leaves_out_exactly_the_objects_named_as_rewritten():
    s3 = boto3.client("s3", region_name=REGION)
    for zone in ("raw", "cleansed", "tokenized"):
        s3.create_bucket(Bucket=f"z-{zone}", CreateBucketConfiguration={"LocationConstraint": REGION})
    for key in (
        "_state/naver_cafe/club_id=1/menu_id=2/state.json",
        "_state/naver_cafe/club_id=1/menu_id=2/lease.json",
        "_state/naver_cafe/club_id=9/menu_id=9/state.json",
        "_runs/scrape/r1.json",
        "a/b.jsonl.gz",
    ):
        s3.put_object(Bucket="z-raw", Key=key, Body=b"x")
    s3.put_object(Bucket="z-tokenized", Key="_state/tokenize/manifest.json", Body=b"{}")
    lake = Lake(root="s3://z-tokenized", zone_roots={z: f"s3://z-{z}" for z in ("raw", "cleansed", "tokenized")})
    got = snapshot(
        s3,
        lake,
        [
            ("raw", "_state/naver_cafe/club_id=1/menu_id=2/state.json"),
            ("raw", "_state/naver_cafe/club_id=1/menu_id=2/lease.json"),
        ],
    )
    assert sorted(got) == [
        "z-raw/_runs/scrape/r1.json",
        "z-raw/_state/naver_cafe/club_id=9/menu_id=9/state.json",
        "z-raw/a/b.jsonl.gz",
        "z-tokenized/_state/tokenize/manifest.json",
    ]


def test_a_second_run_may_add_its_run_records_and_nothing_else():
    before = {"raw/a.gz": "1", "tok/_state/tokenize/manifest.json": "2"}
    after = {
        **before,
        "tok/_state/tokenize/manifest.json": "3",
        "raw/_runs/scrape/r2.json": "4",
        "tok/zone/_runs/tokenize/r2.json": "5",
        "tok/posts_dim/dt=2026-12-07/part-1.parquet": "6",
    }
    run = SecondRun(execution=None, before=before, after=after)
    assert run.changed == ["tok/_state/tokenize/manifest.json"]
    assert run.added() == ["scrape", "tok/posts_dim/dt=2026-12-07/part-1.parquet", "tokenize"]
