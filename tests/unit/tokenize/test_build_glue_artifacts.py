"""The Glue artifact builder: each job's closed wheel set, cached by version, manifest true to the
files; and the real build/glue wheels checked from their own METADATA and by pip, offline."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "build_glue_artifacts.py"


@pytest.fixture(scope="module")
def builder():
    spec = importlib.util.spec_from_file_location("build_glue_artifacts", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_wheels(builder, out: Path) -> dict[str, bytes]:
    """A pure-Python stand-in wheel for every distribution the jobs need."""
    order, _ = builder.job_wheels()
    names = {f"{n.replace('-', '_')}-{builder.installed_version(n)}-py3-none-any.whl": n.encode() * 3 for n in order}
    for name, data in names.items():
        (out / name).write_bytes(data)
    return names


def _file_of(names: dict[str, bytes], dist: str) -> str:
    return next(n for n in names if n.startswith(f"{dist.replace('-', '_')}-"))


def _check(builder, out: Path, data: dict, names: dict[str, bytes]) -> None:
    order, jobs = builder.job_wheels()
    assert json.loads((out / "manifest.json").read_text()) == data
    assert [a["role"] for a in data["artifacts"]] == order
    for a in data["artifacts"]:
        content = names[a["file"]]
        assert (a["size"], a["sha256"]) == (len(content), hashlib.sha256(content).hexdigest())
        assert a["jobs"] == jobs[a["role"]]


def test_each_job_ships_the_closure_of_what_it_imports(builder):
    _, jobs = builder.job_wheels()
    ships = {job: {n for n, js in jobs.items() if job in js} for job in ("cleanse", "tokenize")}
    core = {
        "cafelake",
        "pyarrow",
        "pandas",
        "numpy",
        "lxml",
        "beautifulsoup4",
        "soupsieve",
        "requests",
        "urllib3",
        "pyyaml",
        "python-dateutil",
        "six",
    }
    nlp = {"kiwipiepy", "kiwipiepy-model", "tqdm", "scikit-learn", "scipy", "joblib", "threadpoolctl"}
    assert core <= ships["cleanse"] and not nlp & ships["cleanse"]
    assert ships["cleanse"] | nlp <= ships["tokenize"]
    for shipped in ships.values():
        assert not shipped & set(builder.GLUE_PROVIDED)
        assert not shipped & {"tzdata", "colorama"}  # required on Windows only


def test_requirements_come_before_what_requires_them(builder):
    order, _ = builder.job_wheels()
    for imports in builder.JOB_IMPORTS.values():
        for node, deps in builder.closure(imports).items():
            assert all(order.index(d) < order.index(node) for d in deps), node
    assert order[-1] == "cafelake"
    assert order.index("numpy") < order.index("pandas") and order.index("kiwipiepy-model") < order.index("kiwipiepy")


def test_what_glue_must_keep_is_never_shipped_and_says_why(builder):
    assert {"pyspark", "py4j", "boto3", "botocore", "awsglue"} <= set(builder.GLUE_PROVIDED)
    assert all(len(reason) > 20 for reason in builder.GLUE_PROVIDED.values())
    assert builder.closure(["boto3", "pyspark"]) == {}
    graph = builder.closure(["awswrangler"])  # requires boto3 and botocore
    assert "pandas" in graph["awswrangler"]
    assert not set(builder.GLUE_PROVIDED) & (set(graph) | set().union(*graph.values()))


@pytest.mark.parametrize(
    "req, extras, applies",
    [
        ('tzdata; sys_platform == "win32"', (), False),
        ('colorama; platform_system == "Windows"', (), False),
        ('numpy>=2.0.2; python_version < "3.14"', (), True),
        ('soupsieve; python_full_version >= "3.11.5"', (), True),
        ('kiwipiepy==0.24.1; extra == "nlp"', (), False),
        ('kiwipiepy==0.24.1; extra == "nlp"', ("nlp",), True),
    ],
)
def test_markers_are_evaluated_as_on_glue(builder, req, extras, applies):
    assert builder.on_glue(Requirement(req), extras) is applies


@pytest.mark.parametrize(
    "wheel, ok",
    [
        ("numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl", True),
        ("kiwipiepy-0.24.1-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl", True),
        ("six-1.17.0-py2.py3-none-any.whl", True),
        ("numpy-2.4.6-cp311-cp311-manylinux_2_35_x86_64.whl", False),  # newer glibc than Glue's 2.34
        ("numpy-2.4.6-cp312-cp312-manylinux_2_28_x86_64.whl", False),
        ("numpy-2.4.6-cp311-cp311-musllinux_1_2_x86_64.whl", False),
        ("numpy-2.4.6-cp311-cp311-manylinux_2_28_aarch64.whl", False),
    ],
)
def test_only_wheels_glue_can_install_count(builder, wheel, ok):
    assert builder.glue_compatible(Path(wheel)) is ok


def test_cached_wheels_are_not_fetched_again(builder, tmp_path, monkeypatch):
    names = _fake_wheels(builder, tmp_path)
    monkeypatch.setattr(builder, "_pip", lambda *a: pytest.fail(f"pip called: {a}"))
    _check(builder, tmp_path, builder.build(tmp_path, cafelake=False), names)


def test_missing_wheels_are_fetched_for_glue_platform(builder, tmp_path, monkeypatch):
    names = _fake_wheels(builder, tmp_path)
    numpy, model = _file_of(names, "numpy"), _file_of(names, "kiwipiepy-model")
    (tmp_path / numpy).unlink()
    (tmp_path / model).unlink()
    calls = []

    def fake_pip(*args):
        calls.append(args)
        made = model if args[0] == "wheel" else numpy
        (tmp_path / made).write_bytes(names[made])

    monkeypatch.setattr(builder, "_pip", fake_pip)
    _check(builder, tmp_path, builder.build(tmp_path, cafelake=False), names)
    (download,) = [c for c in calls if c[0] == "download"]
    assert {
        "--no-deps",
        "--only-binary=:all:",
        "manylinux_2_34_x86_64",
        "manylinux_2_28_x86_64",
        "manylinux2014_x86_64",
        "cp",
        "3.11.6",
        f"numpy=={builder.installed_version('numpy')}",
    } <= set(download)
    (wheel,) = [c for c in calls if c[0] == "wheel"]
    assert "--no-deps" in wheel and f"kiwipiepy-model=={builder.installed_version('kiwipiepy-model')}" in wheel


def test_a_cached_wheel_for_another_platform_is_fetched_anew(builder, tmp_path, monkeypatch):
    names = _fake_wheels(builder, tmp_path)
    numpy = _file_of(names, "numpy")
    (tmp_path / numpy).rename(tmp_path / numpy.replace("py3-none-any", "cp311-cp311-win_amd64"))
    fetched = []

    def fake_pip(*args):
        fetched.append(args[-1])
        (tmp_path / numpy).write_bytes(names[numpy])

    monkeypatch.setattr(builder, "_pip", fake_pip)
    _check(builder, tmp_path, builder.build(tmp_path, cafelake=False), names)
    assert fetched == [f"numpy=={builder.installed_version('numpy')}"]


def test_fetch_that_yields_nothing_is_an_error(builder, tmp_path, monkeypatch):
    monkeypatch.setattr(builder, "_pip", lambda *a: None)
    with pytest.raises(RuntimeError, match="after fetching"):
        builder.build(tmp_path, cafelake=False)


# --- the real build/glue artefacts -------------------------------------------------------------


@pytest.fixture(scope="module")
def built(builder) -> dict:
    """build/glue/manifest.json, built once if missing (the first build needs the package index)."""
    path = builder.DEFAULT_OUT / "manifest.json"
    if not path.exists():
        builder.build(builder.DEFAULT_OUT)
    return json.loads(path.read_text())


def _metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
        return Parser().parsestr(z.read(name).decode())


def _job_set(built: dict, job: str) -> dict[str, dict]:
    return {a["role"]: a for a in built["artifacts"] if job in a["jobs"]}


@pytest.mark.parametrize("job", ["cleanse", "tokenize"])
def test_each_jobs_wheels_are_closed_by_their_own_metadata(builder, built, job):
    """From what the job imports, every requirement (markers as on Glue) of every wheel is met by
    a wheel of the same job's set or by Glue; the walk reaches the whole set and nothing else."""
    wheels = _job_set(built, job)
    provided = set(built["glue_provided"])
    reached: set[str] = set()
    todo = [(None, Requirement(r)) for r in built["jobs"][job]]
    while todo:
        owner, req = todo.pop()
        name = canonicalize_name(req.name)
        if name in provided:
            continue
        assert name in wheels, f"{owner} requires {req}: not in {job}'s wheels and not provided by Glue"
        assert req.specifier.contains(wheels[name]["version"], prereleases=True), f"{owner} requires {req}"
        key = f"{name}[{','.join(sorted(req.extras))}]"
        if key in reached:
            continue
        reached.add(key)
        meta = _metadata(builder.DEFAULT_OUT / wheels[name]["file"])
        assert (canonicalize_name(meta["Name"]), Version(meta["Version"])) == (name, Version(wheels[name]["version"]))
        assert Version(builder.PYTHON_FULL) in SpecifierSet(meta["Requires-Python"] or ""), name
        todo += [
            (name, r) for r in map(Requirement, meta.get_all("Requires-Dist") or []) if builder.on_glue(r, req.extras)
        ]
    assert {k.partition("[")[0] for k in reached} == set(wheels)
    assert all(builder.glue_compatible(Path(a["file"])) for a in wheels.values())


@pytest.mark.parametrize("job", ["cleanse", "tokenize"])
def test_pip_installs_each_jobs_wheels_for_glue_without_an_index(builder, built, job, tmp_path):
    """What Glue runs at job start, as a dry run for Glue's platform: pip --no-index on the job's wheels."""
    files = [str(builder.DEFAULT_OUT / a["file"]) for a in _job_set(built, job).values()]
    platforms = [a for p in builder.PLATFORMS for a in ("--platform", p)]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--dry-run",
            "--quiet",
            "--no-index",
            "--ignore-installed",
            "--only-binary=:all:",
            *platforms,
            "--implementation",
            "cp",
            "--python-version",
            builder.PYTHON_FULL,
            "--target",
            str(tmp_path),
            "--report",
            "-",
            *files,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    installs = {canonicalize_name(i["metadata"]["name"]) for i in json.loads(done.stdout)["install"]}
    assert installs == set(_job_set(built, job))
