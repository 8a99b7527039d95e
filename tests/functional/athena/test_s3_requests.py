"""An s3:// lake costs a fixed number of listings, whatever its partitions: counted on a moto server.

Round trips are what make an S3 lake slow (a listing per partition folder, a HEAD before each
footer, a multipart upload and folder markers per small file); their counts are deterministic.
"""

from __future__ import annotations

import boto3
import pytest

from benchmarks._s3_server import CountingS3
from cafelake.athena.local import LocalAthena
from cafelake.lake import Lake


@pytest.fixture(scope="module")
def s3():
    with CountingS3() as server:
        yield server


def _lake(s3: CountingS3, bucket: str) -> Lake:
    boto3.client("s3", endpoint_url=s3.url, region_name="us-east-1").create_bucket(Bucket=bucket)
    return Lake(f"s3://{bucket}/lake", endpoint_url=s3.url, region="us-east-1")


def test_a_query_lists_each_table_once_whatever_its_partitions(s3, mart_builder):
    """A query, and a check of every footer, on 5 and on 25 daily partitions: the same LIST requests, no HEAD."""
    counted, files = {}, {}
    for days in (5, 25):
        lake = _lake(s3, f"requests-{days}")
        tables = mart_builder(lake, posts=4 * days, days=days)
        s3.reset()
        with LocalAthena(lake) as engine:
            daily = engine.view("v_daily_posts")
        query = s3.reset()
        assert daily["posts"].sum() == 4 * days
        assert lake.unreadable_files("tokens_fact") == {}
        counted[days] = query, s3.reset()
        files[days] = len(lake.table_files("tokens_fact"))
        assert files[days] == len(set(tables["tokens_fact"]["dt"].to_pylist()))
    (query_5, footers_5), (query_25, footers_25) = counted[5], counted[25]
    assert query_5["LIST"] == query_25["LIST"] and footers_5["LIST"] == footers_25["LIST"] == 1
    assert query_25["HEAD"] == footers_25["HEAD"] == 0  # the listing gave every file's size
    assert footers_25["GET"] == files[25]  # one ranged GET per footer


def test_writing_a_partition_is_one_put(s3, mart_builder):
    """A partitioned write on S3: a PutObject per partition, no multipart upload, no folders made.

    pyarrow writes a folder marker back when it deletes a folder's last file (the partition's previous
    file): at most one more PUT per partition, and a HEAD before it.
    """
    lake = _lake(s3, "requests-write")
    posts_dim = mart_builder(lake, posts=40, days=8)["posts_dim"]
    partitions = len(set(posts_dim["dt"].to_pylist()))
    s3.reset()
    lake.write_table("posts_dim", posts_dim)
    counts = s3.counts()
    assert counts["OTHER"] == 0 and counts["PUT"] <= 2 * partitions and counts["HEAD"] <= partitions
    assert counts["DELETE"] == partitions  # each partition's previous file
    assert lake.read_table("posts_dim").num_rows == posts_dim.num_rows
