"""`python -m benchmarks --only`: replaces its own sections and keeps the others."""

from __future__ import annotations

from benchmarks.__main__ import _kept_sections


def _section(name: str, body: str) -> str:
    return f"<!-- bench:{name} -->\n## {name}\n\n{body}\n<!-- /bench:{name} -->\n"


def test_only_the_rerun_sections_are_dropped(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(
        "# Performance\n\nheader\n\n"
        + _section("cleanse", "old cleanse")
        + "\n"
        + _section("tokenize", "tokenize numbers\nover lines"),
        encoding="utf-8",
    )
    kept = _kept_sections(doc, ["cleanse"])
    assert list(kept) == ["tokenize"]
    assert kept["tokenize"] == _section("tokenize", "tokenize numbers\nover lines")


def test_no_document_yet_keeps_nothing(tmp_path):
    assert _kept_sections(tmp_path / "missing.md", ["cleanse"]) == {}
