"""A truncated mart file is named by the checks, skipped by queries, and rebuilt by the next tokenize."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from cafelake.errors import LakeError
from cafelake.lake import Lake
from cafelake.pipeline import Pipeline

from .test_job import _snapshot


@pytest.fixture
def lake(tmp_path, make_posts, sample_rows, kiwi_analyzer):
    lake = Lake(str(tmp_path / "lake"))
    lake.write_table("posts", make_posts(sample_rows))
    return lake


def _truncate(path: str) -> None:
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: len(data) // 2])


def test_a_truncated_mart_file_is_isolated_then_rebuilt(lake, settings, caplog):
    stages = Pipeline(lake, settings)
    stages.tokenize()
    before = _snapshot(lake)
    baseline = {r.name for r in stages.checks() if not r.passed}  # the hand-made posts fail a few content checks
    bad = lake.table_files("tokens_fact")[0]
    lost = lake.read_table("tokens_fact", dts=[Path(bad).name.removeprefix("day-")[:10]]).num_rows  # a day file
    total = lake.read_table("tokens_fact").num_rows
    _truncate(bad)

    with caplog.at_level(logging.WARNING, logger="cafelake"), stages.query_engine() as engine:
        counted = int(engine.query("SELECT count(*) AS n FROM tokens_fact").iloc[0, 0])
        assert engine.row_count("v_daily_posts") > 0  # a view over the table still answers
    assert counted == total - lost
    assert f"skipping unreadable file {bad} of tokens_fact" in caplog.text and "`cafelake tokenize`" in caplog.text

    results = {r.name: r for r in stages.checks()}
    assert not results["lake_files_readable"].passed
    assert results["lake_files_readable"].sample.to_dict("records")[0]["file"] == bad

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="cafelake"):
        healed = stages.tokenize()
    assert healed.full and "rebuilding the mart: removed unreadable" in caplog.text
    assert _snapshot(lake) == before
    assert {r.name for r in stages.checks() if not r.passed} == baseline and "lake_files_readable" not in baseline


def test_a_truncated_cleansed_file_stops_tokenize_naming_the_cleanse(lake, settings):
    _truncate(lake.table_files("posts")[0])
    with pytest.raises(LakeError, match=r"cleansed/posts has 1 unreadable file.*run `cafelake cleanse`"):
        Pipeline(lake, settings).tokenize()
