"""The table file names: which days a file holds, and which files a reader reads after an interrupted write."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from cafelake import lake as lake_module
from cafelake.lake import Lake
from cafelake.layout import TableFile, day_file_key, live_files, month_file_key, new_token
from cafelake.schemas import POST_KEYWORD_GROUPS


def _file(key: str) -> TableFile:
    f = TableFile.parse(key)
    assert f is not None, key
    return f


def test_names_say_the_days_a_file_holds_and_other_layouts_are_not_files():
    t1 = new_token()
    day = _file(day_file_key("2026-09-07", t1))
    assert (day.month, day.days, day.compacted) == ("2026-09", {"2026-09-07"}, False)
    month = _file(month_file_key("2026-09", {"2026-09-01", "2026-09-30", "2026-09-07"}, t1))
    assert month.compacted and month.days == {"2026-09-01", "2026-09-07", "2026-09-30"}
    for other in (
        "dt=2026-09-07/part-0123456789ab.parquet",  # the layout before months
        f"month=2026-09/day-2026-10-01-{t1}.parquet",  # a day of another month
        f"month=2026-09/.day-2026-09-07-{t1}.parquet.tmp",
        f"month=2026-09/_days-{t1}.json",
    ):
        assert TableFile.parse(other) is None, other
    assert new_token() > t1  # tokens sort in the order they were made


def test_a_reader_reads_each_day_from_one_file():
    old_day, month_token, late = new_token(), new_token(), new_token()
    files = [
        _file(day_file_key("2026-09-01", old_day)),  # compacted into the month file, not yet deleted
        _file(day_file_key("2026-09-02", old_day)),  # dropped by the month file's writer
        _file(month_file_key("2026-09", {"2026-09-01", "2026-09-03"}, old_day)),  # replaced, not yet deleted
        _file(month_file_key("2026-09", {"2026-09-01", "2026-09-03"}, month_token)),
        _file(day_file_key("2026-09-04", late)),  # a day the month file lacks, written after it
        _file(day_file_key("2026-10-01", old_day)),
        _file(day_file_key("2026-10-01", late)),  # a day rewritten: the later file wins
    ]
    live = live_files(files)
    assert [(f.month, sorted(f.days), f.token) for f in live] == [
        ("2026-09", ["2026-09-01", "2026-09-03"], month_token),
        ("2026-09", ["2026-09-04"], late),
        ("2026-10", ["2026-10-01"], late),
    ]


def test_a_month_file_keeps_days_in_row_groups_whose_statistics_skip_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr(lake_module, "ROW_GROUP_SIZE", 2)
    lake = Lake(str(tmp_path))
    days = [f"2026-09-{d:02d}" for d in (3, 1, 2)]
    lake.write_table(
        POST_KEYWORD_GROUPS,
        pa.table(
            {
                "post_id": [f"p{i}" for i in range(6)],
                "group_id": pa.array([1] * 6, pa.int32()),
                "matched_keywords": [["열"]] * 6,
                "dt": [d for d in days for _ in range(2)],
            }
        ),
    )
    assert lake.rewrite_month(POST_KEYWORD_GROUPS, "2026-09") == (6, 6)
    [path] = lake.table_files(POST_KEYWORD_GROUPS)
    meta = pq.read_metadata(path)
    col = meta.schema.names.index("dt")
    stats = [
        (meta.row_group(i).column(col).statistics.min, meta.row_group(i).column(col).statistics.max) for i in range(3)
    ]
    assert stats == [("2026-09-01", "2026-09-01"), ("2026-09-02", "2026-09-02"), ("2026-09-03", "2026-09-03")]
    assert lake.read_table(POST_KEYWORD_GROUPS, dts=["2026-09-02"]).column("post_id").to_pylist() == ["p4", "p5"]
    assert lake.partitions(POST_KEYWORD_GROUPS) == sorted(days)
