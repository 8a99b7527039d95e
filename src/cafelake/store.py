"""Object stores: whole objects under URIs, in a local folder or on S3, behind one interface.

The lake talks to an `ObjectStore` and never asks which one it holds; this module is the one
place that reads a URI's scheme (`open_stores`). Both stores give the same guarantees: a reader never sees a
partial object; `put_if` is an atomic compare-and-swap for small coordination objects (the
scraper's board lease); `list` returns every key below a folder, hidden ones included (what
readers skip is `layout.is_hidden`, applied by the lake). boto3 and pyarrow are imported when
first needed: the scraper Lambda reads and writes objects only, and carries no pyarrow.

This is also where the machine's and AWS's refusals arise, so this is where they become a
`LakeError` naming the place and what to do (`writing`, `_s3_errors`): a folder that cannot be
written, an S3 lake without credentials, an endpoint that does not answer. A missing object stays
a FileNotFoundError: callers ask for objects that may not exist yet.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cafelake.errors import LakeError

if TYPE_CHECKING:
    import pyarrow.fs as pafs

S3_SCHEME = "s3://"
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def writing(where: str) -> Iterator[None]:
    """The OS refusing a write below `where` (permissions, a file where a folder must be, a full disk): a LakeError."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, LakeError):
            raise
        why = exc.strerror or " ".join(str(exc).split())
        raise LakeError(
            f"cannot write to the lake at {exc.filename or where}: {why}; "
            "choose a lake folder you can write to (--lake or CAFELAKE_LAKE)"
        ) from exc


class ObjectStore(ABC):
    """Objects addressed by full URIs (a local path, or s3://bucket/key)."""

    @abstractmethod
    def put(self, uri: str, data: bytes) -> None:
        """Write an object whole; a reader sees the old object or the new one, never a part."""

    @abstractmethod
    def get(self, uri: str) -> bytes:
        """An object's bytes; FileNotFoundError if it does not exist."""

    @abstractmethod
    def get_with_etag(self, uri: str) -> tuple[bytes, str]:
        """An object and its ETag (what `put_if` compares); FileNotFoundError if it does not exist."""

    @abstractmethod
    def put_if(self, uri: str, data: bytes, etag: str | None) -> str | None:
        """Write only if the object does not exist yet (`etag` None) or still has `etag`.

        Returns the new ETag, or None when someone else wrote first.
        """

    @abstractmethod
    def exists(self, uri: str) -> bool: ...

    @abstractmethod
    def delete(self, uri: str) -> None:
        """Delete an object, or every object below a folder; nothing there is not an error."""

    def list(self, uri: str) -> list[str]:
        """Keys of every object below the folder `uri` (hidden ones too), relative to it, sorted."""
        return sorted(self.sizes(uri))

    @abstractmethod
    def sizes(self, uri: str) -> dict[str, int]:
        """Every object below the folder `uri` (hidden ones too), by key relative to it, with its size in bytes.

        One listing (on S3 a request per 1,000 keys): readers given the sizes skip a HEAD per file.
        """

    @abstractmethod
    def arrow(self, uri: str) -> tuple[pafs.FileSystem, str]:
        """The pyarrow filesystem holding `uri`, and the path pyarrow knows it by."""

    def local_path(self, uri: str) -> Path | None:
        """The object as a file on this machine (for readers that take paths, DuckDB), if it is one."""
        return None


def _md5_etag(data: bytes) -> str:
    return f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'


class LocalStore(ObjectStore):
    """A folder on this machine. Writes go to a hidden temporary name first, then are renamed."""

    def put(self, uri: str, data: bytes) -> None:
        path = Path(uri)
        with writing(uri):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".tmp-{uuid.uuid4().hex}")
            tmp.write_bytes(data)
            os.replace(tmp, path)

    def get(self, uri: str) -> bytes:
        return Path(uri).read_bytes()

    def get_with_etag(self, uri: str) -> tuple[bytes, str]:
        data = Path(uri).read_bytes()
        return data, _md5_etag(data)

    def put_if(self, uri: str, data: bytes, etag: str | None) -> str | None:
        """POSIX: link(2) fails if the file exists; a compare happens under an exclusive flock(2)."""
        import fcntl

        path = Path(uri)
        with writing(uri):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".tmp-{uuid.uuid4().hex}")
            tmp.write_bytes(data)
        try:
            with open(path.with_name(f".{path.name}.lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if etag is None:
                    try:
                        os.link(tmp, path)
                    except FileExistsError:
                        return None
                else:
                    try:
                        if _md5_etag(path.read_bytes()) != etag:
                            return None
                    except FileNotFoundError:
                        return None
                    os.replace(tmp, path)
                return _md5_etag(data)
        finally:
            tmp.unlink(missing_ok=True)

    def exists(self, uri: str) -> bool:
        return Path(uri).exists()

    def delete(self, uri: str) -> None:
        path = Path(uri)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)

    def sizes(self, uri: str) -> dict[str, int]:
        root = Path(uri)
        if not root.is_dir():
            return {}
        found = {}
        for path in root.rglob("*"):
            with contextlib.suppress(FileNotFoundError):  # renamed or deleted since the walk saw it
                if path.is_file():
                    found[path.relative_to(root).as_posix()] = path.stat().st_size
        return found

    def arrow(self, uri: str) -> tuple[pafs.FileSystem, str]:
        import pyarrow.fs as pafs

        return pafs.LocalFileSystem(), uri

    def local_path(self, uri: str) -> Path | None:
        return Path(uri)


@contextmanager
def reaching(where: str) -> Iterator[None]:
    """The store not answering a listing (pyarrow's S3 unreachable or refusing, an unreadable folder): a LakeError."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, (LakeError, FileNotFoundError)):
            raise
        raise LakeError(
            f"cannot read the lake at {where}: {' '.join(str(exc).split())}; check the lake's location "
            "(--lake, CAFELAKE_LAKE), CAFELAKE_S3_ENDPOINT and the AWS credentials"
        ) from exc


def _s3_errors(method: F) -> F:
    """botocore's refusals at the seam where they arise: no credentials, no endpoint, access denied."""

    @wraps(method)
    def translated(self: S3Store, uri: str, *args: Any, **kwargs: Any) -> Any:
        import botocore.exceptions as bex

        try:
            return method(self, uri, *args, **kwargs)
        except (bex.NoCredentialsError, bex.PartialCredentialsError) as exc:
            raise LakeError(
                f"{uri}: no AWS credentials found ({exc}); set AWS_PROFILE or AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or CAFELAKE_S3_ENDPOINT for a local S3"
            ) from exc
        except bex.EndpointConnectionError as exc:
            raise LakeError(
                f"{uri}: the S3 endpoint does not answer ({exc}); check CAFELAKE_S3_ENDPOINT and AWS_REGION"
            ) from exc
        except bex.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "NoSuchBucket", "403"):
                raise LakeError(
                    f"{uri}: S3 refused the request ({code}); check the bucket name and the credentials"
                ) from exc
            raise

    return translated  # type: ignore[return-value]


class S3Store(ObjectStore):
    """S3 (or a local S3 such as moto at `endpoint_url`). Each PutObject is atomic in S3 itself."""

    # put_if's condition failed: 412; a concurrent conditional write won: 409; If-Match on a gone object: 404
    _LOST_RACE = ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey")

    def __init__(self, endpoint_url: str | None = None, region: str | None = None) -> None:
        self.endpoint_url, self.region = endpoint_url, region
        self._client: Any = None
        self._fs: pafs.FileSystem | None = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3", endpoint_url=self.endpoint_url, region_name=self.region)
        return self._client

    @staticmethod
    def split(uri: str) -> tuple[str, str]:
        """s3://bucket/key -> (bucket, key)."""
        bucket, _, key = uri.removeprefix(S3_SCHEME).partition("/")
        return bucket, key

    @_s3_errors
    def put(self, uri: str, data: bytes) -> None:
        bucket, key = self.split(uri)
        self.client.put_object(Bucket=bucket, Key=key, Body=data)

    @_s3_errors
    def _get(self, uri: str) -> dict[str, Any]:
        bucket, key = self.split(uri)
        try:
            return self.client.get_object(Bucket=bucket, Key=key)
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(uri) from None

    def get(self, uri: str) -> bytes:
        return self._get(uri)["Body"].read()

    def get_with_etag(self, uri: str) -> tuple[bytes, str]:
        got = self._get(uri)
        return got["Body"].read(), got["ETag"]

    @_s3_errors
    def put_if(self, uri: str, data: bytes, etag: str | None) -> str | None:
        """A conditional PutObject: If-None-Match: * to create, If-Match to replace."""
        bucket, key = self.split(uri)
        condition = {"IfMatch": etag} if etag is not None else {"IfNoneMatch": "*"}
        try:
            return self.client.put_object(Bucket=bucket, Key=key, Body=data, **condition)["ETag"]
        except self.client.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] in self._LOST_RACE:
                return None
            raise

    @_s3_errors
    def exists(self, uri: str) -> bool:
        bucket, key = self.split(uri)
        try:
            self.client.head_object(Bucket=bucket, Key=key)
        except self.client.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    @_s3_errors
    def delete(self, uri: str) -> None:
        bucket, key = self.split(uri)
        keys = [key] + [f"{key}/{k}" if key else k for k in self.list(uri)]
        for i in range(0, len(keys), 1000):  # DeleteObjects takes at most 1,000 keys
            self.client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[i : i + 1000]]})

    @_s3_errors
    def sizes(self, uri: str) -> dict[str, int]:
        """A missing bucket holds nothing; a store that cannot be reached is an OSError naming the URI."""
        from botocore.exceptions import (
            BotoCoreError,
            EndpointConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
        )

        bucket, key = self.split(uri)
        prefix = f"{key.rstrip('/')}/" if key else ""
        found = {}
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                found.update((o["Key"][len(prefix) :], o["Size"]) for o in page.get("Contents", []))
        except self.client.exceptions.NoSuchBucket:
            return {}
        except (NoCredentialsError, PartialCredentialsError, EndpointConnectionError):
            raise  # named by _s3_errors, with what to set
        except BotoCoreError as exc:  # a timeout, a broken answer: `reaching` names the lake
            raise OSError(f"{uri}: {exc}") from exc
        return found

    def arrow(self, uri: str) -> tuple[pafs.FileSystem, str]:
        """pyarrow's S3 filesystem, in the store's region: it does not follow S3's region redirect."""
        if self._fs is None:
            import boto3
            import pyarrow.fs as pafs

            if boto3.Session().get_credentials() is None:  # pyarrow would only say ACCESS_DENIED, later
                raise LakeError(
                    f"{uri}: no AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY, or CAFELAKE_S3_ENDPOINT for a local S3"
                )

            # delayed open: a small file is one PutObject at close, not a multipart upload (four requests)
            kwargs: dict[str, Any] = {"region": self.region or "us-east-1", "allow_delayed_open": True}
            if self.endpoint_url:
                scheme, _, host = self.endpoint_url.partition("://")
                kwargs.update(endpoint_override=host, scheme=scheme)
            self._fs = pafs.S3FileSystem(**kwargs)
        return self._fs, uri.removeprefix(S3_SCHEME)


def is_local(uri: str) -> bool:
    return not uri.startswith(S3_SCHEME)


def normalise(uri: str) -> str:
    """A local path made absolute (so keys never depend on the working folder); an s3:// URI as it is."""
    return str(Path(uri).expanduser().resolve()) if is_local(uri) else uri


def open_stores(
    uris: Iterable[str], *, endpoint_url: str | None = None, region: str | None = None
) -> dict[str, ObjectStore]:
    """The store of each URI: S3 for s3:// URIs, else the local filesystem.

    URIs of one kind share one store (one S3 client, one pyarrow filesystem).
    """
    made: dict[bool, ObjectStore] = {}
    out = {}
    for uri in uris:
        local = is_local(uri)
        if local not in made:
            made[local] = LocalStore() if local else S3Store(endpoint_url, region)
        out[uri] = made[local]
    return out
