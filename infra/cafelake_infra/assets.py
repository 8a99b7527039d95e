"""Build inputs the stack packages: source files that must exist, the Glue jobs' zips of wheels, the Lambda
bundle.

Synth fails early with a message naming the missing file and the command that makes it,
rather than deploying a job that cannot import its code.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import aws_cdk as cdk
import jsii
from aws_cdk import BundlingOptions, ILocalBundling
from constructs import Construct

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
class Bundle:
    path: Path
    sha256: str


@dataclass(frozen=True)
class GlueArtifacts:
    """Each Glue job's zip of wheels (`build/glue/<job>.gluewheels.zip`): the one module its
    `--additional-python-modules` names. The wheels inside keep their own file names, which pip
    needs, and form a closed set (pip runs with --no-index)."""

    bundles: Mapping[str, Bundle] = field(default_factory=dict)  # job -> its zip of wheels

    @classmethod
    def load(cls, root: Path) -> GlueArtifacts:
        """The bundles `build/glue/manifest.json` lists, checked against their hashes."""
        manifest = require(
            root, GLUE_MANIFEST, f"run `{GLUE_BUILD_COMMAND}` first (it builds the wheels the Glue jobs install)"
        )
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if not data.get("artifacts"):
            raise MissingBuildInput(f"{GLUE_MANIFEST} lists no wheels: re-run `{GLUE_BUILD_COMMAND}`")
        bundles = data.get("bundles")
        if not bundles:
            raise MissingBuildInput(
                f"{GLUE_MANIFEST} has no zip of wheels per job (an older build): re-run `{GLUE_BUILD_COMMAND}`"
            )
        found = {job: Bundle(manifest.parent / b["file"], b["sha256"]) for job, b in bundles.items()}
        stale = [b.path.name for b in found.values() if not b.path.is_file() or _sha256(b.path) != b.sha256]
        if stale:
            raise MissingBuildInput(
                f"{GLUE_MANIFEST} names bundles missing from {GLUE_BUILD} or changed since "
                f"the build: {stale}; re-run `{GLUE_BUILD_COMMAND}`"
            )
        return cls(found)


def named_file_asset(scope: Construct, bundle: Bundle) -> cdk.FileAssetLocation:
    """A file asset whose S3 key keeps the file's name, `<sha256>-<name>`.

    `s3_assets.Asset` names the object `<hash><extension>`, but Glue hands each module to pip under
    its key's name and knows a zip of wheels by its `.gluewheels.zip` ending. Staged into the cloud
    assembly as `Asset` stages a file (a hard link when it can, else a copy) and published by
    `cdk deploy` like any file asset; the content hash in the key changes whenever the content does.
    """
    stage = cdk.Stage.of(scope)
    staged = Path(stage.asset_outdir) / f"asset.{bundle.sha256}-{bundle.path.name}"
    if not staged.exists():
        try:
            os.link(bundle.path, staged)
        except OSError:  # another file system
            shutil.copyfile(bundle.path, staged)
    stem, _ = os.path.splitext(bundle.path.name)  # the synthesizer appends the extension to the key
    return cdk.Stack.of(scope).synthesizer.add_file_asset(
        source_hash=f"{bundle.sha256}-{stem}",
        file_name=os.path.relpath(staged, stage.outdir),
        packaging=cdk.FileAssetPackaging.FILE,
    )


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
        self.requirements = require(
            root, SCRAPER_DIR / "requirements.txt", "the scraper Lambda's pinned dependencies are needed to bundle it"
        )

    def cache_dir(self) -> Path:
        key = hashlib.sha256(self.requirements.read_bytes() + f"{LAMBDA_PYTHON}/{LAMBDA_PLATFORM}".encode())
        return self.root / "build" / "lambda" / key.hexdigest()[:16]

    def pip_command(self, target: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--target",
            str(target),
            "--platform",
            LAMBDA_PLATFORM,
            "--implementation",
            "cp",
            "--python-version",
            LAMBDA_PYTHON,
            "--only-binary=:all:",
            "--upgrade",
            "-r",
            str(self.requirements),
        ]

    def dependencies(self) -> Path:
        cache = self.cache_dir()
        if not cache.is_dir():
            tmp = cache.with_name(cache.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            done = subprocess.run(self.pip_command(tmp), capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(
                    f"bundling the scraper: pip failed (a package index is needed the first "
                    f"time):\n{done.stderr[-2000:]}"
                )
            tmp.rename(cache)
        return cache

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        out = Path(output_dir)
        shutil.copytree(self.dependencies(), out, dirs_exist_ok=True)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "requirements.txt", "tests")
        shutil.copytree(self.root / SCRAPER_DIR, out, dirs_exist_ok=True, ignore=ignore)
        shutil.copytree(self.root / CORE_PACKAGE, out / "cafelake", dirs_exist_ok=True, ignore=ignore)
        return True


@jsii.implements(ILocalBundling)
class CoreBundling:
    """Bundles a function that needs only boto3 (the runtime's) and the core package: its handler folder and
    `src/cafelake`, copied, no package index (the alert function)."""

    def __init__(self, root: Path, handler_dir: Path) -> None:
        self.root, self.handler_dir = root, handler_dir

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        out = Path(output_dir)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "tests")
        shutil.copytree(self.root / self.handler_dir, out, dirs_exist_ok=True, ignore=ignore)
        shutil.copytree(self.root / CORE_PACKAGE, out / "cafelake", dirs_exist_ok=True, ignore=ignore)
        return True
