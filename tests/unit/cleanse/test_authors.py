"""Pseudonyms: keyed, stable, member key first, no key material guessed."""

from __future__ import annotations

import hashlib
import hmac
import json

import boto3
import pyarrow as pa
import pytest
from moto import mock_aws

from cafelake.cleanse.authors import KEY_FILE, author_keys, create_key, local_key, pseudonym, secret_key
from cafelake.environment import Environment
from cafelake.errors import ConfigError
from cafelake.lake import Lake


def test_member_key_first_then_nickname_then_null():
    got = author_keys(pa.array(["mk1", None, "", "mk1", None]), pa.array(["a", "b", "b", "z", None]), b"k")
    assert got.to_pylist() == [
        pseudonym("m:mk1", b"k"),
        pseudonym("n:b", b"k"),
        pseudonym("n:b", b"k"),
        pseudonym("m:mk1", b"k"),
        None,
    ]
    assert all(len(v) == 16 for v in got.to_pylist()[:4])


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"y" * 65, "비밀".encode()])
def test_pseudonym_is_hmac_sha256(key):
    for identity in ("m:mk1", "n:닉네임", ""):
        assert pseudonym(identity, key) == hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()[:16]


def test_the_key_matters():
    ids = pa.array(["mk1"])
    assert author_keys(ids, pa.array([None], pa.string()), b"one") != author_keys(
        ids, pa.array([None], pa.string()), b"two"
    )


def test_only_create_key_makes_the_key_file_and_it_is_never_replaced(tmp_path):
    lake = Lake(str(tmp_path))
    with pytest.raises(ConfigError, match=r"no pseudonym key for lake .*`cafelake init --lake"):
        local_key(lake)
    assert not (tmp_path / KEY_FILE).exists()  # reading a key never makes one
    path, made = create_key(lake)
    first = local_key(lake)
    assert made and path == tmp_path / KEY_FILE and len(first) == 64
    assert create_key(Lake(str(tmp_path))) == (path, False) and local_key(Lake(str(tmp_path))) == first
    create_key(Lake(str(tmp_path / "other")))
    assert local_key(Lake(str(tmp_path / "other"))) != first


def test_env_key_wins_and_s3_lake_needs_one(tmp_path):
    configured = Environment.read({"CAFELAKE_PSEUDONYM_KEY": " from-env\n"}).pseudonym_key
    assert local_key(Lake(str(tmp_path)), configured) == b"from-env" and not (tmp_path / KEY_FILE).exists()
    with pytest.raises(ConfigError, match="CAFELAKE_PSEUDONYM_KEY"):
        local_key(Lake("s3://bucket/lake"), Environment.read({}).pseudonym_key)


@mock_aws
def test_secret_plain_or_json():
    sm = boto3.client("secretsmanager", region_name="us-east-1")
    sm.create_secret(Name="plain", SecretString="s3cr3t")
    sm.create_secret(Name="json", SecretString=json.dumps({"key": "s3cr3t"}))
    sm.create_secret(Name="other-json", SecretString=json.dumps({"password": "x"}))
    assert secret_key("plain", sm) == secret_key("json", sm) == b"s3cr3t"
    with pytest.raises(ValueError, match="'key'"):
        secret_key("other-json", sm)
