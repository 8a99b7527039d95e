"""The Python environments AWS's code runs in during a rehearsal, built once and cached.

A *base* environment stands in for what an AWS runtime provides: a fresh `python3.11 -m venv`
holding exactly the pinned distributions of a requirements file (installed `--no-deps`, so
nothing else slips in) and nothing of the project. A *derived* environment is a base plus what
a job installs itself (its `--additional-python-modules`): a copy of the base, hard-linked, into
which the job's installer runs. Both live under `build/rehearsal/envs/`, named by a hash of their
inputs (interpreter, pins, modules, installer options), and are built in a temporary folder that
is renamed only once complete: the same inputs give the same environment, so a later rehearsal
reuses it and a failed build leaves nothing behind. A job keeps only its latest derived
environment (new code means a new zip of wheels, and a new environment). Building a base the first time needs the
package registry; nothing after that does.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

DEFAULT_CACHE = Path("build/rehearsal/envs")


class EnvironmentBuildFailed(RuntimeError):
    """Building an environment failed; the message carries the installer's output."""


def python(env: Path) -> Path:
    return env / "bin" / "python"


def base_interpreter() -> str:
    """The interpreter the project's venv was made from (Python 3.11, like Glue 5.0's)."""
    return str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}")


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:16]


class Environments:
    def __init__(self, cache: Path = DEFAULT_CACHE, interpreter: str | None = None) -> None:
        self.cache = cache.resolve()
        self.interpreter = interpreter or base_interpreter()

    def _built(self, name: str, build: Callable[[Path], None]) -> Path:
        final = self.cache / name
        if (final / ".complete").exists():
            return final
        tmp = self.cache / f".{name}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        try:
            build(tmp)
            (tmp / ".complete").touch()
            shutil.rmtree(final, ignore_errors=True)
            tmp.rename(final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return final

    def base(self, label: str, pins: Path) -> Path:
        """A venv with exactly the distributions `pins` lists (one `name==version` a line)."""
        version = subprocess.run(
            [self.interpreter, "-c", "import sys; print(sys.version)"], capture_output=True, text=True, check=True
        ).stdout
        name = f"{label}-{digest(version, pins.read_bytes())}"

        def build(tmp: Path) -> None:
            _run([self.interpreter, "-m", "venv", str(tmp)], f"creating the {label} venv")
            # The registry is needed here, and only here: the environment is then cached.
            _run(
                [
                    str(python(tmp)),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-deps",
                    "-r",
                    str(pins),
                ],
                f"installing {pins.name} into the {label} venv",
            )

        return self._built(name, build)

    def derived(self, base: Path, label: str, key: str, install: Callable[[Path], None]) -> Path:
        """The base plus what `install(env)` adds, cached under `key` (a digest of everything
        `install` depends on). The base's files are hard-linked: an installer replacing a
        distribution unlinks and writes new files, so the base stays as it was."""

        def build(tmp: Path) -> None:
            shutil.copytree(base, tmp, symlinks=True, copy_function=os.link)
            (tmp / ".complete").unlink(missing_ok=True)
            install(tmp)

        env = self._built(f"{label}-{digest(base.name, key)}", build)
        for older in self.cache.glob(f"{label}-*"):  # the same job's environments for modules since replaced
            if older != env and re.fullmatch(rf"{re.escape(label)}-[0-9a-f]{{16}}", older.name):
                shutil.rmtree(older, ignore_errors=True)
        return env


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise EnvironmentBuildFailed(f"{what} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
