"""The lake interface: zone tables and raw objects, on any object store (`store.py`).

Objects go straight to the zone's store; tables go through the store's pyarrow filesystem,
one code path for a folder and for S3, so what the tests exercise locally is what runs in
Glue. pyarrow is imported only for tables: the scraper Lambda, which writes objects, has
none. Tables are Parquet (zstd) under `<zone root>/<table>/dt=YYYY-MM-DD/`; a write replaces
whole partitions, so a re-run never duplicates rows. Keys with a part starting with `_` or
`.` are invisible to readers (`layout.is_hidden`, as they are to Athena): state, run
records and quarantine live there.
"""

from __future__ import annotations

import posixpath
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cafelake.environment import DEFAULT_LAKE, Environment
from cafelake.errors import LakeError
from cafelake.layout import PARTITION_KEY, ZONES, is_hidden
from cafelake.store import ObjectStore, normalise, open_stores, reaching, writing

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.fs as pafs

    from cafelake.schemas import TableDef

__all__ = ["DEFAULT_LAKE", "PARTITION_KEY", "ZONES", "Lake"]

ROW_GROUP_SIZE = 128 * 1024
FOOTER_READERS = 16  # footers read at once: on S3 each is a round trip, and they are small


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

    def partitions(self, name: str | TableDef) -> list[str]:
        """The dt values a partitioned table holds, sorted."""
        import pyarrow.fs as pafs

        tdef = self._tdef(name)
        fs, path = self.filesystem(tdef.zone, tdef.location)
        with reaching(self.table_uri(tdef)):
            infos = fs.get_file_info(pafs.FileSelector(path, recursive=False, allow_not_found=True))
        prefix = f"{PARTITION_KEY}="
        return sorted(
            posixpath.basename(i.path)[len(prefix) :]
            for i in infos
            if i.type == pafs.FileType.Directory and posixpath.basename(i.path).startswith(prefix)
        )

    def write_table(self, name: str | TableDef, tbl: pa.Table) -> list[str]:
        """Replace the partitions present in `tbl` (or the whole table if unpartitioned).

        New files are written first under unique names (in a folder: under a hidden name, then
        renamed), then the partition's other files are deleted: readers never see an empty or a
        partial partition file, and a re-run converges.
        Returns the dt values written.
        """
        import pyarrow.compute as pc

        from cafelake.schemas import conform

        tdef = self._tdef(name)
        tbl = conform(tbl, tdef)
        fs, base_path = self.filesystem(tdef.zone, tdef.location)
        token = uuid.uuid4().hex[:12]
        if not tdef.partitioned:
            with writing(self.table_uri(tdef)):
                self._replace_dir(fs, base_path, {"": tbl}, token)
            return []
        dts = pc.unique(tbl.column(PARTITION_KEY)).to_pylist()
        if any(d is None for d in dts):
            raise ValueError(f"{tdef.name}: null {PARTITION_KEY} values")
        parts = {}
        for dt in sorted(dts):
            part = tbl.filter(pc.equal(tbl.column(PARTITION_KEY), dt)).drop_columns([PARTITION_KEY])
            parts[f"{PARTITION_KEY}={dt}"] = part
        with writing(self.table_uri(tdef)):
            self._replace_dir(fs, base_path, parts, token)
        return sorted(dts)

    def _replace_dir(self, fs: pafs.FileSystem, base: str, parts: dict[str, pa.Table], token: str) -> None:
        import pyarrow.fs as pafs
        import pyarrow.parquet as pq

        from cafelake.schemas import STATISTICS_COLUMNS

        for sub, part in parts.items():
            folder = posixpath.join(base, sub) if sub else base
            new = posixpath.join(folder, f"part-{token}.parquet")
            # In a folder the file is written under a hidden name and renamed: no reader (nor a crash)
            # sees a partial file. On S3 a PutObject is atomic already (and a rename would be a copy),
            # and there are no folders to make (pyarrow would check and mark each level: requests per file).
            local = isinstance(fs, pafs.LocalFileSystem)
            if local:
                fs.create_dir(folder, recursive=True)
            pq.write_table(
                part,
                posixpath.join(folder, f".part-{token}.parquet.tmp") if local else new,
                filesystem=fs,
                compression="zstd",
                row_group_size=ROW_GROUP_SIZE,
                use_dictionary=_dictionary_columns(part),
                write_statistics=[c for c in part.column_names if c in STATISTICS_COLUMNS],
                store_schema=False,
            )  # readers apply the TableDef schema; smaller footers
            if local:
                fs.move(posixpath.join(folder, f".part-{token}.parquet.tmp"), new)
            infos = fs.get_file_info(pafs.FileSelector(folder, recursive=False, allow_not_found=True))
            for info in infos:
                if info.type == pafs.FileType.File and info.path != new and info.path.endswith(".parquet"):
                    fs.delete_file(info.path)

    def drop_partitions(self, name: str | TableDef, dts: Iterable[str]) -> None:
        """Delete whole partitions (e.g. a day whose posts all moved or vanished)."""
        tdef = self._tdef(name)
        for dt in dts:
            self.delete(tdef.zone, posixpath.join(tdef.location, f"{PARTITION_KEY}={dt}"))

    def table_files(self, name: str | TableDef, *, dts: Iterable[str] | None = None) -> list[str]:
        """The table's visible Parquet files (in `dts`' partitions), as paths of its pyarrow filesystem."""
        return list(self._file_sizes(self._tdef(name), dts))

    def _file_sizes(self, tdef: TableDef, dts: Iterable[str] | None = None) -> dict[str, int]:
        """`table_files` with each file's size, from one listing of the whole table (not one per partition):
        on S3 a request per 1,000 files, and readers given the sizes skip a HEAD request per file."""
        _, base_path = self.filesystem(tdef.zone, tdef.location)
        with reaching(self.table_uri(tdef)):
            listed = self._stores[tdef.zone].sizes(self.table_uri(tdef))
        wanted = None if dts is None else {f"{PARTITION_KEY}={d}" for d in dts}
        depth = 2 if tdef.partitioned else 1
        files = {}
        for key in sorted(listed):
            parts = key.split("/")
            if len(parts) != depth or not key.endswith(".parquet") or is_hidden(key):
                continue
            if tdef.partitioned and not (
                parts[0].startswith(f"{PARTITION_KEY}=") if wanted is None else parts[0] in wanted
            ):
                continue
            files[posixpath.join(base_path, key)] = listed[key]
        return files

    def _fragments(self, tdef: TableDef, files: dict[str, int]) -> list[ds.ParquetFileFragment]:
        """The files as Parquet fragments that know their size (no HEAD request) and their partition."""
        import pyarrow.dataset as ds

        fs, _ = self.filesystem(tdef.zone, tdef.location)
        fmt = ds.ParquetFileFormat()
        out = []
        for path, size in files.items():
            where = None
            if tdef.partitioned:
                folder = posixpath.basename(posixpath.dirname(path))
                where = ds.field(PARTITION_KEY) == folder[len(PARTITION_KEY) + 1 :]
            out.append(fmt.make_fragment(path, fs, partition_expression=where, file_size=size))
        return out

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
                return str(exc).splitlines()[0]
            return None

        fragments = self._fragments(tdef, self._file_sizes(tdef))
        with ThreadPoolExecutor(FOOTER_READERS) as pool:
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
        """A pyarrow dataset over the table (pruned to `dts`), or None if it holds no files."""
        import pyarrow as pa
        import pyarrow.dataset as ds

        tdef = self._tdef(name)
        files = self._file_sizes(tdef, dts)
        if not files:
            return None
        fs, _ = self.filesystem(tdef.zone, tdef.location)
        schema = tdef.schema
        if tdef.partitioned:
            schema = schema.append(pa.field(PARTITION_KEY, pa.string()))
        return ds.FileSystemDataset(self._fragments(tdef, files), schema, ds.ParquetFileFormat(), fs)

    def read_table(
        self, name: str | TableDef, *, dts: Iterable[str] | None = None, columns: list[str] | None = None
    ) -> pa.Table:
        """Read a table (optionally only some partitions and columns); empty if it has no data."""
        import pyarrow as pa

        tdef = self._tdef(name)
        d = self.dataset(tdef, dts=dts)
        if d is None:
            empty = tdef.schema.append(pa.field(PARTITION_KEY, pa.string())) if tdef.partitioned else tdef.schema
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
