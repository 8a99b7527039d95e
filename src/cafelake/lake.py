"""The lake interface: zone tables and raw objects on a local folder or on S3.

Tables go through pyarrow filesystems (one code path for a folder and for S3, so what
the tests exercise locally is what runs in Glue). Objects go through plain files or
boto3, so the scraper Lambda needs no pyarrow: it is imported only for tables. Tables are Parquet (zstd) under
`<zone root>/<table>/dt=YYYY-MM-DD/`; a write replaces whole partitions, so a re-run
never duplicates rows. Files and folders starting with `_` or `.` are invisible to
readers (as they are to Athena), which is where state and quarantine live.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.fs as pafs

    from cafelake.schemas import TableDef

ZONES = ("raw", "cleansed", "tokenized")
PARTITION_KEY = "dt"

DEFAULT_LAKE = "./lake"
ROW_GROUP_SIZE = 128 * 1024


def _is_s3(uri: str) -> bool:
    return uri.startswith("s3://")


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


def _local_etag(data: bytes) -> str:
    return f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'


def _local_put_if(path: Path, data: bytes, etag: str | None) -> str | None:
    """`Lake.put_bytes_if` on a local folder (POSIX: link(2) and flock(2))."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}")
    tmp.write_bytes(data)
    try:
        with open(path.with_name(f".{path.name}.lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if etag is None:
                try:
                    os.link(tmp, path)  # fails if the file exists
                except FileExistsError:
                    return None
            else:
                try:
                    if _local_etag(path.read_bytes()) != etag:
                        return None
                except FileNotFoundError:
                    return None
                os.replace(tmp, path)
            return _local_etag(data)
    finally:
        tmp.unlink(missing_ok=True)


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
        if not _is_s3(self.root):
            self.root = str(Path(self.root).expanduser().resolve())
        for zone in ZONES:
            self.zone_roots.setdefault(zone, posixpath.join(self.root, zone))
        self._fs: dict[bool, pafs.FileSystem] = {}
        self._s3_client: Any = None

    @classmethod
    def from_env(cls, root: str | None = None) -> Lake:
        """Lake from arguments and environment: CAFELAKE_LAKE, CAFELAKE_<ZONE>_URI, CAFELAKE_S3_ENDPOINT."""
        zone_roots = {z: v for z in ZONES if (v := os.environ.get(f"CAFELAKE_{z.upper()}_URI"))}
        return cls(
            root=root or os.environ.get("CAFELAKE_LAKE", DEFAULT_LAKE),
            zone_roots=zone_roots,
            endpoint_url=os.environ.get("CAFELAKE_S3_ENDPOINT") or None,
            region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
        )

    # --- paths -------------------------------------------------------------------
    def uri(self, zone: str, *parts: str) -> str:
        """Full URI (local path or s3://) of a key below a zone root."""
        if zone not in self.zone_roots:
            raise ValueError(f"unknown zone {zone!r}; zones are {', '.join(ZONES)}")
        return posixpath.join(self.zone_roots[zone], *[p.strip("/") for p in parts if p])

    def _fs_path(self, uri: str) -> tuple[pafs.FileSystem, str]:
        import pyarrow.fs as pafs

        s3 = _is_s3(uri)
        if s3 not in self._fs:
            if s3:
                kwargs: dict = {"region": self.region or "us-east-1"}
                if self.endpoint_url:
                    scheme, _, host = self.endpoint_url.partition("://")
                    kwargs.update(endpoint_override=host, scheme=scheme)
                self._fs[s3] = pafs.S3FileSystem(**kwargs)
            else:
                self._fs[s3] = pafs.LocalFileSystem()
        return self._fs[s3], (uri[len("s3://"):] if s3 else uri)

    # --- objects (no pyarrow) ---------------------------------------------------------
    def _s3(self) -> Any:
        if self._s3_client is None:
            import boto3

            self._s3_client = boto3.client("s3", endpoint_url=self.endpoint_url, region_name=self.region)
        return self._s3_client

    @staticmethod
    def _split(uri: str) -> tuple[str, str]:
        bucket, _, key = uri[len("s3://"):].partition("/")
        return bucket, key

    def put_bytes(self, zone: str, key: str, data: bytes) -> str:
        """Write an object whole; a reader never sees a partial object. Returns its URI."""
        uri = self.uri(zone, key)
        if _is_s3(uri):
            bucket, k = self._split(uri)
            self._s3().put_object(Bucket=bucket, Key=k, Body=data)
        else:
            path = Path(uri)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".tmp-{uuid.uuid4().hex}")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return uri

    def get_bytes(self, zone: str, key: str) -> bytes:
        """Read an object; FileNotFoundError if it does not exist."""
        uri = self.uri(zone, key)
        if not _is_s3(uri):
            return Path(uri).read_bytes()
        bucket, k = self._split(uri)
        client = self._s3()
        try:
            return client.get_object(Bucket=bucket, Key=k)["Body"].read()
        except client.exceptions.NoSuchKey:
            raise FileNotFoundError(uri) from None

    def get_bytes_etag(self, zone: str, key: str) -> tuple[bytes, str]:
        """An object and its ETag (what `put_bytes_if` compares); FileNotFoundError if it does not exist."""
        uri = self.uri(zone, key)
        if not _is_s3(uri):
            data = Path(uri).read_bytes()
            return data, _local_etag(data)
        bucket, k = self._split(uri)
        client = self._s3()
        try:
            got = client.get_object(Bucket=bucket, Key=k)
        except client.exceptions.NoSuchKey:
            raise FileNotFoundError(uri) from None
        return got["Body"].read(), got["ETag"]

    def put_bytes_if(self, zone: str, key: str, data: bytes, *, etag: str | None = None) -> str | None:
        """Compare-and-swap for small coordination objects: write only if the object does not exist yet
        (`etag` None) or still has `etag`. Returns the new ETag, or None when someone else wrote first.

        On S3 a conditional PutObject (If-None-Match: *, If-Match), atomic in S3 itself; locally a
        hard link (fails if the file exists) or a compare under an exclusive file lock.
        """
        uri = self.uri(zone, key)
        if not _is_s3(uri):
            return _local_put_if(Path(uri), data, etag)
        bucket, k = self._split(uri)
        client = self._s3()
        condition = {"IfMatch": etag} if etag is not None else {"IfNoneMatch": "*"}
        try:
            return client.put_object(Bucket=bucket, Key=k, Body=data, **condition)["ETag"]
        except client.exceptions.ClientError as exc:
            # 412: the condition failed; 409: a concurrent conditional write won; 404: If-Match on a gone object
            if exc.response["Error"]["Code"] in ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"):
                return None
            raise

    def exists(self, zone: str, key: str) -> bool:
        uri = self.uri(zone, key)
        if not _is_s3(uri):
            return Path(uri).exists()
        bucket, k = self._split(uri)
        try:
            self._s3().head_object(Bucket=bucket, Key=k)
        except self._s3().exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, zone: str, key: str) -> None:
        """Delete an object, or every object below a prefix."""
        uri = self.uri(zone, key)
        if not _is_s3(uri):
            path = Path(uri)
            if path.is_dir():
                import shutil

                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
            return
        bucket, k = self._split(uri)
        keys = [k] + [self.uri(zone, x)[len(f"s3://{bucket}/"):] for x in self.list_keys(zone, key, include_hidden=True)]
        for i in range(0, len(keys), 1000):
            self._s3().delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": x} for x in keys[i:i + 1000]]})

    def list_keys(self, zone: str, prefix: str = "", *, include_hidden: bool = False) -> list[str]:
        """Keys of the objects below `prefix` in a zone, relative to the zone root, sorted.

        Below the prefix, keys with a part starting with `_` or `.` are hidden unless asked for.
        """
        base = self.uri(zone)
        start = self.uri(zone, prefix)
        if _is_s3(base):
            bucket, base_key = self._split(base)
            _, start_key = self._split(start)
            found = []
            for page in self._s3().get_paginator("list_objects_v2").paginate(
                    Bucket=bucket, Prefix=f"{start_key}/" if start_key else ""):
                found += [o["Key"] for o in page.get("Contents", [])]
            rels = [(posixpath.relpath(k, base_key) if base_key else k, posixpath.relpath(k, start_key or "."))
                    for k in found]
        else:
            root = Path(start)
            files = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
            rels = [(p.relative_to(base).as_posix(), p.relative_to(root).as_posix()) for p in files]
        return sorted(rel for rel, below in rels
                      if include_hidden or not any(part.startswith((".", "_")) for part in below.split("/")))

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
        fs, path = self._fs_path(self.table_uri(tdef))
        infos = fs.get_file_info(pafs.FileSelector(path, recursive=False, allow_not_found=True))
        prefix = f"{PARTITION_KEY}="
        return sorted(
            posixpath.basename(i.path)[len(prefix):]
            for i in infos
            if i.type == pafs.FileType.Directory and posixpath.basename(i.path).startswith(prefix)
        )

    def write_table(self, name: str | TableDef, tbl: pa.Table) -> list[str]:
        """Replace the partitions present in `tbl` (or the whole table if unpartitioned).

        New files are written first under unique names, then the partition's other files
        are deleted: readers never see an empty partition, and a re-run converges.
        Returns the dt values written.
        """
        import pyarrow.compute as pc

        from cafelake.schemas import conform

        tdef = self._tdef(name)
        tbl = conform(tbl, tdef)
        base = self.table_uri(tdef)
        fs, base_path = self._fs_path(base)
        token = uuid.uuid4().hex[:12]
        if not tdef.partitioned:
            self._replace_dir(fs, base_path, {"": tbl}, token)
            return []
        dts = pc.unique(tbl.column(PARTITION_KEY)).to_pylist()
        if any(d is None for d in dts):
            raise ValueError(f"{tdef.name}: null {PARTITION_KEY} values")
        parts = {}
        for dt in sorted(dts):
            part = tbl.filter(pc.equal(tbl.column(PARTITION_KEY), dt)).drop_columns([PARTITION_KEY])
            parts[f"{PARTITION_KEY}={dt}"] = part
        self._replace_dir(fs, base_path, parts, token)
        return sorted(dts)

    def _replace_dir(self, fs: pafs.FileSystem, base: str, parts: dict[str, pa.Table], token: str) -> None:
        import pyarrow.fs as pafs
        import pyarrow.parquet as pq

        from cafelake.schemas import STATISTICS_COLUMNS

        for sub, part in parts.items():
            folder = posixpath.join(base, sub) if sub else base
            fs.create_dir(folder, recursive=True)
            new = posixpath.join(folder, f"part-{token}.parquet")
            pq.write_table(part, new, filesystem=fs, compression="zstd", row_group_size=ROW_GROUP_SIZE,
                           use_dictionary=_dictionary_columns(part),
                           write_statistics=[c for c in part.column_names if c in STATISTICS_COLUMNS],
                           store_schema=False)  # readers apply the TableDef schema; smaller footers
            infos = fs.get_file_info(pafs.FileSelector(folder, recursive=False, allow_not_found=True))
            for info in infos:
                if info.type == pafs.FileType.File and info.path != new and info.path.endswith(".parquet"):
                    fs.delete_file(info.path)

    def drop_partitions(self, name: str | TableDef, dts: Iterable[str]) -> None:
        """Delete whole partitions (e.g. a day whose posts all moved or vanished)."""
        tdef = self._tdef(name)
        for dt in dts:
            self.delete(tdef.zone, posixpath.join(tdef.location, f"{PARTITION_KEY}={dt}"))

    def dataset(self, name: str | TableDef, *, dts: Iterable[str] | None = None) -> ds.Dataset | None:
        """A pyarrow dataset over the table (pruned to `dts`), or None if it holds no files."""
        import pyarrow as pa
        import pyarrow.dataset as ds
        import pyarrow.fs as pafs

        tdef = self._tdef(name)
        base = self.table_uri(tdef)
        fs, base_path = self._fs_path(base)
        schema = tdef.schema
        if tdef.partitioned:
            schema = schema.append(pa.field(PARTITION_KEY, pa.string()))
            wanted = self.partitions(tdef) if dts is None else sorted(set(dts) & set(self.partitions(tdef)))
            folders = [posixpath.join(base_path, f"{PARTITION_KEY}={d}") for d in wanted]
        else:
            folders = [base_path] if fs.get_file_info(base_path).type == pafs.FileType.Directory else []
        files = []
        for folder in folders:
            infos = fs.get_file_info(pafs.FileSelector(folder, recursive=False, allow_not_found=True))
            files += sorted(i.path for i in infos if i.type == pafs.FileType.File and i.path.endswith(".parquet")
                            and not posixpath.basename(i.path).startswith((".", "_")))
        if not files:
            return None
        partitioning = ds.partitioning(pa.schema([pa.field(PARTITION_KEY, pa.string())]), flavor="hive") \
            if tdef.partitioned else None
        return ds.dataset(files, schema=schema, format="parquet", filesystem=fs,
                          partitioning=partitioning, partition_base_dir=base_path)

    def read_table(self, name: str | TableDef, *, dts: Iterable[str] | None = None,
                   columns: list[str] | None = None) -> pa.Table:
        """Read a table (optionally only some partitions and columns); empty if it has no data."""
        import pyarrow as pa

        tdef = self._tdef(name)
        d = self.dataset(tdef, dts=dts)
        if d is None:
            empty = tdef.schema.append(pa.field(PARTITION_KEY, pa.string())) if tdef.partitioned else tdef.schema
            return empty.empty_table().select(columns) if columns else empty.empty_table()
        return d.to_table(columns=columns)

    def iter_batches(self, name: str | TableDef, *, dts: Iterable[str] | None = None,
                     columns: list[str] | None = None, batch_size: int = 16_384) -> Iterator[pa.RecordBatch]:
        """Stream a table in record batches, so memory stays flat as the lake grows."""
        d = self.dataset(name, dts=dts)
        if d is not None:
            yield from d.to_batches(columns=columns, batch_size=batch_size)
