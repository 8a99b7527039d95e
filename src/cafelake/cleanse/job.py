"""The cleanse run: which raw objects, read, transform, merge, write, account.

Incremental by default: a manifest under `cleansed/_state/cleanse/` lists the raw
objects already cleansed, and a run reads only the others. Their posts are merged with
the existing rows of every dt partition they touch (including the old partition of a
post whose date changed), and those partitions are replaced whole, so any order of
runs converges to what a full rebuild gives. The latest deletion of every post is kept
beside the manifest, so a late-arriving older version cannot resurrect a deleted post.
Memory follows the chunk size, not the corpus (see merge.py): the index of the posts that
picks each one's latest version is spilled to disk in hash buckets and read one at a time. Writes go posts, quarantine,
state, manifest: a run that dies midway is simply redone. Before the state is written
the rows are counted back from the cleansed zone and must reconcile with the records
read; if they do not, the run fails and the manifest is removed, so the next run
re-reads every raw object (a lost row may be one an earlier run wrote).
The manifest also records the settings (cleanse.yaml) and the contract the rows were written
under (`CONTRACT`): a changed setting, or rows of another contract, make the next run a full
rebuild (which rewrites every partition, so the next tokenize run rebuilds the mart from them).
One run at a time per lake: the pipeline holds the lake's cleanse lock (and the Glue job allows no
concurrency). An unreadable file in the cleansed zone (truncated, corrupt) is deleted and the run
becomes a full rebuild from raw, which writes it again.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cafelake.cleanse.authors import local_key
from cafelake.cleanse.merge import SEQ, Spill, day_groups, existing_index, posts, spill_folder
from cafelake.cleanse.records import TOMBSTONE, RawRecords, read_object
from cafelake.cleanse.redact import redact_quarantine
from cafelake.cleanse.transform import cleanse, latest_tombstones
from cafelake.errors import LakeError, UsageError
from cafelake.lake import PARTITION_KEY, Lake
from cafelake.runs import Progress, new_run_id, utcnow, write_run
from cafelake.schemas import POSTS, QUARANTINE
from cafelake.settings import Settings

# What a cleansed row means, as a number written into the manifest. 1 (a manifest without one): post ids
# were <club_id>-<article_id>; 2: <source>:<club_id>:<article_id> (issue 17); 3: a text longer than
# max_text_chars is cut and flagged `text_truncated`, not quarantined (issue 18). Raise it when rows written
# before a change would be wrong after it: a lake cleansed under another contract is rebuilt from raw.
CONTRACT = 3
STATE = "_state/cleanse"
MANIFEST = f"{STATE}/manifest.json"
TOMBSTONES = f"{STATE}/tombstones.parquet"
CHUNK_ROWS = 20_000  # candidates per vectorised transform call: large enough, memory stays flat
log = logging.getLogger(__name__)
_RAW_KEY = re.compile(r"(?:^|/)ingest_dt=(\d{4}-\d{2}-\d{2})/[^/]+\.jsonl\.gz$")


@dataclass
class CleanseSummary:
    """What a run did. records_in = cleansed + quarantined + duplicates, or the run fails.

    cleansed and quarantined are rows counted back from the cleansed zone after writing.
    """

    run_id: str
    full: bool
    config: dict[str, Any] = field(default_factory=dict)  # the cleanse.yaml settings the run applied
    objects: int = 0
    records_in: int = 0
    cleansed: int = 0  # this run's post versions now in cleansed/posts
    quarantined: int = 0  # this run's rows now in cleansed/_quarantine
    duplicates: int = 0  # superseded by a later fetch of the same post (incl. a later deletion)
    superseded_by_deletion: int = 0  # of the duplicates, those a deletion superseded
    replaced: int = 0  # rows from earlier runs replaced by a newer version
    removed: int = 0  # rows from earlier runs removed because the post was deleted/blinded/made private
    posts_in_partitions: int = 0  # rows in the partitions this run wrote, counted back
    partitions_written: list[str] = field(default_factory=list)
    partitions_dropped: list[str] = field(default_factory=list)
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def reconciles(self) -> bool:
        return self.records_in == self.cleansed + self.quarantined + self.duplicates


class ReconciliationError(LakeError):
    """The rows in the cleansed zone do not account for the records read: the run is not marked done."""


def raw_objects(lake: Lake) -> list[tuple[str, str]]:
    """(key, ingest_dt) of every raw object in the raw zone, sorted by key."""
    return [(k, m.group(1)) for k in lake.list_keys("raw") if (m := _RAW_KEY.search(k))]


def load_manifest(lake: Lake) -> dict[str, Any]:
    """The last run's {"contract": CONTRACT, "config": settings, "objects": raw keys cleansed}; {} before the first."""
    if not lake.exists("cleansed", MANIFEST):
        return {}
    return json.loads(lake.get_bytes("cleansed", MANIFEST))


def _load_tombstones(lake: Lake) -> pa.Table:
    if not lake.exists("cleansed", TOMBSTONES):
        return TOMBSTONE.empty_table()
    return pq.read_table(io.BytesIO(lake.get_bytes("cleansed", TOMBSTONES))).cast(TOMBSTONE)


def _parquet_bytes(tbl: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(tbl, sink, compression="zstd")
    return sink.getvalue()


def _select(
    objects: list[tuple[str, str]], done: set[str], ingest_dts: Iterable[str] | None, full: bool
) -> list[tuple[str, str]]:
    """Full: all. Ingest dates given: all of those dates (re-running one is safe). Else: the new ones."""
    if full:
        return objects
    if ingest_dts is not None:
        wanted = set(ingest_dts)
        return [o for o in objects if o[1] in wanted]
    return [o for o in objects if o[0] not in done]


def _touched(lake: Lake, post_ids: pa.Array, new_dts: set[str]) -> set[str]:
    """Partitions holding an affected post (it may move or vanish) or receiving a new row.

    Read a month at a time: one scan over every file would hold all their footers at once."""
    touched = set(new_dts)
    for month in groupby(lake.partitions(POSTS), key=lambda dt: dt[:7]):
        index = lake.read_table(POSTS, dts=list(month[1]), columns=["post_id", PARTITION_KEY])
        hit = index.filter(pc.is_in(index.column("post_id"), value_set=post_ids))
        touched |= set(pc.unique(hit.column(PARTITION_KEY)).to_pylist())
    return touched


def _concat(tables: list[pa.Table], schema: pa.Schema) -> pa.Table:
    return pa.concat_tables([t.cast(schema) for t in tables]) if tables else schema.empty_table()


def _count(mask: pa.Array) -> int:
    return pc.sum(mask).as_py() or 0


def run_cleanse(
    lake: Lake,
    settings: Settings | None = None,
    *,
    ingest_dts: Iterable[str] | None = None,
    full: bool = False,
    on_progress: Progress | None = None,
    key: bytes | None = None,
    run_id: str | None = None,
) -> CleanseSummary:
    """Cleanse raw objects into `cleansed/posts` and `cleansed/_quarantine`; see the module doc.

    The rules are `settings.cleanse` (cleanse.yaml). `key` is the pseudonym key (the Glue job
    passes the Secrets Manager one); by default the local key (env or the lake's key file) is used.
    `run_id` is the id the pipeline marked running (a new one by default).
    Raises ReconciliationError if the rows written do not account for the records read.
    """
    if full and ingest_dts is not None:
        raise UsageError("a full rebuild covers every ingest date: give either full or ingest dates")
    started = time.monotonic()
    now = utcnow()
    settings = settings or Settings.load()
    config = settings.cleanse
    manifest = load_manifest(lake)
    if bad := lake.discard_unreadable((POSTS, QUARANTINE)):
        log.warning(
            "rebuilding the cleansed zone from raw: removed unreadable %s",
            "; ".join(f"{p} ({w})" for p, w in bad.items()),
        )
        full, ingest_dts = True, None
    if manifest and (manifest.get("config") != asdict(config) or manifest.get("contract", 1) != CONTRACT):
        full, ingest_dts = True, None  # new rules or another contract: every post must follow them
    if old_layout := lake.old_layout(POSTS) + lake.old_layout(QUARANTINE):
        log.warning("rebuilding the cleansed zone in the month layout (%d files in day folders)", len(old_layout))
        full, ingest_dts = True, None
    summary = CleanseSummary(run_id=run_id or new_run_id(now), full=full, config=asdict(config))
    key = key or local_key(lake, settings.env.pseudonym_key)
    done = set(manifest.get("objects", []))
    selected = _select(raw_objects(lake), done, ingest_dts, full)
    summary.objects = len(selected)

    acc, q_parts = RawRecords(), []
    with spill_folder() as folder:
        spill = Spill(Path(folder))
        if on_progress:
            on_progress(0, len(selected))
        for i, (obj_key, ingest_dt) in enumerate(selected, start=1):
            read_object(acc, obj_key, ingest_dt, lake.get_bytes("raw", obj_key), now)
            if len(acc.rows) >= CHUNK_ROWS or i == len(selected):
                part = cleanse(acc.candidates(), key=key, quarantined_at=now, config=config)
                spill.add(part.posts)
                q_parts += [pa.Table.from_pylist(acc.quarantine, schema=QUARANTINE.schema), part.quarantine]
                acc.rows.clear()
                acc.quarantine.clear()  # as Arrow it takes a fraction of the Python objects' memory
            if on_progress:
                on_progress(i, len(selected))
        new_q = redact_quarantine(_concat(q_parts, QUARANTINE.schema), key)
        new_tombs = acc.tombstone_table()
        tombs = latest_tombstones(pa.concat_tables([new_tombs] if full else [new_tombs, _load_tombstones(lake)]))
        summary.records_in = acc.records
        expected_posts = _merge_posts(lake, spill, new_tombs, tombs, full, summary)
    summary.quarantine_reasons = dict(sorted(Counter(new_q.column("reason").to_pylist()).items()))
    summary.quarantined = _write_quarantine(lake, new_q, selected, full)
    try:
        _verify(summary, expected_posts)
    except ReconciliationError:
        lake.delete("cleansed", MANIFEST)  # a lost row may be an earlier run's: the next run re-reads every object
        raise

    # --- state, then the manifest last -----------------------------------------------
    if full:  # every post was rewritten in the month layout: the day folders of an older lake go
        lake.remove_old_layout(POSTS)
        lake.remove_old_layout(QUARANTINE)
    lake.put_bytes("cleansed", TOMBSTONES, _parquet_bytes(tombs))
    processed = {k for k, _ in selected} | (set() if full else done)
    manifest = {"contract": CONTRACT, "config": asdict(config), "objects": sorted(processed)}
    lake.put_bytes("cleansed", MANIFEST, json.dumps(manifest, indent=0).encode())
    summary.seconds = round(time.monotonic() - started, 3)
    write_run(lake, "cleanse", summary.run_id, asdict(summary), started_at=now)
    return summary


def _verify(summary: CleanseSummary, expected_posts: int) -> None:
    """Fail the run, before it is marked done, unless the counted rows account for every record."""
    problems = []
    if not summary.reconciles():
        problems.append(
            f"{summary.records_in} records in != {summary.cleansed} cleansed + "
            f"{summary.quarantined} quarantined + {summary.duplicates} duplicates"
        )
    if summary.posts_in_partitions != expected_posts:
        problems.append(f"{summary.posts_in_partitions} posts in the written partitions, {expected_posts} expected")
    if problems:
        raise ReconciliationError(
            f"cleanse run {summary.run_id} does not reconcile ({'; '.join(problems)}, "
            "counted from the cleansed zone); no object is marked done, so the next run "
            "re-reads every raw object"
        )


def _write_quarantine(lake: Lake, new_q: pa.Table, selected: list[tuple[str, str]], full: bool) -> int:
    """Replace the quarantine rows of the re-read objects, keep the others; return this run's rows, counted back."""
    keys = pa.array([k for k, _ in selected], pa.string())
    q_dts = {dt for _, dt in selected} | set(new_q.column("ingest_dt").to_pylist())
    if full:
        old_q, q_touched = QUARANTINE.empty(), set(lake.partitions(QUARANTINE)) | q_dts
    else:
        old_q = lake.read_table(QUARANTINE, dts=q_dts)
        old_q = old_q.filter(pc.invert(pc.is_in(old_q.column("source_key"), value_set=keys)))
        q_touched = q_dts
    all_q = pa.concat_tables([old_q.select(QUARANTINE.schema.names).cast(QUARANTINE.schema), new_q]).sort_by(
        [("ingest_dt", "ascending"), ("source_key", "ascending"), ("line_no", "ascending")]
    )
    all_q = all_q.append_column(PARTITION_KEY, all_q.column("ingest_dt"))
    q_written = lake.write_table(QUARANTINE, all_q) if all_q.num_rows else []
    lake.drop_partitions(QUARANTINE, sorted(q_touched - set(q_written)))
    on_disk = lake.read_table(QUARANTINE, dts=q_written, columns=["source_key"])
    return _count(pc.is_in(on_disk.column("source_key"), value_set=keys))


def _merge_posts(
    lake: Lake, spill: Spill, new_tombs: pa.Table, tombs: pa.Table, full: bool, summary: CleanseSummary
) -> int:
    """Replace every touched partition with the latest version of its posts; account for the rest.

    `new_tombs` are this run's deletions (they make partitions holding the post touched),
    `tombs` the latest deletion of every post known (they decide). Returns the number of
    posts the written partitions should hold; what they do hold is counted back, a group of
    days at a time.
    """
    if full:
        touched = set(lake.partitions(POSTS)) | spill.new_dts
    else:
        affected = pc.unique(pa.concat_arrays([spill.new_ids(), new_tombs.column("post_id").combine_chunks()]))
        touched = _touched(lake, affected, spill.new_dts) if len(affected) else set()
        spill.index(existing_index(lake, touched))
    counts = spill.pick(tombs)
    summary.duplicates = counts.new - counts.kept_new
    summary.superseded_by_deletion = counts.new_deleted
    summary.removed = counts.old_removed
    summary.replaced = counts.existing - counts.kept_old - counts.old_removed

    written: list[str] = []
    for days in day_groups(counts.per_day):
        mine = spill.winners(days)
        dts = lake.write_table(POSTS, posts(lake, spill, mine, days))
        written += dts
        on_disk = lake.read_table(POSTS, dts=dts, columns=["post_id"]).column("post_id")
        new_ids = mine.column("post_id").filter(pc.greater_equal(mine.column(SEQ), 0))
        summary.posts_in_partitions += len(on_disk)
        summary.cleansed += _count(pc.is_in(on_disk, value_set=new_ids.combine_chunks()))  # one row a post
    dropped = sorted(touched - set(written))
    lake.drop_partitions(POSTS, dropped)
    summary.partitions_written, summary.partitions_dropped = written, dropped
    return counts.kept_new + counts.kept_old
