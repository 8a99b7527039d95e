"""The one-way walk of docs/architecture.md, held: which package may import which.

Forbidden edges rather than an allow-list, so a new module is free until it crosses one of
these lines. Imports are read from the source text (`import`/`from` statements anywhere,
also inside functions), so a lazy import counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "cafelake"
SOURCE_PACKAGES = sorted(p.name for p in (PACKAGE / "sources").iterdir() if (p / "__init__.py").is_file())
STAGES = ("collect", "cleanse", "tokenize", "athena", "report", "commands")


def imports(path: Path) -> set[str]:
    """The cafelake modules a file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("cafelake")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cafelake"):
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return found


def importers(*folders: Path) -> dict[str, set[str]]:
    return {str(p.relative_to(ROOT)): imports(p) for f in folders for p in sorted(f.rglob("*.py"))}


def _crossing(files: dict[str, set[str]], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        f: sorted(m for m in mods if m.startswith(forbidden))
        for f, mods in files.items()
        if any(m.startswith(forbidden) for m in mods)
    }


def _specific_sources(but: str | None = None) -> tuple[str, ...]:
    return tuple(f"cafelake.sources.{name}" for name in SOURCE_PACKAGES if name != but)


def test_the_core_and_the_cloud_adapters_know_no_particular_source():
    """Only the registry names a source: collect, cleanse and the rest meet sources through `sources.base`."""
    core = {
        f: m
        for f, m in importers(PACKAGE, ROOT / "lambdas", ROOT / "glue_jobs", ROOT / "infra" / "cafelake_infra").items()
        if not f.startswith(("src/cafelake/sources/", "src/cafelake/commands/"))
    }
    assert _crossing(core, _specific_sources()) == {}


@pytest.mark.parametrize("name", SOURCE_PACKAGES)
def test_a_source_uses_the_seam_and_nothing_of_the_pipeline_or_another_source(name):
    files = importers(PACKAGE / "sources" / name)
    assert _crossing(files, tuple(f"cafelake.{s}" for s in (*STAGES, "lake", "raw", "schemas"))) == {}
    assert _crossing(files, _specific_sources(but=name)) == {}


def test_the_seam_and_the_registry_use_no_stage():
    files = {
        f: m
        for f, m in importers(PACKAGE / "sources").items()
        if f in ("src/cafelake/sources/base.py", "src/cafelake/sources/__init__.py")
    }
    assert len(files) == 2
    assert _crossing(files, tuple(f"cafelake.{s}" for s in (*STAGES, "lake"))) == {}


@pytest.mark.parametrize(
    "stage, downstream",
    [
        ("collect", ("cleanse", "tokenize", "athena", "report", "commands")),
        ("cleanse", ("collect", "tokenize", "athena", "report", "commands")),
        ("tokenize", ("collect", "athena", "report", "commands")),
        ("athena", ("collect", "cleanse", "tokenize", "report", "commands")),
    ],
)
def test_a_stage_reaches_no_stage_after_it(stage, downstream):
    assert _crossing(importers(PACKAGE / stage), tuple(f"cafelake.{s}" for s in downstream)) == {}


def test_the_rules_can_fail():
    """The reader sees what a file imports, lazily or not, and `_crossing` reports it."""
    files = {"x.py": imports(PACKAGE / "commands" / "serve.py")}
    assert _crossing(files, _specific_sources()) == {
        "x.py": [
            "cafelake.sources.naver_cafe.corpus",
            "cafelake.sources.naver_cafe.corpus.Corpus",
            "cafelake.sources.naver_cafe.corpus.jsonl",
            "cafelake.sources.naver_cafe.corpus.jsonl.CorpusFileError",
            "cafelake.sources.naver_cafe.corpus.jsonl.JsonlCorpus",
            "cafelake.sources.naver_cafe.server",
            "cafelake.sources.naver_cafe.server.FaultConfig",
            "cafelake.sources.naver_cafe.server.NaverServer",
        ]
    }
