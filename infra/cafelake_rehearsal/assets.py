"""Publish the cloud assembly's file assets as `cdk deploy` (cdk-assets) publishes them.

For each file asset of `<stack>.assets.json` and each of its destinations: the bucket and key
the manifest names, with `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` filled in
for the target environment; a `file` asset is uploaded as it is, a `zip` (directory) asset as a
zip of the directory made the way cdk-assets makes it (every file, dotfiles too, symlinks
followed, in sorted order, dated 1980-01-01, with its mode). A missing bucket is an error, as
it is for an account that was never bootstrapped; an object already there is skipped.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .assembly import Assembly

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class NotBootstrapped(RuntimeError):
    """The manifest's bucket does not exist (`cdk bootstrap` was not run for the environment)."""


@dataclass(frozen=True)
class Published:
    asset_id: str
    bucket: str
    key: str
    packaging: str
    size: int


def placeholders(text: str, *, account: str, region: str, partition: str = "aws") -> str:
    return (
        text.replace("${AWS::AccountId}", account)
        .replace("${AWS::Region}", region)
        .replace("${AWS::Partition}", partition)
    )


def zip_directory(directory: Path) -> bytes:
    """The directory as cdk-assets zips it (see the module docstring)."""
    files = sorted(
        (Path(d) / f).relative_to(directory).as_posix()
        for d, _, names in os.walk(directory, followlinks=True)
        for f in names
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in files:
            path = directory / name
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = (os.stat(path).st_mode & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return buf.getvalue()


def publish(assembly: Assembly, s3: Any, *, account: str, region: str) -> list[Published]:
    """Upload every file asset to every destination; returns what is where."""
    out = []
    for asset_id, asset in assembly.asset_manifest.get("files", {}).items():
        source = assembly.outdir / asset["source"]["path"]
        packaging = asset["source"].get("packaging", "file")
        for dest in asset["destinations"].values():
            bucket = placeholders(dest["bucketName"], account=account, region=region)
            key = placeholders(dest["objectKey"], account=account, region=region)
            if not _bucket_exists(s3, bucket):
                raise NotBootstrapped(f"no bucket named {bucket!r}: is account {account} bootstrapped in {region}?")
            if not _object_exists(s3, bucket, key):
                if packaging == "zip":
                    data = zip_directory(source)
                    s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType="application/zip")
                else:
                    s3.upload_file(str(source), bucket, key)
            size = s3.head_object(Bucket=bucket, Key=key)["ContentLength"]
            out.append(Published(asset_id, bucket, key, packaging, size))
    return out


def _bucket_exists(s3: Any, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
    except s3.exceptions.ClientError:
        return False
    return True


def _object_exists(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError:
        return False
    return True
