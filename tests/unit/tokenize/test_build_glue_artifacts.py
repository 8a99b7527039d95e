"""The Glue artifact builder: cached by version, manifest true to the files (no downloads here)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from importlib.metadata import version
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "build_glue_artifacts.py"


@pytest.fixture
def builder():
    spec = importlib.util.spec_from_file_location("build_glue_artifacts", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_wheels(out: Path) -> dict[str, bytes]:
    names = {f"kiwipiepy-{version('kiwipiepy')}-cp39-abi3-manylinux2014_x86_64.whl": b"kiwi",
             f"kiwipiepy_model-{version('kiwipiepy_model')}-py3-none-any.whl": b"model" * 100,
             f"tqdm-{version('tqdm')}-py3-none-any.whl": b"tqdm!",
             f"cafelake-{version('cafelake')}-py3-none-any.whl": b"ours"}
    for name, data in names.items():
        (out / name).write_bytes(data)
    return names


def _check(out: Path, data: dict, names: dict[str, bytes]) -> None:
    assert json.loads((out / "manifest.json").read_text()) == data
    assert [a["role"] for a in data["artifacts"]] == ["cafelake", "kiwipiepy", "kiwipiepy-model", "tqdm"]
    for a in data["artifacts"]:
        content = names[a["file"]]
        assert (a["size"], a["sha256"]) == (len(content), hashlib.sha256(content).hexdigest())


def test_cached_wheels_are_not_fetched_again(builder, tmp_path, monkeypatch):
    names = _fake_wheels(tmp_path)
    monkeypatch.setattr(builder, "_pip", lambda *a: pytest.fail(f"pip called: {a}"))
    _check(tmp_path, builder.build(tmp_path, cafelake=False), names)


def test_missing_wheels_are_fetched_for_glue_platform(builder, tmp_path, monkeypatch):
    names = _fake_wheels(tmp_path)
    model = next(n for n in names if n.startswith("kiwipiepy_model"))
    kiwi = next(n for n in names if n.startswith("kiwipiepy-"))
    (tmp_path / model).unlink()
    (tmp_path / kiwi).unlink()
    calls = []

    def fake_pip(*args):
        calls.append(args)
        (tmp_path / (model if args[0] == "wheel" else kiwi)).write_bytes(names[model if args[0] == "wheel" else kiwi])

    monkeypatch.setattr(builder, "_pip", fake_pip)
    _check(tmp_path, builder.build(tmp_path, cafelake=False), names)
    download = next(c for c in calls if c[0] == "download")
    assert {"--only-binary=:all:", "manylinux2014_x86_64", "3.11", f"kiwipiepy=={version('kiwipiepy')}"} <= set(download)
    wheel = next(c for c in calls if c[0] == "wheel")
    assert "--no-deps" in wheel and f"kiwipiepy_model=={version('kiwipiepy_model')}" in wheel


def test_fetch_that_yields_nothing_is_an_error(builder, tmp_path, monkeypatch):
    monkeypatch.setattr(builder, "_pip", lambda *a: None)
    with pytest.raises(RuntimeError, match="after fetching"):
        builder.build(tmp_path, cafelake=False)
