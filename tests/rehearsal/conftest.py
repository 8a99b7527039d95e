"""The cloud rehearsal's tests: every one marked `rehearsal` (`make rehearse` runs just them; `make test`
runs them with the rest). Their Python environments are cached under build/rehearsal/envs/: the first
session builds them from the package registry, later ones reuse them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the tests' helper module, under any import mode

from rehearsal_helpers import ROOT, TIMINGS

REPORT = ROOT / "build" / "rehearsal" / "timings.txt"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.rehearsal)


@pytest.fixture(scope="session")
def envs():
    from cafelake_rehearsal.environments import Environments

    return Environments(ROOT / "build" / "rehearsal" / "envs")


def pytest_terminal_summary(terminalreporter) -> None:
    if not TIMINGS:
        return
    lines = [f"{seconds:8.1f} s  {label}" for label, seconds in TIMINGS.items()]
    terminalreporter.write_sep("-", "cloud rehearsal: time of each step")
    for line in lines:
        terminalreporter.write_line(line)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
