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
from dataclasses import dataclass
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
    """The wheels the Glue jobs install with --additional-python-modules, by role, in install order."""

    wheels: tuple[tuple[str, Path], ...]  # (role, e.g. "cafelake" or "kiwipiepy-model"; wheel file)

    def for_roles(self, roles: tuple[str, ...] | None) -> tuple[Path, ...]:
        """The wheels of these roles (all of them for None), in install order."""
        return tuple(p for r, p in self.wheels if roles is None or r in roles)

    @classmethod
    def load(cls, root: Path) -> GlueArtifacts:
        """The wheels `build/glue/manifest.json` lists, in install order, checked against their hashes."""
        manifest = require(root, GLUE_MANIFEST, f"run `{GLUE_BUILD_COMMAND}` first (it builds the cafelake "
                                                "and kiwipiepy wheels the Glue jobs install)")
        entries = json.loads(manifest.read_text(encoding="utf-8")).get("artifacts", [])
        if not entries:
            raise MissingBuildInput(f"{GLUE_MANIFEST} lists no wheels: re-run `{GLUE_BUILD_COMMAND}`")
        wheels = tuple((e.get("role", e["file"]), manifest.parent / e["file"]) for e in entries)
        stale = [e["file"] for e, (_, w) in zip(entries, wheels, strict=True)
                 if not w.is_file() or ("sha256" in e and _sha256(w) != e["sha256"])]
        if stale:
            raise MissingBuildInput(f"{GLUE_MANIFEST} names wheels missing from {GLUE_BUILD} or changed since "
                                    f"the build: {stale}; re-run `{GLUE_BUILD_COMMAND}`")
        return cls(wheels)


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
