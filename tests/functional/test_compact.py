"""Compaction on a lake the real pipeline built over several months: every row still found, by the lake
and by the local engine; the open month stays daily; a re-run changes nothing; a late write keeps its
month one file; an interrupted compaction leaves readable data; a lake of the day-folder layout is
rebuilt in months."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from cafelake.athena import sqlfiles
from cafelake.athena.local import LocalAthena
from cafelake.lake import Lake
from cafelake.layout import PARTITION_KEY
from cafelake.pipeline import Pipeline
from cafelake.schemas import POSTS, POSTS_DIM, TABLES, TOKENS_FACT

PARTITIONED = [t for t in TABLES.values() if t.partitioned]
OPEN = "2026-12"  # the corpus runs into December: months before it are closed


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A lake over four months (mid-September to early December), built by the pipeline, not compacted."""
    from cafelake.collect.seed import seed_raw
    from cafelake.sources.naver_cafe.corpus.sample import Corpus

    root = tmp_path_factory.mktemp("compact") / "lake"
    corpus = Corpus(posts=240, days=80, end_date=date(2026, 12, 5))
    lake = Lake(str(root))
    seed_raw(lake, corpus, run_id="compact-test", fetched_at=datetime(2026, 12, 6, tzinfo=UTC))
    Pipeline(lake).init()
    Pipeline(lake).transform()
    return root


@pytest.fixture
def lake(built, tmp_path) -> Lake:
    """A copy of the built lake, for a test to change."""
    shutil.copytree(built, tmp_path / "lake")
    return Lake(str(tmp_path / "lake"))


def _rows(lake: Lake) -> dict[str, pa.Table]:
    return {
        t.name: lake.read_table(t).sort_by([(c, "ascending") for c in ("dt", *t.schema.names[:2])]) for t in PARTITIONED
    }


def _views(lake: Lake) -> dict[str, pd.DataFrame]:
    with LocalAthena(lake) as engine:
        out = {}
        for v in sqlfiles.views():
            df = engine.view(v.name)
            out[v.name] = df.sort_values(list(df.columns)).reset_index(drop=True) if len(df) else df
        return out


def _keys(lake: Lake, tdef) -> list[str]:
    return lake.list_keys(tdef.zone, tdef.location, include_hidden=True)


def test_closed_months_become_one_file_and_every_row_and_view_stays(lake):
    rows, views = _rows(lake), _views(lake)
    with LocalAthena(lake) as engine:
        october = engine.query("SELECT count(*) AS n, sum(token_count) AS t FROM posts_dim WHERE dt LIKE '2026-10-%'")
    months = {t.name: lake.month_files(t) for t in PARTITIONED}
    assert all(len(fs) > 1 for m in months.values() for month, fs in m.items() if month < OPEN)  # daily before

    summary = Pipeline(lake).compact(before=OPEN)

    assert summary.months_compacted == sum(len([m for m in ms if m < OPEN]) for ms in months.values())
    assert summary.rows == sum(t.num_rows for t in rows.values()) - sum(
        t.filter(pc.starts_with(t.column(PARTITION_KEY), OPEN)).num_rows for t in rows.values()
    )
    for tdef in PARTITIONED:
        for month, files in lake.month_files(tdef).items():
            if month < OPEN:
                assert len(files) == 1 and files[0].compacted, (tdef.name, month)
                meta = pq.read_metadata(lake.local_path(tdef.zone, tdef.location, files[0].key))
                dts = pq.read_table(lake.local_path(tdef.zone, tdef.location, files[0].key), columns=["dt"])
                assert dts.column("dt").to_pylist() == sorted(dts.column("dt").to_pylist())  # sorted by dt
                assert meta.row_group(0).column(meta.schema.names.index("dt")).statistics.has_min_max
            else:
                assert all(not f.compacted and len(f.days) == 1 for f in files)  # the open month stays daily
        assert not any(k.startswith(".") or "/." in k for k in _keys(lake, tdef))  # no temporary file left
    assert _rows(lake) == rows  # every row, through the lake
    after = _views(lake)
    for name, df in views.items():  # every view's output, through the local engine
        pd.testing.assert_frame_equal(after[name], df, check_dtype=False)
    with LocalAthena(lake) as engine:
        assert engine.query(
            "SELECT count(*) AS n, sum(token_count) AS t FROM posts_dim WHERE dt LIKE '2026-10-%'"
        ).equals(october)
        [scan] = engine.scans("SELECT post_hour, sum(posts) FROM v_posts_by_hour WHERE dt LIKE '2026-10-%' GROUP BY 1")
        closed = [m for m in lake.month_files(POSTS_DIM) if m < OPEN]
        december = len(lake.month_files(POSTS_DIM)[OPEN])
        assert len(scan.files) == len(closed) + december  # a footer per month, a day file per open day
        assert scan.row_groups == (1, len(closed) + december)  # October's row groups alone are read


def test_a_rerun_changes_nothing_and_tokenize_does_not_redo_compacted_days(lake):
    Pipeline(lake).compact(before=OPEN)
    keys = {t.name: _keys(lake, t) for t in TABLES.values()}
    again = Pipeline(lake).compact(before=OPEN)
    assert again.months_compacted == 0 and again.months_already > 0
    assert {t.name: _keys(lake, t) for t in TABLES.values()} == keys
    # compaction moved the cleansed days, it did not change them: nothing to re-tokenize
    summary = Pipeline(lake).tokenize()
    assert summary.partitions_changed == 0 and summary.partitions_dropped == 0


def test_a_late_write_into_a_compacted_month_keeps_it_one_file(lake):
    Pipeline(lake).compact(before=OPEN)
    day = "2026-10-15"
    before = lake.read_table(POSTS, dts=[day])
    assert before.num_rows
    changed = before.set_column(before.schema.get_field_index("title"), "title", pa.array(["고침"] * before.num_rows))
    lake.write_table(POSTS, changed)
    [month_file] = lake.month_files(POSTS)["2026-10"]
    assert month_file.compacted and day in month_file.days
    assert lake.read_table(POSTS, dts=[day]).column("title").to_pylist() == ["고침"] * before.num_rows
    others = lake.read_table(POSTS, dts=[d for d in lake.partitions(POSTS) if d.startswith("2026-10") and d != day])
    assert "고침" not in others.column("title").to_pylist()
    total = lake.read_table(POSTS).num_rows
    lake.drop_partitions(POSTS, [day])
    [month_file] = lake.month_files(POSTS)["2026-10"]
    assert day not in month_file.days and day not in lake.partitions(POSTS)
    assert lake.read_table(POSTS).num_rows == total - before.num_rows
    # the rewritten day has a new version: tokenize redoes it alone
    summary = Pipeline(lake).tokenize()
    assert summary.partitions_dropped == 1 and summary.partitions_changed == 0


def test_an_interrupted_compaction_leaves_every_row_readable_once(lake, tmp_path):
    rows = _rows(lake)
    base = lake.local_path(TOKENS_FACT.zone, TOKENS_FACT.location)
    october = base / "month=2026-10"
    saved = tmp_path / "saved"
    shutil.copytree(october, saved)
    Pipeline(lake).compact(before=OPEN)
    # killed after the month file was written, before the day files were removed
    for f in saved.iterdir():
        shutil.copy(f, october / f.name)
    # killed while the month file was being written: a hidden partial file
    (october / ".month-partial.parquet.tmp").write_bytes(b"PAR1 cut")
    assert _rows(lake) == rows
    with LocalAthena(lake) as engine:
        n = engine.query("SELECT count(*) AS n FROM tokens_fact")["n"].iloc[0]
    assert n == rows["tokens_fact"].num_rows
    summary = Pipeline(lake).compact(before=OPEN)  # the next run converges
    assert summary.tables == {"tokens_fact": 1}
    assert [p.name.startswith("month-") for p in october.glob("*.parquet")] == [True]
    assert _rows(lake) == rows


def test_a_lake_of_day_folders_is_rebuilt_in_months(lake):
    """A lake written before months: its tables in dt=YYYY-MM-DD/ folders, dt not in the files."""
    rows = _rows(lake)
    for tdef in PARTITIONED:
        base = lake.local_path(tdef.zone, tdef.location)
        if base is None or not base.exists():
            continue
        tbl = lake.read_table(tdef)
        shutil.rmtree(base)
        for dt in sorted(set(tbl.column(PARTITION_KEY).to_pylist())):
            folder = base / f"dt={dt}"
            folder.mkdir(parents=True)
            day = tbl.filter(pc.equal(tbl.column(PARTITION_KEY), dt)).drop_columns([PARTITION_KEY])
            pq.write_table(day, folder / "part-0123456789ab.parquet")
        assert lake.partitions(tdef) == [] and lake.old_layout(tdef)
    Pipeline(lake).cleanse()  # nothing new in raw: the old layout alone makes it a full rebuild
    Pipeline(lake).tokenize()
    for tdef in PARTITIONED:
        assert lake.old_layout(tdef) == [], tdef.name
    after = _rows(lake)
    for name in ("_quarantine",):  # a rebuild quarantines the same records anew
        after[name], rows[name] = (t.drop_columns(["quarantined_at"]) for t in (after[name], rows[name]))
    assert after == rows


def test_compact_refuses_a_month_that_is_not_one(lake):
    from cafelake.errors import UsageError

    with pytest.raises(UsageError, match="YYYY-MM"):
        Pipeline(lake).compact(before="2026-13")
