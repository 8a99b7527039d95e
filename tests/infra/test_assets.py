"""Build inputs: synth refuses, with the command to run, when the Glue wheels are missing or stale."""

from __future__ import annotations

import hashlib
import json

import pytest


def _manifest(root, entries):
    out = root / "build" / "glue"
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_text(json.dumps({"python": "3.11", "artifacts": entries}))
    return out


def _wheel(folder, name, data=b"wheel bytes", jobs=("cleanse", "tokenize")):
    (folder / name).write_bytes(data)
    return {"role": name.split("-")[0], "file": name, "sha256": hashlib.sha256(data).hexdigest(), "jobs": list(jobs)}


def test_missing_manifest_names_the_build_step(tmp_path):
    from cafelake_infra.assets import GLUE_BUILD_COMMAND, GlueArtifacts, MissingBuildInput

    with pytest.raises(MissingBuildInput, match="build_glue_artifacts.py") as err:
        GlueArtifacts.load(tmp_path)
    assert GLUE_BUILD_COMMAND in str(err.value)


def test_manifest_order_and_each_jobs_wheels_are_kept(tmp_path):
    from cafelake_infra.assets import GlueArtifacts

    out = _manifest(tmp_path, [])
    entries = [_wheel(out, "numpy-1-py3-none-any.whl"), _wheel(out, "kiwipiepy-1-py3-none-any.whl", jobs=["tokenize"]),
               _wheel(out, "cafelake-1-py3-none-any.whl")]
    _manifest(tmp_path, entries)
    artifacts = GlueArtifacts.load(tmp_path)
    assert [p.name for p in artifacts.files()] == [e["file"] for e in entries]
    assert [p.name for p in artifacts.for_job("tokenize")] == [e["file"] for e in entries]
    assert [p.name for p in artifacts.for_job("cleanse")] == ["numpy-1-py3-none-any.whl", "cafelake-1-py3-none-any.whl"]
    assert artifacts.for_job("other") == ()


def test_a_manifest_without_jobs_is_refused(tmp_path):
    """A build from before the per-job sets: installing it would let pip reach for the index."""
    from cafelake_infra.assets import GlueArtifacts, MissingBuildInput

    out = _manifest(tmp_path, [])
    entry = _wheel(out, "cafelake-1-py3-none-any.whl")
    del entry["jobs"]
    _manifest(tmp_path, [entry])
    with pytest.raises(MissingBuildInput, match="which job"):
        GlueArtifacts.load(tmp_path)


@pytest.mark.parametrize("damage", ["delete", "change"])
def test_a_missing_or_changed_wheel_is_refused(tmp_path, damage):
    from cafelake_infra.assets import GlueArtifacts, MissingBuildInput

    out = _manifest(tmp_path, [])
    entry = _wheel(out, "cafelake-1-py3-none-any.whl")
    _manifest(tmp_path, [entry])
    wheel = out / entry["file"]
    wheel.unlink() if damage == "delete" else wheel.write_bytes(b"rebuilt since")
    with pytest.raises(MissingBuildInput, match="cafelake-1-py3-none-any.whl"):
        GlueArtifacts.load(tmp_path)


def test_an_empty_manifest_is_refused(tmp_path):
    from cafelake_infra.assets import GlueArtifacts, MissingBuildInput

    _manifest(tmp_path, [])
    with pytest.raises(MissingBuildInput, match="no wheels"):
        GlueArtifacts.load(tmp_path)


def test_missing_scraper_requirements_are_named(tmp_path):
    from cafelake_infra.assets import MissingBuildInput, ScraperBundling

    with pytest.raises(MissingBuildInput, match="lambdas/scraper/requirements.txt"):
        ScraperBundling(tmp_path)
