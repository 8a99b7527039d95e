"""The lake interface: zone tables and raw objects, on any object store (`store.py`).

Objects go straight to the zone's store; tables go through the store's pyarrow filesystem,
one code path for a folder and for S3, so what the tests exercise locally is what runs in
Glue. pyarrow is imported only for tables: the scraper Lambda, which writes objects, has
none. Tables are Parquet (zstd) under `<zone root>/<table>/month=YYYY-MM/`, a day file per day of an
open month and one file per compacted month (`layout.py`); callers see days (`dt`) only, and a
write replaces whole days, so a re-run never duplicates rows. Keys with a part starting with `_` or
`.` are invisible to readers (`layout.is_hidden`, as they are to Athena): state, run
records and quarantine live there.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cafelake.environment import DEFAULT_LAKE, Environment
from cafelake.errors import LakeError
from cafelake.layout import (
    OLD_PARTITION_PREFIX,
    PARTITION_KEY,
    ZONES,
    TableFile,
    day_file_key,
    is_hidden,
    live_files,
    month_file_key,
    month_of,
    new_token,
    versions_key,
)
from cafelake.store import ObjectStore, normalise, open_stores, reaching, writing

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.fs as pafs
    import pyarrow.parquet as pq

    from cafelake.schemas import TableDef

__all__ = ["DEFAULT_LAKE", "PARTITION_KEY", "ZONES", "Lake"]

ROW_GROUP_SIZE = 128 * 1024
FOOTER_READERS = 16  # footers read at once: on S3 each is a round trip, and they are small
_UNREACHABLE = "AWS Error"  # how pyarrow names a request S3 refused (access, region, network), not a bad file


def _leaf_path(name: str, t: pa.DataType) -> str:
    """The Parquet column path of a field (`matched_keywords.list.element` for a list)."""
    import pyarrow as pa

    return _leaf_path(f"{name}.list.element", t.value_type) if pa.types.is_list(t) else name


_LONG_TEXT_BYTES = 64


def _dictionary_columns(tbl: pa.Table) -> list[str]:
    """Column paths worth dictionary encoding: text whose values recur out of order.

    That is at most half as many distinct values as runs of equal neighbours (tokens, parts
    of speech). Unique or sorted values (ids, free text, a day's constant date) are smaller
    as plain zstd, and each dictionary page adds footer metadata that every query reads.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    out = []
    for f, col in zip(tbl.schema, tbl.columns, strict=True):
        if pa.types.is_string(f.type) and len(col) and col.nbytes / len(col) > _LONG_TEXT_BYTES:
            continue  # free text (content, payloads): never recurs, and counting it costs a copy
        values = col.combine_chunks()
        while pa.types.is_list(values.type):
            values = values.flatten()
        if not pa.types.is_string(values.type) or len(values) < 2:
            continue
        runs = 1 + (pc.sum(pc.not_equal(values[1:], values[:-1])).as_py() or 0)
        if 0 < 2 * pc.count_distinct(values).as_py() <= runs:
            out.append(_leaf_path(f.name, f.type))
    return out


def pa_field_dt() -> pa.Field:
    """The dt column every file of a partitioned table holds (YYYY-MM-DD)."""
    import pyarrow as pa

    return pa.field(PARTITION_KEY, pa.string())


def pa_concat(parts: list[pa.Table], schema: pa.Schema) -> pa.Table:
    import pyarrow as pa

    return (
        pa.concat_tables([p.select(schema.names).cast(schema) for p in parts if p.num_rows])
        if any(p.num_rows for p in parts)
        else schema.empty_table()
    )


def _local_fs() -> type:
    import pyarrow.fs as pafs

    return pafs.LocalFileSystem


class _DaySources:
    """One day's rows from a month's live files: a day file whole, or a month file's row groups holding it
    (chosen by their dt statistics; the last ones read are kept, as consecutive days share them)."""

    def __init__(self, fs: pafs.FileSystem, base: str, live: list[TableFile]) -> None:
        self.fs, self.base = fs, base
        self.by_day = {d: f for f in live for d in f.days}
        self._cached: tuple[str, tuple[int, ...], pa.Table] | None = None

    def read(self, dt: str) -> pa.Table:
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        f = self.by_day[dt]
        path = posixpath.join(self.base, f.key)
        pf = pq.ParquetFile(path, filesystem=self.fs)
        if not f.compacted:
            return pf.read()
        meta = pf.metadata
        col = meta.schema.names.index(PARTITION_KEY)
        groups = []
        for i in range(meta.num_row_groups):
            stats = meta.row_group(i).column(col).statistics
            if stats is None or not stats.has_min_max or stats.min <= dt <= stats.max:
                groups.append(i)
        if self._cached is None or self._cached[:2] != (path, tuple(groups)):
            self._cached = (path, tuple(groups), pf.read_row_groups(groups))
        rows = self._cached[2]
        return rows.filter(pc.equal(rows.column(PARTITION_KEY), dt))


@dataclass
class Lake:
    """A data lake rooted at `root` (a folder or `s3://bucket/prefix`).

    `zone_roots` overrides where a zone lives (in AWS each zone is its own bucket);
    `endpoint_url` points S3 at a local server (moto) for tests.
    """

    root: str = DEFAULT_LAKE
    zone_roots: dict[str, str] = field(default_factory=dict)
    endpoint_url: str | None = None
    region: str | None = None

    def __post_init__(self) -> None:
        self.root = normalise(self.root)
        if unknown := sorted(set(self.zone_roots) - set(ZONES)):
            raise ValueError(f"unknown zones {unknown}; zones are {', '.join(ZONES)}")
        self.zone_roots = {z: normalise(self.zone_roots.get(z) or posixpath.join(self.root, z)) for z in ZONES}
        stores = open_stores([self.root, *self.zone_roots.values()], endpoint_url=self.endpoint_url, region=self.region)
        self._root_store = stores[self.root]
        self._stores: dict[str, ObjectStore] = {z: stores[uri] for z, uri in self.zone_roots.items()}

    @classmethod
    def from_settings(cls, env: Environment) -> Lake:
        """The lake the environment names: its root, the zones' own URIs, the S3 endpoint and region."""
        return cls(root=env.lake, zone_roots=dict(env.zone_uris), endpoint_url=env.s3_endpoint, region=env.region)

    # --- paths -------------------------------------------------------------------
    def uri(self, zone: str, *parts: str) -> str:
        """Full URI (local path or s3://) of a key below a zone root."""
        if zone not in self.zone_roots:
            raise ValueError(f"unknown zone {zone!r}; zones are {', '.join(ZONES)}")
        return posixpath.join(self.zone_roots[zone], *[p.strip("/") for p in parts if p])

    def local_root(self) -> Path | None:
        """The lake's root folder on this machine, or None if the lake is not a local folder."""
        return self._root_store.local_path(self.root)

    def local_path(self, zone: str, *parts: str) -> Path | None:
        """A key below a zone as a path on this machine (for readers that take paths), or None."""
        return self._stores[zone].local_path(self.uri(zone, *parts))

    def filesystem(self, zone: str, *parts: str) -> tuple[pafs.FileSystem, str]:
        """The pyarrow filesystem holding a key below a zone, and the key's path in it."""
        return self._stores[zone].arrow(self.uri(zone, *parts))

    # --- objects (no pyarrow) ---------------------------------------------------------
    def put_bytes(self, zone: str, key: str, data: bytes) -> str:
        """Write an object whole; a reader never sees a partial object. Returns its URI."""
        uri = self.uri(zone, key)
        self._stores[zone].put(uri, data)
        return uri

    def get_bytes(self, zone: str, key: str) -> bytes:
        """Read an object; FileNotFoundError if it does not exist."""
        return self._stores[zone].get(self.uri(zone, key))

    def get_bytes_etag(self, zone: str, key: str) -> tuple[bytes, str]:
        """An object and its ETag (what `put_bytes_if` compares); FileNotFoundError if it does not exist."""
        return self._stores[zone].get_with_etag(self.uri(zone, key))

    def put_bytes_if(self, zone: str, key: str, data: bytes, *, etag: str | None = None) -> str | None:
        """Compare-and-swap for small coordination objects: write only if the object does not exist yet
        (`etag` None) or still has `etag`. Returns the new ETag, or None when someone else wrote first.

        Atomic in both stores: a conditional PutObject on S3, a link or a compare under a file lock locally.
        """
        return self._stores[zone].put_if(self.uri(zone, key), data, etag)

    def exists(self, zone: str, key: str) -> bool:
        return self._stores[zone].exists(self.uri(zone, key))

    def delete(self, zone: str, key: str) -> None:
        """Delete an object, or every object below a prefix."""
        self._stores[zone].delete(self.uri(zone, key))

    def list_keys(self, zone: str, prefix: str = "", *, include_hidden: bool = False) -> list[str]:
        """Keys of the objects below `prefix` in a zone, relative to the zone root, sorted.

        Below the prefix, hidden keys (`layout.is_hidden`) are left out unless asked for.
        """
        prefix = prefix.strip("/")
        below = self._stores[zone].list(self.uri(zone, prefix))
        return [posixpath.join(prefix, k) if prefix else k for k in below if include_hidden or not is_hidden(k)]

    # --- tables ---------------------------------------------------------------------
    @staticmethod
    def _tdef(name: str | TableDef) -> TableDef:
        from cafelake.schemas import table

        return table(name) if isinstance(name, str) else name

    def table_uri(self, tdef: TableDef) -> str:
        return self.uri(tdef.zone, tdef.location)

    def _listing(self, tdef: TableDef) -> tuple[list[TableFile], list[str], dict[str, int]]:
        """(the table's data files, keys of an older layout, every visible key's size) from ONE listing.

        One listing per table, not one per partition: on S3 each listing is a round trip (a request per
        1,000 keys), and the sizes spare readers a HEAD request per file.
        """
        with reaching(self.table_uri(tdef)):
            sizes = {k: n for k, n in self._stores[tdef.zone].sizes(self.table_uri(tdef)).items() if not is_hidden(k)}
        files, old = [], []
        for key in sorted(sizes):
            if (f := TableFile.parse(key)) is not None:
                files.append(f)
            elif key.startswith(OLD_PARTITION_PREFIX):
                old.append(key)
        return files, old, sizes

    def _live(self, tdef: TableDef) -> list[TableFile]:
        return live_files(self._listing(tdef)[0])

    def partitions(self, name: str | TableDef) -> list[str]:
        """The dt values a partitioned table holds, sorted (from the file names: no file is read)."""
        return sorted({dt for f in self._live(self._tdef(name)) for dt in f.days})

    def day_versions(self, name: str | TableDef) -> dict[str, str]:
        """dt -> the token of the write that last replaced that day: unchanged by compaction, so a reader
        of the table (tokenize) tells a day rewritten from a day only moved into its month file.

        A day file's is its name's token; a month file's days' are in a small hidden object beside it
        (`layout.versions_key`; one read per month, and none by queries: not in the footer every query reads).
        """
        tdef = self._tdef(name)
        out = {}
        for f in self._live(tdef):
            out.update(self._month_versions(tdef, f) if f.compacted else dict.fromkeys(f.days, f.token))
        return dict(sorted(out.items()))

    def _month_versions(self, tdef: TableDef, f: TableFile) -> dict[str, str]:
        """A month file's {dt: version}; its own token for days its versions object does not name (or if lost)."""
        try:
            named = json.loads(self.get_bytes(tdef.zone, posixpath.join(tdef.location, versions_key(f.month, f.token))))
        except FileNotFoundError:
            named = {}
        return {d: named.get(d, f.token) for d in f.days}

    def old_layout(self, name: str | TableDef) -> list[str]:
        """Keys of the table in the layout before months (`dt=YYYY-MM-DD/` folders): invisible to every
        reader; the stage that owns the table rebuilds it in full and then removes them."""
        tdef = self._tdef(name)
        return self._listing(tdef)[1] if tdef.partitioned else []

    def remove_old_layout(self, name: str | TableDef) -> int:
        """Delete the table's old-layout folders (after a full rebuild wrote its data anew); how many keys."""
        tdef = self._tdef(name)
        old = self.old_layout(tdef)
        for folder in sorted({k.split("/", 1)[0] for k in old}):
            self.delete(tdef.zone, posixpath.join(tdef.location, folder))
        return len(old)

    def write_table(self, name: str | TableDef, tbl: pa.Table) -> list[str]:
        """Replace the partitions (dt values) present in `tbl` (or the whole table if unpartitioned).

        A day of an open month becomes a day file; a day of a compacted month is written into a new
        month file with the month's other days (the month stays one file). New files are written
        first under unique names (in a folder: under a hidden name, then renamed), then the files
        they replace are deleted: readers never see an empty or a partial partition, and a re-run
        converges. Returns the dt values written.
        """
        import pyarrow.compute as pc

        from cafelake.schemas import conform

        tdef = self._tdef(name)
        tbl = conform(tbl, tdef)
        fs, base_path = self.filesystem(tdef.zone, tdef.location)
        if not tdef.partitioned:
            with writing(self.table_uri(tdef)):
                self._replace_dir(fs, base_path, tbl, new_token())
            return []
        dts = pc.unique(tbl.column(PARTITION_KEY)).to_pylist()
        if any(d is None for d in dts):
            raise ValueError(f"{tdef.name}: null {PARTITION_KEY} values")
        files = self._listing(tdef)[0]
        by_month: dict[str, list[str]] = {}
        for dt in sorted(dts):
            by_month.setdefault(month_of(dt), []).append(dt)
        with writing(self.table_uri(tdef)):
            for month, days in by_month.items():
                mine = [f for f in files if f.month == month]
                rows = {dt: tbl.filter(pc.equal(tbl.column(PARTITION_KEY), dt)) for dt in days}
                if any(f.compacted for f in mine):
                    self.rewrite_month(tdef, month, mine, replace=rows)
                    continue
                for dt, part in rows.items():
                    new = posixpath.join(base_path, day_file_key(dt, new_token()))
                    self._write_file(fs, new, part)
                    for f in mine:
                        if dt in f.days:
                            fs.delete_file(posixpath.join(base_path, f.key))
        return sorted(dts)

    def rewrite_month(
        self,
        name: str | TableDef,
        month: str,
        files: list[TableFile] | None = None,
        *,
        replace: Mapping[str, pa.Table | None] | None = None,
    ) -> tuple[int, int]:
        """Write a month of a table as its one month file, then delete its other files: (rows in, rows out).

        The rows are those of the month's live `files` (listed if not given), with the days in
        `replace` replaced by the rows given (None or no rows: the day dropped), in dt order: row
        groups sorted by dt, dt statistics kept, so a dt filter skips them. The rows written are
        counted back from the new file's footer before any old file is removed: a mismatch is a
        LakeError and leaves the old files in place. A month left without rows loses its files.
        """
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        from cafelake.schemas import STATISTICS_COLUMNS, conform

        tdef = self._tdef(name)
        fs, base_path = self.filesystem(tdef.zone, tdef.location)
        files = [f for f in (self._listing(tdef)[0] if files is None else files) if f.month == month]
        replace = dict(replace or {})
        live = live_files(files)
        days = sorted(({d for f in live for d in f.days} - set(replace)) | {d for d, t in replace.items() if t})
        sources = _DaySources(fs, base_path, live)
        token = new_token()
        old = {d: v for f in live if f.compacted for d, v in self._month_versions(tdef, f).items()}
        versions = {d: token if d in replace else old.get(d, sources.by_day[d].token) for d in days}
        sidecar = posixpath.join(tdef.location, versions_key(month, token))
        if days:  # before the month file: a reader who sees it finds its days' versions
            self.put_bytes(tdef.zone, sidecar, json.dumps(versions, indent=0).encode())
        schema = tdef.schema.append(pa_field_dt())
        key = month_file_key(month, set(days), token)
        final = posixpath.join(base_path, key)
        local = isinstance(fs, _local_fs())
        target = posixpath.join(posixpath.dirname(final), f".{posixpath.basename(final)}.tmp") if local else final
        rows_in = rows_out = 0
        writer: pq.ParquetWriter | None = None
        pending: list[pa.Table] = []

        def flush(last: bool) -> None:
            nonlocal writer, pending
            whole = pa_concat(pending, schema)
            cut = whole.num_rows if last else whole.num_rows - whole.num_rows % ROW_GROUP_SIZE
            if cut and writer is None:
                fs.create_dir(posixpath.dirname(final), recursive=True)
                writer = pq.ParquetWriter(
                    target,
                    schema,
                    filesystem=fs,
                    compression="zstd",
                    use_dictionary=_dictionary_columns(whole),
                    write_statistics=[c for c in schema.names if c in STATISTICS_COLUMNS],
                    store_schema=False,
                )
            if cut:
                writer.write_table(whole.slice(0, cut), row_group_size=ROW_GROUP_SIZE)
            pending = [whole.slice(cut)]

        try:
            for dt in days:
                part = replace[dt] if dt in replace else sources.read(dt)
                part = conform(part, tdef)
                if not pc.all(pc.equal(part.column(PARTITION_KEY), dt)).as_py() and part.num_rows:
                    raise LakeError(f"{tdef.name}: rows for {dt} hold another {PARTITION_KEY}")
                rows_in += part.num_rows
                pending.append(part)
                if sum(t.num_rows for t in pending) >= ROW_GROUP_SIZE:
                    flush(last=False)
            flush(last=True)
        finally:
            if writer is not None:
                writer.close()
        if writer is not None:
            if local:
                fs.move(target, final)
            rows_out = pq.read_metadata(final, filesystem=fs).num_rows
            if rows_out != rows_in:
                fs.delete_file(final)
                self.delete(tdef.zone, sidecar)
                raise LakeError(f"{tdef.name} {month}: {rows_in} rows read but {rows_out} written; nothing removed")
        for f in files:
            fs.delete_file(posixpath.join(base_path, f.key))
            if f.compacted:
                self.delete(tdef.zone, posixpath.join(tdef.location, versions_key(f.month, f.token)))
        return rows_in, rows_out

    def _write_file(self, fs: pafs.FileSystem, path: str, part: pa.Table) -> None:
        """Write one Parquet file whole: in a folder under a hidden name, then renamed (no reader, nor a
        crash, sees a partial file); on S3 a PutObject is atomic already (and a rename would be a copy)."""
        import pyarrow.fs as pafs
        import pyarrow.parquet as pq

        from cafelake.schemas import STATISTICS_COLUMNS

        folder = posixpath.dirname(path)
        local = isinstance(fs, pafs.LocalFileSystem)
        if local:  # S3 has no folders to make (pyarrow would check and mark each level: requests per file)
            fs.create_dir(folder, recursive=True)
        tmp = posixpath.join(folder, f".{posixpath.basename(path)}.tmp")
        pq.write_table(
            part,
            tmp if local else path,
            filesystem=fs,
            compression="zstd",
            row_group_size=ROW_GROUP_SIZE,
            use_dictionary=_dictionary_columns(part),
            write_statistics=[c for c in part.column_names if c in STATISTICS_COLUMNS],
            store_schema=False,
        )  # readers apply the TableDef schema; smaller footers
        if local:
            fs.move(tmp, path)

    def _replace_dir(self, fs: pafs.FileSystem, folder: str, tbl: pa.Table, token: str) -> None:
        """An unpartitioned table: its one new file, then its other files deleted."""
        import pyarrow.fs as pafs

        new = posixpath.join(folder, f"part-{token}.parquet")
        self._write_file(fs, new, tbl)
        infos = fs.get_file_info(pafs.FileSelector(folder, recursive=False, allow_not_found=True))
        for info in infos:
            if info.type == pafs.FileType.File and info.path != new and info.path.endswith(".parquet"):
                fs.delete_file(info.path)

    def drop_partitions(self, name: str | TableDef, dts: Iterable[str]) -> None:
        """Delete whole days (e.g. a day whose posts all moved or vanished); a compacted month is rewritten
        without them."""
        tdef = self._tdef(name)
        dts = set(dts)
        if not dts:
            return
        fs, base_path = self.filesystem(tdef.zone, tdef.location)
        files = self._listing(tdef)[0]
        for month in sorted({month_of(d) for d in dts}):
            mine = [f for f in files if f.month == month]
            gone = {d for d in dts if month_of(d) == month}
            if any(f.compacted and f.days & gone for f in live_files(mine)):
                self.rewrite_month(tdef, month, mine, replace=dict.fromkeys(gone))
                continue
            for f in mine:
                if not f.compacted and f.days & gone:
                    fs.delete_file(posixpath.join(base_path, f.key))

    def month_files(self, name: str | TableDef) -> dict[str, list[TableFile]]:
        """month -> every data file of a partitioned table in it (live or left over), from one listing."""
        out: dict[str, list[TableFile]] = {}
        for f in self._listing(self._tdef(name))[0]:
            out.setdefault(f.month, []).append(f)
        return dict(sorted(out.items()))

    def table_files(self, name: str | TableDef, *, dts: Iterable[str] | None = None) -> list[str]:
        """The table's live Parquet files (those holding rows of `dts`), as paths of its pyarrow filesystem.

        A month file holds every day of its month: a reader of some days filters on dt (`dataset` does).
        """
        return list(self._file_sizes(self._tdef(name), dts))

    def _file_sizes(self, tdef: TableDef, dts: Iterable[str] | None = None) -> dict[str, int]:
        """`table_files` with each file's size, from the table's one listing: readers given the sizes skip
        a HEAD request per file on S3."""
        _, base_path = self.filesystem(tdef.zone, tdef.location)
        files, _, sizes = self._listing(tdef)
        if tdef.partitioned:
            wanted = None if dts is None else set(dts)
            live = [f.key for f in live_files(files) if wanted is None or f.days & wanted]
        else:
            live = sorted(k for k in sizes if "/" not in k and k.endswith(".parquet") and not is_hidden(k))
        return {posixpath.join(base_path, key): sizes[key] for key in live}

    def table_uris(self, name: str | TableDef, *, dts: Iterable[str] | None = None) -> list[str]:
        """`table_files` as URIs (a local path, or s3://bucket/key), for readers of their own (Spark)."""
        tdef = self._tdef(name)
        _, base_path = self.filesystem(tdef.zone, tdef.location)
        root = self.table_uri(tdef)
        return [root + path[len(base_path) :] for path in self.table_files(tdef, dts=dts)]

    def _fragments(self, tdef: TableDef, files: dict[str, int]) -> list[ds.ParquetFileFragment]:
        """The files as Parquet fragments that know their size (no HEAD request); dt is in every file."""
        import pyarrow.dataset as ds

        fs, _ = self.filesystem(tdef.zone, tdef.location)
        fmt = ds.ParquetFileFormat()
        return [fmt.make_fragment(path, fs, file_size=size) for path, size in files.items()]

    def unreadable_files(self, name: str | TableDef) -> dict[str, str]:
        """The table's files whose Parquet footer cannot be read (truncated, corrupt), each with why.

        A footer is a few KB at the file's end: reading every file's costs little next to a query,
        and they are read in parallel (on S3 each is a round trip).
        """
        import pyarrow as pa

        tdef = self._tdef(name)

        def why(fragment: ds.ParquetFileFragment) -> str | None:
            try:
                fragment.ensure_complete_metadata()
            except (pa.ArrowException, OSError) as exc:
                if _UNREACHABLE in str(exc):
                    raise  # S3 refused or did not answer: the file may be sound, and must not be discarded
                return str(exc).splitlines()[0]
            return None

        fragments = self._fragments(tdef, self._file_sizes(tdef))
        with reaching(self.table_uri(tdef)), ThreadPoolExecutor(FOOTER_READERS) as pool:
            return {f.path: w for f, w in zip(fragments, pool.map(why, fragments), strict=True) if w is not None}

    def discard_unreadable(self, names: Iterable[str | TableDef]) -> dict[str, str]:
        """Delete the tables' unreadable files (the stage that owns them is about to rebuild); returns them."""
        bad = {}
        for name in names:
            tdef = self._tdef(name)
            fs, _ = self.filesystem(tdef.zone, tdef.location)
            for path, why in self.unreadable_files(tdef).items():
                fs.delete_file(path)
                bad[path] = why
        return bad

    def dataset(self, name: str | TableDef, *, dts: Iterable[str] | None = None) -> ds.Dataset | None:
        """A pyarrow dataset over the table (pruned and filtered to `dts`), or None if it holds no files."""
        import pyarrow as pa
        import pyarrow.dataset as ds

        tdef = self._tdef(name)
        files = self._file_sizes(tdef, dts)
        if not files:
            return None
        fs, _ = self.filesystem(tdef.zone, tdef.location)
        schema = tdef.schema.append(pa_field_dt()) if tdef.partitioned else tdef.schema
        d = ds.FileSystemDataset(self._fragments(tdef, files), schema, ds.ParquetFileFormat(), fs)
        if tdef.partitioned and dts is not None:
            d = d.filter(ds.field(PARTITION_KEY).isin(pa.array(sorted(set(dts)), pa.string())))
        return d

    def read_table(
        self, name: str | TableDef, *, dts: Iterable[str] | None = None, columns: list[str] | None = None
    ) -> pa.Table:
        """Read a table (optionally only some partitions and columns); empty if it has no data."""
        import pyarrow as pa

        tdef = self._tdef(name)
        d = self.dataset(tdef, dts=dts)
        if d is None:
            empty = tdef.schema.append(pa_field_dt()) if tdef.partitioned else tdef.schema
            return empty.empty_table().select(columns) if columns else empty.empty_table()
        try:
            return d.to_table(columns=columns)
        except pa.ArrowInvalid as exc:  # pyarrow's message names the file: a truncated or foreign one
            raise LakeError(
                f"{tdef.name}: {' '.join(str(exc).split())}; rerun the stage that writes it, or remove the file"
            ) from exc

    def iter_batches(
        self,
        name: str | TableDef,
        *,
        dts: Iterable[str] | None = None,
        columns: list[str] | None = None,
        batch_size: int = 16_384,
    ) -> Iterator[pa.RecordBatch]:
        """Stream a table in record batches, so memory stays flat as the lake grows."""
        d = self.dataset(name, dts=dts)
        if d is not None:
            yield from d.to_batches(columns=columns, batch_size=batch_size)
