"""S3's region check on the moto server: a client signing for another region than the bucket's fails as in AWS."""

from __future__ import annotations

import logging
import socket
import urllib.error
import urllib.request

import boto3
import pyarrow.fs as pafs
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto import mock_aws
from moto.server import ThreadedMotoServer

from cafelake_rehearsal.s3_region import install, path_bucket, signed_region

BUCKET = "rehearsal-seoul"
SEOUL = "ap-northeast-2"
KEYS = {"aws_access_key_id": "rehearsal", "aws_secret_access_key": "rehearsal"}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    with mock_aws():
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=_port(), verbose=False)
        moto.start()
        check = install(moto, "123456789012")
        host, port = moto.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        s3 = boto3.client("s3", region_name=SEOUL, endpoint_url=endpoint, **KEYS)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": SEOUL})
        s3.put_object(Bucket=BUCKET, Key="zone/a.txt", Body=b"a")
        try:
            yield endpoint, check
        finally:
            moto.stop()


def _pyarrow(endpoint: str, region: str) -> pafs.S3FileSystem:
    return pafs.S3FileSystem(
        region=region,
        endpoint_override=endpoint.removeprefix("http://"),
        scheme="http",
        access_key="rehearsal",
        secret_key="rehearsal",
    )


def test_a_client_signing_for_the_buckets_region_is_served(server):
    endpoint, check = server
    with _pyarrow(endpoint, SEOUL).open_input_stream(f"{BUCKET}/zone/a.txt") as f:
        assert f.read() == b"a"
    assert check.refused == []


def test_pyarrow_falling_back_to_us_east_1_fails_as_it_would_in_aws(server):
    endpoint, check = server
    with pytest.raises(OSError):
        _pyarrow(endpoint, "us-east-1").open_input_stream(f"{BUCKET}/zone/a.txt").read()
    assert (BUCKET, "us-east-1", SEOUL) in check.refused


def _signed_get(url: str, region: str, method: str = "GET") -> tuple[int, dict, bytes]:
    request = AWSRequest(method=method, url=url)
    SigV4Auth(Credentials("rehearsal", "rehearsal"), "s3", region).add_auth(request)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method, headers=dict(request.headers))) as got:
            return got.status, dict(got.headers), got.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_the_refusal_is_s3s(server):
    endpoint, _ = server
    status, headers, body = _signed_get(f"{endpoint}/{BUCKET}/zone/a.txt", "us-east-1")
    assert status == 400 and headers["x-amz-bucket-region"] == SEOUL
    assert b"<Code>AuthorizationHeaderMalformed</Code>" in body and f"<Region>{SEOUL}</Region>".encode() in body
    assert b"the region 'us-east-1' is wrong; expecting 'ap-northeast-2'" in body
    status, headers, body = _signed_get(f"{endpoint}/{BUCKET}/zone/a.txt", "us-east-1", method="HEAD")
    assert (status, headers["x-amz-bucket-region"], body) == (400, SEOUL, b"")
    assert _signed_get(f"{endpoint}/{BUCKET}/zone/a.txt", SEOUL)[::2] == (200, b"a")


def test_what_a_request_names():
    auth = "AWS4-HMAC-SHA256 Credential=AKID/20261207/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=00"
    assert signed_region({"HTTP_AUTHORIZATION": auth}) == "eu-west-1"
    other = auth.replace("/s3/", "/states/")
    assert signed_region({"HTTP_AUTHORIZATION": other}) is None  # only S3 requests are checked
    assert path_bucket({"PATH_INFO": "/b/k/x.parquet"}) == "b" and path_bucket({"PATH_INFO": "/"}) is None
