"""Build the wheels the tokenize Glue job installs, once, into build/glue/.

Glue 5.0 (Python 3.11) installs `--additional-python-modules` with pip; the CDK app
uploads these files as assets and passes their S3 paths. kiwipiepy-model ships only
as an ~88 MB sdist, so it is built into a wheel here once instead of on every job
start. Third-party wheels are cached by version (a file already present is reused);
the cafelake wheel is rebuilt every time, since its code changes under one version.

    python scripts/build_glue_artifacts.py [--out build/glue]

Writes `<out>/manifest.json`:
    {"python": "3.11", "platform": "manylinux2014_x86_64",
     "artifacts": [{"role": "cafelake" | "kiwipiepy" | "kiwipiepy-model" | "tqdm",
                    "file": "<wheel file name>", "version": "...", "size": <bytes>, "sha256": "<hex>"}, ...]}
in install order; `--additional-python-modules` is the artifacts' S3 paths joined by commas.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "build" / "glue"
PYTHON = "3.11"
PLATFORM = "manylinux2014_x86_64"
# (role, distribution name, wheel file-name prefix): versions are those pinned in this venv
THIRD_PARTY = (("kiwipiepy", "kiwipiepy", "kiwipiepy-"), ("kiwipiepy-model", "kiwipiepy_model", "kiwipiepy_model-"),
               ("tqdm", "tqdm", "tqdm-"))


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args], check=True)


def _cached(out: Path, prefix: str, ver: str) -> Path | None:
    found = sorted(out.glob(f"{prefix}{ver}-*.whl"))
    return found[0] if found else None


def _fetch(role: str, dist: str, ver: str, out: Path) -> None:
    """Download (or build) one third-party wheel into `out`."""
    if role == "kiwipiepy-model":  # sdist only on the registry: build its wheel, once
        _pip("wheel", "--no-deps", "--wheel-dir", str(out), f"{dist}=={ver}")
    else:
        _pip("download", "--no-deps", "--only-binary=:all:", "--platform", PLATFORM, "--python-version", PYTHON,
             "--dest", str(out), f"{dist}=={ver}")


def _build_cafelake(out: Path) -> Path:
    for old in out.glob("cafelake-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        _pip("wheel", "--no-deps", "--wheel-dir", tmp, str(ROOT))
        (wheel,) = Path(tmp).glob("cafelake-*.whl")
        return Path(wheel.replace(out / wheel.name))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def manifest(out: Path, files: list[tuple[str, Path, str]]) -> dict:
    """The manifest of (role, wheel, version) entries, in install order."""
    return {"python": PYTHON, "platform": PLATFORM,
            "artifacts": [{"role": role, "file": p.name, "version": ver, "size": p.stat().st_size,
                           "sha256": _sha256(p)} for role, p, ver in files]}


def build(out: Path = DEFAULT_OUT, *, cafelake: bool = True) -> dict:
    """Fetch what is missing, rebuild the cafelake wheel, write and return the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    files: list[tuple[str, Path, str]] = []
    for role, dist, prefix in THIRD_PARTY:
        ver = version(dist)
        path = _cached(out, prefix, ver)
        if path is None:
            _fetch(role, dist, ver, out)
            path = _cached(out, prefix, ver)
            if path is None:
                raise RuntimeError(f"no {prefix}{ver}-*.whl in {out} after fetching {dist}")
        files.append((role, path, ver))
    if cafelake:
        files.insert(0, ("cafelake", _build_cafelake(out), version("cafelake")))
    elif existing := sorted(out.glob(f"cafelake-{version('cafelake')}-*.whl")):
        files.insert(0, ("cafelake", existing[0], version("cafelake")))
    data = manifest(out, files)
    (out / "manifest.json").write_text(json.dumps(data, indent=1) + "\n")
    return data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default build/glue)")
    args = parser.parse_args(argv)
    data = build(args.out)
    for a in data["artifacts"]:
        print(f"{a['file']}  {a['size']:>10}  {a['sha256'][:16]}")


if __name__ == "__main__":
    main()
