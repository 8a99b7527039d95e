"""Latest version per post, in memory that follows the chunk size, not the corpus.

The transform's output is spilled chunk by chunk to local Parquet files sorted by dt, and
the columns that order versions (the index, ~100 bytes a post) go to disk too, split into
BUCKETS files by a hash of post_id: every version of a post, and its tombstone, fall in
the same bucket, wherever they came from. Winners are picked one bucket at a time and
spilled again, sorted by dt; the posts are then written a group of days at a time, each
group reading back only its own winners and rows: from the spills (row groups pruned on
dt) and from the existing partitions it replaces. What stays in memory is one bucket, one
group of days and a count per day.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from cafelake.cleanse.transform import ORDER, latest
from cafelake.lake import PARTITION_KEY, Lake
from cafelake.schemas import POSTS, UTC_TS

SEQ = "_seq"  # a new version's number in the run; existing rows have -1
INDEX = pa.schema(
    [
        ("post_id", pa.string()),
        ("fetched_at", UTC_TS),
        ("ingest_dt", pa.string()),
        ("source_key", pa.string()),
        ("line_no", pa.int64()),
        (PARTITION_KEY, pa.string()),
        (SEQ, pa.int64()),
    ]
)
WINNER = pa.schema([("post_id", pa.string()), (PARTITION_KEY, pa.string()), (SEQ, pa.int64())])
BUCKETS = 64  # index files: a bucket holds 1/64 of the posts (~16,000 at a million)
SPILL_ROW_GROUP = 4_096  # small row groups, so a group of days reads little beyond its own rows
WRITE_ROWS = 50_000  # posts per write: whole days are grouped until they reach this many
OUT = POSTS.schema.append(pa.field(PARTITION_KEY, pa.string()))
assert [c for c, _ in ORDER] == INDEX.names[1:5], "the index must hold the version order"


def bucket_of(post_ids: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The index bucket of each post id: a stable hash (the same in every process and run)."""
    ids = post_ids.to_numpy(zero_copy_only=False) if len(post_ids) else np.array([], dtype=object)
    return (pd.util.hash_array(ids.astype(object)) % BUCKETS).astype(np.int64)


def _split(tbl: pa.Table, buckets: np.ndarray) -> Iterator[tuple[int, pa.Table]]:
    """`tbl`'s rows per bucket (only the buckets that have rows)."""
    order = np.argsort(buckets, kind="stable")
    sorted_b = buckets[order]
    bounds = np.flatnonzero(np.diff(sorted_b)) + 1
    for rows in np.split(order, bounds):
        if len(rows):
            yield int(buckets[rows[0]]), tbl.take(pa.array(rows))


@dataclass
class Counts:
    """What picking the winners found, summed over the buckets."""

    new: int = 0  # new versions indexed
    existing: int = 0  # rows of the touched partitions indexed
    kept_new: int = 0  # winners that are new versions
    kept_old: int = 0  # winners that are existing rows
    new_deleted: int = 0  # new versions of posts a deletion removes
    old_removed: int = 0  # existing rows of posts that no longer survive
    per_day: Counter = field(default_factory=Counter)  # winners per dt


class Spill:
    """New post versions on local disk, their index in hash buckets, and the winners per bucket."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.files, self.rows = folder, [], 0
        self.new_dts: set[str] = set()
        self._writers: dict[int, pq.ParquetWriter] = {}
        self.winner_files: list[str] = []

    def add(self, posts: pa.Table) -> None:
        """Spill one chunk of transform output (POSTS_WORK columns)."""
        if posts.num_rows == 0:
            return
        seq = pa.array(range(self.rows, self.rows + posts.num_rows), pa.int64())
        chunk = posts.append_column(SEQ, seq).sort_by([(PARTITION_KEY, "ascending")])
        path = self.folder / f"chunk-{len(self.files):06d}.parquet"
        pq.write_table(chunk, path, row_group_size=SPILL_ROW_GROUP, compression="lz4")
        self.files.append(str(path))
        self.new_dts.update(pc.unique(chunk.column(PARTITION_KEY)).to_pylist())
        self.index(chunk.select(INDEX.names))
        self.rows += posts.num_rows

    def index(self, rows: pa.Table) -> None:
        """Add index rows (INDEX columns: new versions, or existing rows with SEQ -1) to their buckets."""
        rows = rows.select(INDEX.names).cast(INDEX)
        for b, part in _split(rows, bucket_of(rows.column("post_id"))):
            if b not in self._writers:
                self._writers[b] = pq.ParquetWriter(self.folder / f"index-{b:03d}.parquet", INDEX, compression="lz4")
            self._writers[b].write_table(part)

    def new_ids(self) -> pa.Array:
        """The post ids of the spilled versions (read back from disk: an incremental run's few)."""
        if not self.files:
            return pa.array([], pa.string())
        return ds.dataset(self.files, format="parquet").to_table(columns=["post_id"]).column("post_id").combine_chunks()

    def pick(self, tombstones: pa.Table) -> Counts:
        """Pick every bucket's winners (the latest version, unless a later tombstone removes the post)."""
        for w in self._writers.values():
            w.close()
        counts = Counts()
        tomb_buckets = bucket_of(tombstones.column("post_id"))
        for b in sorted(self._writers):
            index = pq.read_table(self.folder / f"index-{b:03d}.parquet").cast(INDEX)
            tombs = tombstones.filter(pa.array(tomb_buckets == b))
            rows = latest(index, tombs).select(WINNER.names).sort_by([(PARTITION_KEY, "ascending")])
            self._count(index, rows, counts)
            path = self.folder / f"winners-{b:03d}.parquet"
            pq.write_table(rows, path, row_group_size=SPILL_ROW_GROUP, compression="lz4")
            self.winner_files.append(str(path))
        self._writers.clear()
        return counts

    @staticmethod
    def _count(index: pa.Table, winners: pa.Table, counts: Counts) -> None:
        is_new = pc.greater_equal(index.column(SEQ), 0)
        kept = winners.column("post_id")
        won_new = pc.sum(pc.greater_equal(winners.column(SEQ), 0)).as_py() or 0
        lost = pc.invert(pc.is_in(index.column("post_id"), value_set=kept))
        counts.new += pc.sum(is_new).as_py() or 0
        counts.existing += index.num_rows - (pc.sum(is_new).as_py() or 0)
        counts.kept_new += won_new
        counts.kept_old += winners.num_rows - won_new
        counts.new_deleted += pc.sum(pc.and_(is_new, lost)).as_py() or 0
        counts.old_removed += pc.sum(pc.and_(pc.invert(is_new), lost)).as_py() or 0
        days = winners.group_by(PARTITION_KEY).aggregate([("post_id", "count")])
        counts.per_day.update(
            dict(zip(days.column(PARTITION_KEY).to_pylist(), days.column("post_id_count").to_pylist(), strict=True))
        )

    def read(self, dts: list[str], seqs: pa.Array) -> pa.Table:
        """The spilled rows with these sequence numbers, all within the dt range of `dts`."""
        if not self.files or len(seqs) == 0:
            return OUT.empty_table()
        dt = ds.field(PARTITION_KEY)
        where = (dt >= dts[0]) & (dt <= dts[-1]) & ds.field(SEQ).isin(seqs)
        return ds.dataset(self.files, format="parquet").to_table(columns=OUT.names, filter=where).cast(OUT)

    def winners(self, days: list[str]) -> pa.Table:
        """The winners on these days (WINNER columns)."""
        if not self.winner_files:
            return WINNER.empty_table()
        dt = ds.field(PARTITION_KEY)
        where = (dt >= days[0]) & (dt <= days[-1]) & dt.isin(days)
        return ds.dataset(self.winner_files, format="parquet").to_table(filter=where).cast(WINNER)


def spill_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="cafelake-cleanse-")


def existing_index(lake: Lake, dts: set[str]) -> pa.Table:
    """The index rows of the posts already in these partitions (they lose ties to new versions)."""
    old = lake.read_table(POSTS, dts=sorted(dts), columns=["post_id", "fetched_at", "ingest_dt", PARTITION_KEY])
    n = old.num_rows
    return pa.table(
        {
            "post_id": old.column("post_id"),
            "fetched_at": old.column("fetched_at"),
            "ingest_dt": old.column("ingest_dt"),
            "source_key": pa.array([""] * n, pa.string()),
            "line_no": pa.array([0] * n, pa.int64()),
            PARTITION_KEY: old.column(PARTITION_KEY),
            SEQ: pa.array([-1] * n, pa.int64()),
        },
        schema=INDEX,
    )


def day_groups(per_day: Counter) -> Iterator[list[str]]:
    """Consecutive days, grouped until each group holds about WRITE_ROWS posts."""
    group, size = [], 0
    for day in sorted(per_day):
        group.append(day)
        size += per_day[day]
        if size >= WRITE_ROWS:
            yield group
            group, size = [], 0
    if group:
        yield group


def posts(lake: Lake, spill: Spill, mine: pa.Table, days: list[str]) -> pa.Table:
    """The full rows of the winners `mine` (WINNER rows on `days`), sorted by (dt, post_id)."""
    new = pc.greater_equal(mine.column(SEQ), 0)
    fresh = spill.read(days, mine.column(SEQ).filter(new).combine_chunks())
    kept_old = mine.filter(pc.invert(new))
    parts = [fresh]
    if kept_old.num_rows:
        old = lake.read_table(POSTS, dts=sorted(set(kept_old.column(PARTITION_KEY).to_pylist())))
        parts.append(
            old.filter(pc.is_in(old.column("post_id"), value_set=kept_old.column("post_id").combine_chunks()))
            .select(OUT.names)
            .cast(OUT)
        )
    return pa.concat_tables(parts).sort_by([(PARTITION_KEY, "ascending"), ("post_id", "ascending")])
