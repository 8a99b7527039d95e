"""The object stores keep one contract, local folder and S3 (moto) alike; the lake applies the hidden-key rule."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from cafelake.layout import is_hidden
from cafelake.store import LocalStore, ObjectStore, S3Store, open_stores


@pytest.fixture(params=["folder", "s3"])
def store(request, tmp_path) -> tuple[ObjectStore, str]:
    """A store and a root URI in it."""
    if request.param == "folder":
        yield LocalStore(), str(tmp_path / "root")
        return
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="store-test")
        yield S3Store(region="us-east-1"), "s3://store-test/root"


def test_objects_are_written_whole_read_back_listed_and_deleted(store):
    s, root = store
    s.put(f"{root}/a/x.json", b"1")
    s.put(f"{root}/a/_state/y.json", b"2")
    s.put(f"{root}/b.json", b"3")
    assert s.get(f"{root}/a/x.json") == b"1" and s.exists(f"{root}/b.json") and not s.exists(f"{root}/c.json")
    assert s.list(root) == ["a/_state/y.json", "a/x.json", "b.json"]  # hidden keys too: the rule is the lake's
    assert s.list(f"{root}/a") == ["_state/y.json", "x.json"] and s.list(f"{root}/none") == []
    s.delete(f"{root}/a")
    assert s.list(root) == ["b.json"]
    s.delete(f"{root}/b.json")
    s.delete(f"{root}/b.json")  # nothing there is not an error
    assert s.list(root) == []
    with pytest.raises(FileNotFoundError):
        s.get(f"{root}/b.json")
    with pytest.raises(FileNotFoundError):
        s.get_with_etag(f"{root}/b.json")


def test_put_if_creates_once_and_replaces_only_the_version_read(store):
    s, root = store
    key = f"{root}/_lease/board.json"
    first = s.put_if(key, b"a", None)
    assert first is not None and s.put_if(key, b"b", None) is None  # exists: no second create
    data, etag = s.get_with_etag(key)
    assert (data, etag) == (b"a", first)
    second = s.put_if(key, b"c", etag)
    assert second is not None and second != first
    assert s.put_if(key, b"d", etag) is None  # someone wrote since that read
    assert s.get(key) == b"c"
    s.delete(key)
    assert s.put_if(key, b"e", second) is None  # gone: nothing to replace


def test_uris_of_one_kind_share_one_store():
    stores = open_stores(["/a", "/b", "s3://x", "s3://y/z"])
    assert stores["/a"] is stores["/b"] and isinstance(stores["/a"], LocalStore)
    assert stores["s3://x"] is stores["s3://y/z"] and isinstance(stores["s3://x"], S3Store)


@pytest.mark.parametrize(
    "key, hidden",
    [
        ("naver_cafe/club_id=1/a.jsonl.gz", False),
        ("_state/s.json", True),
        ("posts/dt=2024-01-01/.tmp-1", True),
        ("posts/_quarantine/x", True),
        ("posts/dt=2024-01-01/part-1.parquet", False),
    ],
)
def test_the_hidden_key_rule(key, hidden):
    assert is_hidden(key) is hidden


def test_a_write_the_machine_refuses_is_a_lake_error_naming_the_place(tmp_path):
    from cafelake.errors import LakeError
    from cafelake.lake import Lake
    from cafelake.schemas import KEYWORD_GROUPS_DIM

    (tmp_path / "a-file").write_text("")
    root = tmp_path / "a-file" / "lake"  # a file where a folder must be: refused even to root
    with pytest.raises(
        LakeError, match=rf"cannot write to the lake at {root}.*: Not a directory; choose a lake folder"
    ):
        LocalStore().put(f"{root}/raw/x.json", b"1")
    with pytest.raises(LakeError, match=r"cannot write to the lake at .*Not a directory"):
        LocalStore().put_if(f"{root}/raw/lease.json", b"1", None)
    with pytest.raises(LakeError, match=rf"cannot write to the lake at .*{root}"):
        Lake(str(root)).write_table(KEYWORD_GROUPS_DIM, KEYWORD_GROUPS_DIM.empty())
