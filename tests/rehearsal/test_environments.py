"""Cached environments: a derived one replaces what it must without touching its base."""

from __future__ import annotations

import hashlib
import subprocess

import pytest
from rehearsal_helpers import wheel

from cafelake_rehearsal.environments import EnvironmentBuildFailed, python
from cafelake_rehearsal.glue import PROVIDED

pytestmark = pytest.mark.slow


def _version(env, name: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({name!r}))"
    done = subprocess.run([str(python(env)), "-s", "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_derived_environment_replaces_a_distribution_and_the_base_keeps_its_own(envs, tmp_path):
    base = envs.base("glue5", PROVIDED)
    six_py = base / "lib" / "python3.11" / "site-packages" / "six.py"
    before = hashlib.sha256(six_py.read_bytes()).hexdigest()
    name, data = wheel("six", "99.0", {"six.py": "VERSION = 'replaced'\n"})
    (tmp_path / name).write_bytes(data)

    def install(env):
        subprocess.run(
            [str(python(env)), "-m", "pip", "install", "--no-index", "--quiet", str(tmp_path / name)],
            check=True,
            capture_output=True,
        )

    derived = envs.derived(base, "test-six", "six-99", install)
    assert _version(derived, "six") == "99.0" and _version(base, "six") == "1.16.0"
    assert hashlib.sha256(six_py.read_bytes()).hexdigest() == before
    assert envs.derived(base, "test-six", "six-99", lambda env: pytest.fail("rebuilt")) == derived  # cached


def test_a_failed_build_leaves_nothing_behind(envs):
    base = envs.base("glue5", PROVIDED)

    def install(env):
        raise EnvironmentBuildFailed("pip said no")

    with pytest.raises(EnvironmentBuildFailed):
        envs.derived(base, "test-broken", "broken", install)
    assert not list(envs.cache.glob("*test-broken*"))
