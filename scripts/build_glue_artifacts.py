"""Build the closed, pinned set of wheels the Glue jobs install, once, into build/glue/, and one
"zip of wheels" per job, the artefact the job's `--additional-python-modules` names.

Glue 5.0 (Python 3.11, Amazon Linux 2023, glibc 2.34, x86_64) installs
`--additional-python-modules` with pip at every job start. The jobs pass pip `--no-index`, so
each job must ship the whole runtime closure of what it imports, pinned to the versions of
this venv (which constraints.txt pins): otherwise pip would fetch missing requirements from
the public index (failing without internet) and could swap Glue's numpy under other packages.

    cleanse:  cafelake (its core requirements)
    tokenize: cafelake[nlp] (the core plus kiwipiepy, kiwipiepy-model, scikit-learn)

and their requirements, environment markers evaluated as on Glue, except what Glue itself
must keep (GLUE_PROVIDED). Third-party wheels are cp311/abi3 manylinux x86_64 or pure
Python, cached by name and version (a compatible file already present is reused);
kiwipiepy-model ships only as an sdist, so its wheel is built here once; the cafelake wheel
is rebuilt every time, since its code changes under one version (reproducibly: the same code
gives the same bytes, so an unchanged build deploys nothing new).

Each job then gets one zip of wheels, `<job>.gluewheels.zip`: what "Using Python libraries with
AWS Glue" recommends for production on Glue 5.0 (one artefact holding every dependency as a
wheel: deterministic, one download, no package index needed, installable in a private VPC), named
as its example is (`....gluewheels.zip`) and laid out as its Appendix A says: a `wheels/`
folder holding the wheels under their own file names and a `wheels/requirements.txt` pinning
each of them (`name==version`). Glue installs it with pip; `--python-modules-installer-option
--no-index` keeps pip off any index. The wheels keep their real names, which pip needs: a wheel
uploaded as a content-hashed `<sha256>.whl` (what a CDK asset of a single wheel is) is refused
with "... is not a valid wheel filename.".

    python scripts/build_glue_artifacts.py [--out build/glue]

Writes `<out>/manifest.json`:
    {"python": "3.11", "platform": "manylinux_2_34_x86_64",
     "glue_provided": {"<dist>": "<why it is not shipped>", ...},
     "jobs": {"cleanse": ["cafelake", ...], "tokenize": ["cafelake[nlp]", ...]},   (what each job imports)
     "artifacts": [{"role": "<dist>", "file": "<wheel>", "version": "...", "size": <bytes>,
                    "sha256": "<hex>", "jobs": ["cleanse", "tokenize"]}, ...],
     "bundles": {"cleanse": {"file": "cleanse.gluewheels.zip", "size": <bytes>, "sha256": "<hex>",
                             "wheels": ["<wheel>", ...]}, ...}}
with the artifacts in dependency order (requirements first); a job's bundle holds, in that
order, the artifacts that name it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.tags import compatible_tags, cpython_tags
from packaging.utils import NormalizedName, canonicalize_name, parse_wheel_filename
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "build" / "glue"
PYTHON = "3.11"
# Glue 5.0 runs Amazon Linux 2023 (glibc 2.34), whose python3.11 is 3.11.6 or later since AL2023.3: the
# floor for Requires-Python (soupsieve 4.1 needs >= 3.11.5) and python_full_version markers.
PYTHON_FULL = "3.11.6"
GLIBC_MINOR = 34
# pip 23 does not widen a manylinux_2_X platform to older ones: list them all, newest (preferred) first.
PLATFORMS = (
    *(f"manylinux_2_{m}_x86_64" for m in range(GLIBC_MINOR, 4, -1)),
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
)
GLUE_TAGS = frozenset(
    (
        *cpython_tags((3, 11), abis=["cp311"], platforms=PLATFORMS),
        *compatible_tags((3, 11), interpreter="cp311", platforms=PLATFORMS),
    )
)
# PEP 508 marker environment of a Glue 5.0 worker.
GLUE_MARKERS = {
    "implementation_name": "cpython",
    "implementation_version": PYTHON_FULL,
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_release": "",
    "platform_system": "Linux",
    "platform_version": "",
    "python_full_version": PYTHON_FULL,
    "python_version": PYTHON,
    "sys_platform": "linux",
}
GLUE_PROVIDED = {
    "pyspark": "Glue's Spark runtime: a second pyspark would shadow the one wired to Glue's JVM.",
    "py4j": "the bridge to Glue's JVM, versioned with Glue's Spark.",
    "boto3": "Glue's AWS SDK, which awsglue and Glue's own connectors are built against.",
    "botocore": "boto3's core, kept at Glue's version together with boto3.",
    "awsglue": "Glue's job library (GlueContext, Job); it exists only inside Glue, on no index.",
}
# What each job imports, as requirements; Glue-provided ones are recorded, never shipped.
JOB_IMPORTS = {
    "cleanse": ("cafelake", "boto3"),  # boto3: the pseudonym secret and the run metrics
    "tokenize": ("cafelake[nlp]", "boto3", "pyspark"),  # pyspark: the --engine spark path
}
SDIST_ONLY = frozenset({"kiwipiepy-model"})  # no wheel on the registry: built from the sdist
LOCAL = "cafelake"
BUNDLE_SUFFIX = ".gluewheels.zip"  # Glue's documented name for a zip of wheels
BUNDLE_DIR = "wheels"  # the zip's one folder: the wheels and the requirements.txt pinning them
# Zip entries and the cafelake wheel carry this date, so equal inputs give equal bytes (1980-01-01,
# the earliest a zip can hold).
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
SOURCE_DATE_EPOCH = "315532800"

Graph = dict[NormalizedName, set[NormalizedName]]


def _pip(*args: str, env: Mapping[str, str] | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        check=True,
        env={**os.environ, **(env or {})},
    )


def installed_version(name: str) -> str:
    try:
        return distribution(name).version
    except PackageNotFoundError as err:
        raise RuntimeError(f"{name} is not installed in this venv (run `make install`)") from err


def on_glue(req: Requirement, extras: Iterable[str] = ()) -> bool:
    """Whether a requirement applies on Glue 5.0 when its owner is installed with these extras."""
    return req.marker is None or any(req.marker.evaluate({**GLUE_MARKERS, "extra": e}) for e in ("", *extras))


def requirements(name: str, extras: Iterable[str] = ()) -> list[Requirement]:
    """The installed distribution's requirements that apply on Glue with these extras."""
    reqs = [Requirement(r) for r in distribution(name).requires or ()]
    return [r for r in reqs if on_glue(r, extras)]


def closure(imports: Iterable[str]) -> Graph:
    """Distribution -> the distributions it requires, for everything `imports` pulls in on Glue,
    checked against the installed versions; Glue-provided distributions are left out."""
    graph: Graph = {}
    done: dict[NormalizedName, set[str]] = {}
    todo = [Requirement(r) for r in imports]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in GLUE_PROVIDED:
            continue
        if not req.specifier.contains(installed_version(name), prereleases=True):
            raise RuntimeError(f"installed {name} {installed_version(name)} does not meet {req}")
        extras = {"", *req.extras}
        if name in done and extras <= done[name]:
            continue
        done[name] = done.get(name, set()) | extras
        deps = graph.setdefault(name, set())
        for dep in requirements(name, done[name]):
            deps.add(canonicalize_name(dep.name))
            todo.append(dep)
        deps.difference_update(GLUE_PROVIDED)
    return graph


def dependency_order(graph: Mapping[NormalizedName, set[NormalizedName]]) -> list[NormalizedName]:
    """Every node after the nodes it requires (depth first, alphabetical for a stable order)."""
    order: list[NormalizedName] = []
    seen: set[NormalizedName] = set()

    def visit(node: NormalizedName) -> None:
        if node not in seen:
            seen.add(node)
            for dep in sorted(graph.get(node, ())):
                visit(dep)
            order.append(node)

    for node in sorted(graph):
        visit(node)
    return order


def job_wheels() -> tuple[list[NormalizedName], dict[NormalizedName, list[str]]]:
    """All distributions to ship, in dependency order, and which jobs need each."""
    graphs = {job: closure(imports) for job, imports in JOB_IMPORTS.items()}
    union: Graph = {}
    for graph in graphs.values():
        for node, deps in graph.items():
            union.setdefault(node, set()).update(deps)
    order = dependency_order(union)
    return order, {name: [job for job, g in graphs.items() if name in g] for name in order}


def glue_compatible(wheel: Path) -> bool:
    _, _, _, tags = parse_wheel_filename(wheel.name)
    return not tags.isdisjoint(GLUE_TAGS)


def _cached(out: Path, name: str, ver: str) -> Path | None:
    """A wheel of this distribution and version, installable on Glue, already in `out`."""
    for wheel in sorted(out.glob("*.whl")):
        dist, version, _, _ = parse_wheel_filename(wheel.name)
        if dist == canonicalize_name(name) and version == Version(ver) and glue_compatible(wheel):
            return wheel
    return None


def _fetch(name: str, ver: str, out: Path) -> None:
    """Download (or build, for an sdist-only distribution) one third-party wheel into `out`."""
    if name in SDIST_ONLY:
        _pip("wheel", "--no-deps", "--wheel-dir", str(out), f"{name}=={ver}")
    else:
        platforms = [a for p in PLATFORMS for a in ("--platform", p)]
        _pip(
            "download",
            "--no-deps",
            "--only-binary=:all:",
            *platforms,
            "--implementation",
            "cp",
            "--python-version",
            PYTHON_FULL,
            "--dest",
            str(out),
            f"{name}=={ver}",
        )


def _third_party(out: Path, name: str) -> Path:
    ver = installed_version(name)
    path = _cached(out, name, ver)
    if path is None:
        _fetch(name, ver, out)
        path = _cached(out, name, ver)
        if path is None:
            raise RuntimeError(f"no Glue-compatible wheel of {name} {ver} in {out} after fetching it")
    return path


def _build_cafelake(out: Path) -> Path:
    for old in out.glob("cafelake-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        _pip("wheel", "--no-deps", "--wheel-dir", tmp, str(ROOT), env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
        (wheel,) = Path(tmp).glob("cafelake-*.whl")
        return Path(wheel.replace(out / wheel.name))


def _existing_cafelake(out: Path) -> Path:
    path = _cached(out, LOCAL, installed_version(LOCAL))
    if path is None:
        raise RuntimeError(f"no cafelake wheel in {out}: build it (without cafelake=False)")
    return path


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def bundle(out: Path, job: str, wheels: list[tuple[str, Path]]) -> Path:
    """Write `<out>/<job>.gluewheels.zip`: `wheels/<wheel>` for each (role, wheel), in dependency
    order, and `wheels/requirements.txt` pinning each (`role==version`). Stored, not deflated
    (wheels are zips already), with fixed dates: the same wheels give the same bytes."""
    path = out / f"{job}{BUNDLE_SUFFIX}"
    pins = "".join(f"{role}=={parse_wheel_filename(p.name)[1]}\n" for role, p in wheels)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in (
            (f"{BUNDLE_DIR}/requirements.txt", pins.encode()),
            *((f"{BUNDLE_DIR}/{p.name}", p.read_bytes()) for _, p in wheels),
        ):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return tmp.replace(path)


def manifest(files: list[tuple[str, Path, list[str]]], bundles: Mapping[str, Path]) -> dict:
    """The manifest of (role, wheel, jobs) entries, in dependency order, and each job's bundle."""
    return {
        "python": PYTHON,
        "platform": PLATFORMS[0],
        "glue_provided": GLUE_PROVIDED,
        "jobs": {job: list(imports) for job, imports in JOB_IMPORTS.items()},
        "artifacts": [
            {
                "role": role,
                "file": p.name,
                "version": installed_version(role),
                "size": p.stat().st_size,
                "sha256": _sha256(p),
                "jobs": jobs,
            }
            for role, p, jobs in files
        ],
        "bundles": {
            job: {
                "file": p.name,
                "size": p.stat().st_size,
                "sha256": _sha256(p),
                "wheels": [w.name for _, w, jobs in files if job in jobs],
            }
            for job, p in bundles.items()
        },
    }


def build(out: Path = DEFAULT_OUT, *, cafelake: bool = True) -> dict:
    """Fetch what is missing, rebuild the cafelake wheel (or reuse it), write and return the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    order, jobs = job_wheels()
    paths = {name: _third_party(out, name) for name in order if name != LOCAL}
    paths[canonicalize_name(LOCAL)] = _build_cafelake(out) if cafelake else _existing_cafelake(out)
    files = [(name, paths[name], jobs[name]) for name in order]
    bundles = {job: bundle(out, job, [(role, p) for role, p, their in files if job in their]) for job in JOB_IMPORTS}
    data = manifest(files, bundles)
    (out / "manifest.json").write_text(json.dumps(data, indent=1) + "\n")
    return data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default build/glue)")
    args = parser.parse_args(argv)
    data = build(args.out)
    for a in data["artifacts"]:
        print(f"{a['file']:<80} {a['size'] / 1e6:>7.1f} MB  {','.join(a['jobs'])}")
    for job, b in data["bundles"].items():
        print(f"{job}: {len(b['wheels'])} wheels in {b['file']}, {b['size'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
