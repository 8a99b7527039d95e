"""Shared helpers of the rehearsal tests (a uniquely named module: tests have no packages)."""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "infra"))

# Each step of the rehearsal and how long it took, printed at the end of the session.
TIMINGS: dict[str, float] = {}


def timed(label: str, fn, *args, **kwargs):
    start = time.monotonic()
    try:
        return fn(*args, **kwargs)
    finally:
        TIMINGS[label] = time.monotonic() - start


def wheel(name: str, version: str, files: dict[str, str]) -> tuple[str, bytes]:
    """(file name, bytes) of a pure-Python wheel holding these files, with a valid RECORD."""
    dist = f"{name.replace('-', '_')}-{version}"
    entries = {
        **files,
        f"{dist}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: rehearsal-tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }

    def record_line(path: str, text: str) -> str:
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        return f"{path},sha256={digest},{len(data)}"

    record = "\n".join([*(record_line(p, t) for p, t in entries.items()), f"{dist}.dist-info/RECORD,,"]) + "\n"
    return f"{dist}-py3-none-any.whl", _zip({**entries, f"{dist}.dist-info/RECORD": record})


def zip_of_wheels(wheels: list[tuple[str, bytes]], pins: list[str]) -> bytes:
    """A zip of wheels as Glue 5.0 documents it: wheels/<wheel> and wheels/requirements.txt."""
    return _zip(
        {
            "wheels/requirements.txt": "".join(f"{p}\n" for p in pins),
            **{f"wheels/{name}": data for name, data in wheels},
        }
    )


def _zip(files: dict[str, str | bytes]) -> bytes:
    """A zip with fixed dates: the same files give the same bytes (and the same cached environment)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path, data in files.items():
            zf.writestr(zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()
