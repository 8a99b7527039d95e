"""Assets published as cdk-assets publishes them: where the manifest says, directories zipped its way."""

from __future__ import annotations

import io
import json
import os
import zipfile

import boto3
import pytest
from moto import mock_aws

from cafelake_rehearsal.assembly import Assembly
from cafelake_rehearsal.assets import NotBootstrapped, publish, zip_directory

BUCKET = "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"


@pytest.fixture
def assembly(tmp_path):
    (tmp_path / "asset.abc.whl").write_bytes(b"wheel")
    bundle = tmp_path / "asset.def"
    (bundle / "pkg").mkdir(parents=True)
    (bundle / "handler.py").write_text("def handler(e, c):\n    return e\n")
    (bundle / "pkg" / "__init__.py").write_text("")
    (bundle / ".hidden").write_text("dotfiles too")
    os.chmod(bundle / "handler.py", 0o755)
    manifest = {
        "version": "48.0.0",
        "files": {
            "abc": {
                "source": {"path": "asset.abc.whl", "packaging": "file"},
                "destinations": {"d": {"bucketName": BUCKET, "objectKey": "abc-x.whl"}},
            },
            "def": {
                "source": {"path": "asset.def", "packaging": "zip"},
                "destinations": {"d": {"bucketName": BUCKET, "objectKey": "def.zip"}},
            },
        },
    }
    (tmp_path / "CafeLake.assets.json").write_text(json.dumps(manifest))
    return Assembly(tmp_path)


def test_a_directory_is_zipped_as_cdk_assets_zips_it(assembly):
    data = zip_directory(assembly.outdir / "asset.def")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == [".hidden", "handler.py", "pkg/__init__.py"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert (infos[1].external_attr >> 16) & 0o777 == 0o755
    assert zip_directory(assembly.outdir / "asset.def") == data  # same bytes for the same folder


@mock_aws
def test_every_asset_lands_at_its_bucket_and_key(assembly):
    s3 = boto3.client("s3", region_name="ap-northeast-2")
    bucket = "cdk-hnb659fds-assets-123456789012-ap-northeast-2"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
    done = publish(assembly, s3, account="123456789012", region="ap-northeast-2")
    assert {(p.bucket, p.key, p.packaging) for p in done} == {(bucket, "abc-x.whl", "file"), (bucket, "def.zip", "zip")}
    assert s3.get_object(Bucket=bucket, Key="abc-x.whl")["Body"].read() == b"wheel"
    body = s3.get_object(Bucket=bucket, Key="def.zip")["Body"].read()
    assert zipfile.ZipFile(io.BytesIO(body)).read("handler.py").startswith(b"def handler")


@mock_aws
def test_an_account_never_bootstrapped_is_named(assembly):
    s3 = boto3.client("s3", region_name="ap-northeast-2")
    with pytest.raises(NotBootstrapped, match="is account 123456789012 bootstrapped in ap-northeast-2"):
        publish(assembly, s3, account="123456789012", region="ap-northeast-2")
