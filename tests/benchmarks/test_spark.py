"""The Spark benchmark's equality check: equal marts pass, any differing table is named."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from benchmarks.bench_spark import compare_marts
from benchmarks.bench_tokenize import synthetic_mart
from cafelake.lake import Lake
from cafelake.tokenize.job import MANIFEST_KEY


def _mart(root: Path, seed: int = 1) -> Lake:
    lake = Lake(str(root))
    synthetic_mart(lake, 300, vocab=50, seed=seed)
    lake.put_bytes("tokenized", MANIFEST_KEY, b'{"config": "c"}')
    return lake


def _zone(lake: Lake) -> Path:
    return Path(lake.uri("tokenized"))


def test_equal_marts_written_in_another_order_pass(tmp_path):
    a, b = _mart(tmp_path / "a"), _mart(tmp_path / "b")
    shuffled = b.read_table("post_keyword_groups")
    b.write_table("post_keyword_groups", shuffled.take(pc.sort_indices(shuffled, [("post_id", "descending")])))

    assert compare_marts(_zone(a), _zone(b)) == []


def test_a_changed_value_a_missing_row_and_the_manifest_are_named(tmp_path):
    a, b = _mart(tmp_path / "a"), _mart(tmp_path / "b")
    tokens = b.read_table("tokens_fact")
    b.write_table("tokens_fact", tokens.set_column(2, "token", pa.array(["x"] * tokens.num_rows)))
    groups = b.read_table("post_keyword_groups")
    b.write_table("post_keyword_groups", groups.slice(1))
    b.put_bytes("tokenized", MANIFEST_KEY, b'{"config": "d"}')

    diffs = compare_marts(_zone(a), _zone(b))

    assert diffs[0] == "tokens_fact: columns token differ"
    assert diffs[1].startswith(f"post_keyword_groups: {groups.num_rows - 1:,} rows, expected {groups.num_rows:,}")
    assert diffs[2] == "manifest differs"
    assert len(diffs) == 3
