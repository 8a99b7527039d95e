"""Every data file of the package ships in the wheel (the Glue jobs and the scraper Lambda install that,
not the source tree): each matches a `[tool.setuptools.package-data]` pattern of pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "cafelake"


def test_every_data_file_is_package_data():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["cafelake"]
    data = [
        p.relative_to(PACKAGE)
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert any(str(p) == "sources/sources.toml" for p in data)  # the source registry, read at run time
    assert [str(p) for p in data if not any(p.match(pattern) for pattern in patterns)] == []
