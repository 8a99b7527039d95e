"""Build inputs the stack packages: source files that must exist, the Glue wheels, the Lambda bundle.

Synth fails early with a message naming the missing file and the command that makes it,
rather than deploying a job that cannot import its code.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jsii
from aws_cdk import BundlingOptions, ILocalBundling

GLUE_BUILD = Path("build/glue")
GLUE_MANIFEST = GLUE_BUILD / "manifest.json"
GLUE_BUILD_COMMAND = ".venv/bin/python scripts/build_glue_artifacts.py"
SCRAPER_DIR = Path("lambdas/scraper")
LAMBDA_PYTHON = "3.14"
LAMBDA_PLATFORM = "manylinux2014_aarch64"
# What the scraper imports from the core; pyarrow/pandas stay out of the bundle.
CORE_PACKAGE = Path("src/cafelake")


class MissingBuildInput(RuntimeError):
    """A file the stack packages is not there yet."""


def require(root: Path, rel: Path | str, hint: str) -> Path:
    path = root / rel
    if not path.exists():
        raise MissingBuildInput(f"{rel} is missing: {hint}")
    return path


@dataclass(frozen=True)
class GlueArtifacts:
    """The wheels the Glue jobs install with --additional-python-modules, in dependency order,
    and which job installs which (each job's set is closed: pip runs with --no-index)."""

    wheels: tuple[tuple[str, Path], ...]  # (role: the distribution, e.g. "numpy"; wheel file)
    jobs: Mapping[str, frozenset[str]] = field(default_factory=dict)  # job -> the roles it installs

    def files(self) -> tuple[Path, ...]:
        return tuple(p for _, p in self.wheels)

    def for_job(self, job: str) -> tuple[Path, ...]:
        """The wheels this job installs, in dependency order."""
        roles = self.jobs.get(job, frozenset())
        return tuple(p for r, p in self.wheels if r in roles)

    @classmethod
    def load(cls, root: Path) -> GlueArtifacts:
        """The wheels `build/glue/manifest.json` lists, in dependency order, checked against their hashes."""
        manifest = require(root, GLUE_MANIFEST, f"run `{GLUE_BUILD_COMMAND}` first (it builds the wheels "
                                                "the Glue jobs install)")
        entries = json.loads(manifest.read_text(encoding="utf-8")).get("artifacts", [])
        if not entries:
            raise MissingBuildInput(f"{GLUE_MANIFEST} lists no wheels: re-run `{GLUE_BUILD_COMMAND}`")
        if untagged := [e["file"] for e in entries if not e.get("jobs")]:
            raise MissingBuildInput(f"{GLUE_MANIFEST} does not say which job installs {untagged} (an older "
                                    f"build): re-run `{GLUE_BUILD_COMMAND}`")
        wheels = tuple((e["role"], manifest.parent / e["file"]) for e in entries)
        stale = [e["file"] for e, (_, w) in zip(entries, wheels, strict=True)
                 if not w.is_file() or ("sha256" in e and _sha256(w) != e["sha256"])]
        if stale:
            raise MissingBuildInput(f"{GLUE_MANIFEST} names wheels missing from {GLUE_BUILD} or changed since "
                                    f"the build: {stale}; re-run `{GLUE_BUILD_COMMAND}`")
        names = sorted({job for e in entries for job in e["jobs"]})
        return cls(wheels, {job: frozenset(e["role"] for e in entries if job in e["jobs"]) for job in names})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@jsii.implements(ILocalBundling)
class ScraperBundling:
    """Bundles the scraper without Docker: pip-installs its requirements for Lambda's platform
    (arm64 wheels only, so nothing compiled for this machine slips in) and copies the core package.

    The installed dependencies are cached under build/lambda/, keyed by the requirements and
    the target platform, so a second synth needs no package index.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requirements = require(root, SCRAPER_DIR / "requirements.txt",
                                    "the scraper Lambda's pinned dependencies are needed to bundle it")

    def cache_dir(self) -> Path:
        key = hashlib.sha256(self.requirements.read_bytes() + f"{LAMBDA_PYTHON}/{LAMBDA_PLATFORM}".encode())
        return self.root / "build" / "lambda" / key.hexdigest()[:16]

    def pip_command(self, target: Path) -> list[str]:
        return [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
                "--target", str(target), "--platform", LAMBDA_PLATFORM, "--implementation", "cp",
                "--python-version", LAMBDA_PYTHON, "--only-binary=:all:", "--upgrade",
                "-r", str(self.requirements)]

    def dependencies(self) -> Path:
        cache = self.cache_dir()
        if not cache.is_dir():
            tmp = cache.with_name(cache.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            done = subprocess.run(self.pip_command(tmp), capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"bundling the scraper: pip failed (a package index is needed the first "
                                   f"time):\n{done.stderr[-2000:]}")
            tmp.rename(cache)
        return cache

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:  # noqa: ARG002 (jsii signature)
        out = Path(output_dir)
        shutil.copytree(self.dependencies(), out, dirs_exist_ok=True)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "requirements.txt", "tests")
        shutil.copytree(self.root / SCRAPER_DIR, out, dirs_exist_ok=True, ignore=ignore)
        shutil.copytree(self.root / CORE_PACKAGE, out / "cafelake", dirs_exist_ok=True, ignore=ignore)
        return True
