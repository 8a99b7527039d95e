"""Latest version per post, in memory that follows the chunk size, not the corpus.

The transform's output is spilled chunk by chunk to local Parquet files sorted by dt;
only the columns that order versions stay in memory (an index of about 100 bytes a
post). Winners are picked on that index, then the posts are written a group of days at
a time, each group reading back only its own rows: from the spill (row groups pruned on
dt) and from the existing partitions it replaces.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from cafelake.cleanse.transform import ORDER, latest
from cafelake.lake import PARTITION_KEY, Lake
from cafelake.schemas import POSTS, UTC_TS

SEQ = "_seq"  # a new version's number in the run; existing rows have -1
# source_key is dictionary-encoded: one object key shared by its thousands of lines.
INDEX = pa.schema(
    [
        ("post_id", pa.string()),
        ("fetched_at", UTC_TS),
        ("ingest_dt", pa.string()),
        ("source_key", pa.dictionary(pa.int32(), pa.string())),
        ("line_no", pa.int64()),
        (PARTITION_KEY, pa.string()),
        (SEQ, pa.int64()),
    ]
)
SPILL_ROW_GROUP = 4_096  # small row groups, so a group of days reads little beyond its own rows
WRITE_ROWS = 50_000  # posts per write: whole days are grouped until they reach this many
OUT = POSTS.schema.append(pa.field(PARTITION_KEY, pa.string()))
assert [c for c, _ in ORDER] == INDEX.names[1:5], "the index must hold the version order"


class Spill:
    """New post versions on local disk, plus their in-memory index."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.files, self._index, self.rows = folder, [], [], 0

    def add(self, posts: pa.Table) -> None:
        """Spill one chunk of transform output (POSTS_WORK columns)."""
        if posts.num_rows == 0:
            return
        seq = pa.array(range(self.rows, self.rows + posts.num_rows), pa.int64())
        chunk = posts.append_column(SEQ, seq).sort_by([(PARTITION_KEY, "ascending")])
        path = self.folder / f"chunk-{len(self.files):06d}.parquet"
        pq.write_table(chunk, path, row_group_size=SPILL_ROW_GROUP, compression="lz4")
        self.files.append(str(path))
        index = chunk.select(INDEX.names)
        self._index.append(index.set_column(3, "source_key", index.column("source_key").dictionary_encode()))
        self.rows += posts.num_rows

    def index(self) -> pa.Table:
        return pa.concat_tables(self._index).cast(INDEX) if self._index else INDEX.empty_table()

    def read(self, dts: list[str], seqs: pa.Array) -> pa.Table:
        """The spilled rows with these sequence numbers, all within the dt range of `dts`."""
        if not self.files or len(seqs) == 0:
            return OUT.empty_table()
        dt = ds.field(PARTITION_KEY)
        where = (dt >= dts[0]) & (dt <= dts[-1]) & ds.field(SEQ).isin(seqs)
        return ds.dataset(self.files, format="parquet").to_table(columns=OUT.names, filter=where).cast(OUT)


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
            "source_key": pa.DictionaryArray.from_arrays(pa.array([0] * n, pa.int32()), [""]),
            "line_no": pa.array([0] * n, pa.int64()),
            PARTITION_KEY: old.column(PARTITION_KEY),
            SEQ: pa.array([-1] * n, pa.int64()),
        },
        schema=INDEX,
    )


@dataclass
class Winners:
    """The latest version of every post that survives, as index rows."""

    rows: pa.Table

    @classmethod
    def pick(cls, index: pa.Table, tombstones: pa.Table) -> Winners:
        """Arrow cannot sort dictionaries, so source keys are compared by their rank among all keys."""
        relevant = tombstones.filter(
            pc.is_in(tombstones.column("post_id"), value_set=index.column("post_id").combine_chunks())
        )
        chunks = index.column("source_key").chunks
        keys = pc.unique(
            pa.concat_arrays([relevant.column("source_key").combine_chunks(), *[c.dictionary for c in chunks]]).cast(
                pa.string()
            )
        )
        universe = keys.take(pc.sort_indices(keys))
        ranks = pa.chunked_array(
            [pc.index_in(c.dictionary, value_set=universe).take(c.indices) for c in chunks], pa.int32()
        )
        ranked_tombs = relevant.set_column(
            3, "source_key", pc.index_in(relevant.column("source_key"), value_set=universe)
        )
        winners = latest(index.set_column(3, "source_key", ranks), ranked_tombs)
        return cls(winners.drop_columns(["source_key"]))

    def day_groups(self) -> Iterator[list[str]]:
        """Consecutive days, grouped until each group holds about WRITE_ROWS posts."""
        counts = (
            self.rows.group_by(PARTITION_KEY).aggregate([("post_id", "count")]).sort_by([(PARTITION_KEY, "ascending")])
        )
        group, size = [], 0
        for day, n in zip(
            counts.column(PARTITION_KEY).to_pylist(), counts.column("post_id_count").to_pylist(), strict=True
        ):
            group.append(day)
            size += n
            if size >= WRITE_ROWS:
                yield group
                group, size = [], 0
        if group:
            yield group

    def posts(self, lake: Lake, spill: Spill, days: list[str]) -> pa.Table:
        """The full rows of the winners on these days, sorted by (dt, post_id)."""
        mine = self.rows.filter(pc.is_in(self.rows.column(PARTITION_KEY), value_set=pa.array(days)))
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
