"""A lake cleansed before post ids named their source is rebuilt by the next runs, with no flag to remember.

The old lake is planted as those runs left it: the same raw zone, every post id `<club_id>-<article_id>`
in the cleansed zone and the mart, a cleanse manifest without a contract, a tokenize manifest that
matches the cleansed files (so nothing but the contract says the rows are stale).
"""

from __future__ import annotations

import json
import re

import pyarrow.compute as pc
import pytest

from cafelake.cleanse.job import CONTRACT, MANIFEST
from cafelake.collect.seed import seed_raw
from cafelake.lake import Lake
from cafelake.pipeline import Pipeline
from cafelake.schemas import POSTS, TABLES
from cafelake.sources.naver_cafe.corpus import Corpus
from cafelake.tokenize.job import MANIFEST_KEY, cleansed_files

KEY = b"old-lake-key"
NEW_ID = re.compile(r"naver_cafe:\d+:\d+")
WITH_POST_IDS = [t for t in TABLES.values() if "post_id" in t.schema.names]


def _ids(lake: Lake, table) -> list[str]:
    return lake.read_table(table, columns=["post_id"]).column("post_id").drop_null().to_pylist()


def _plant_old_contract(lake: Lake) -> None:
    """What the runs before issue 17 left behind, from a lake the current runs wrote."""
    for table in WITH_POST_IDS:
        rows = lake.read_table(table)
        if rows.num_rows:
            old = pc.replace_substring_regex(rows.column("post_id"), r"^[a-z_]+:(\d+):(\d+)$", r"\1-\2")
            lake.write_table(table, rows.set_column(rows.schema.get_field_index("post_id"), "post_id", old))
    manifest = json.loads(lake.get_bytes("cleansed", MANIFEST))
    assert manifest.pop("contract") == CONTRACT
    lake.put_bytes("cleansed", MANIFEST, json.dumps(manifest).encode())
    if lake.exists("tokenized", MANIFEST_KEY):
        tokenized = json.loads(lake.get_bytes("tokenized", MANIFEST_KEY))
        lake.put_bytes("tokenized", MANIFEST_KEY, json.dumps(tokenized | {"files": cleansed_files(lake)}).encode())


@pytest.fixture
def pipeline(tmp_path, settings) -> Pipeline:
    lake = Lake(str(tmp_path / "lake"))
    corpus = Corpus(posts=120, days=20, settings=settings)
    seed_raw(lake, corpus, run_id="20261101T000000Z-0ld0ld00", fetched_at=corpus.as_of)
    return Pipeline(lake, settings, KEY)


def test_an_old_contract_in_the_manifest_makes_the_next_cleanse_a_full_rebuild(pipeline):
    lake = pipeline.lake
    first = pipeline.cleanse()
    posts = sorted(_ids(lake, POSTS))
    _plant_old_contract(lake)
    assert all(re.fullmatch(r"\d+-\d+", i) for i in _ids(lake, POSTS))  # the plant took
    again = pipeline.cleanse()  # no flag, no new raw object
    assert again.full and again.objects == first.objects and again.reconciles()
    assert sorted(_ids(lake, POSTS)) == posts  # every old id gone, the same posts back
    assert json.loads(lake.get_bytes("cleansed", MANIFEST))["contract"] == CONTRACT
    assert not pipeline.cleanse().full  # the rebuilt lake is under the contract: incremental again


@pytest.mark.slow  # Kiwi
def test_the_mart_of_an_old_lake_follows_the_rebuild_without_a_full_tokenize(pipeline):
    lake = pipeline.lake
    pipeline.transform()
    _plant_old_contract(lake)
    assert not any(NEW_ID.fullmatch(i) for t in WITH_POST_IDS for i in _ids(lake, t))
    cleansed, tokenized = pipeline.transform()
    assert cleansed.full and not tokenized.full and tokenized.partitions_changed == len(cleansed_files(lake))
    for table in WITH_POST_IDS:
        ids = _ids(lake, table)
        assert ids and all(NEW_ID.fullmatch(i) for i in ids), table.name
    [check] = pipeline.checks(only=["posts_post_id_names_its_source"])
    assert check.passed
