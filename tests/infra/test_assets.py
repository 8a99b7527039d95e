"""Build inputs: synth refuses, with the command to run, when the Glue bundles are missing or stale."""

from __future__ import annotations

import hashlib
import json
import re

import pytest


def _manifest(root, entries, bundles=None):
    out = root / "build" / "glue"
    out.mkdir(parents=True, exist_ok=True)
    data = {"python": "3.11", "artifacts": entries}
    if bundles is not None:
        data["bundles"] = bundles
    (out / "manifest.json").write_text(json.dumps(data))
    return out


def _wheel(folder, name, data=b"wheel bytes", jobs=("cleanse", "tokenize")):
    (folder / name).write_bytes(data)
    return {"role": name.split("-")[0], "file": name, "sha256": hashlib.sha256(data).hexdigest(), "jobs": list(jobs)}


def _bundle(folder, job, data):
    name = f"{job}.gluewheels.zip"
    (folder / name).write_bytes(data)
    return {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "wheels": []}


def test_missing_manifest_names_the_build_step(tmp_path):
    from cafelake_infra.assets import GLUE_BUILD_COMMAND, GlueArtifacts, MissingBuildInput

    with pytest.raises(MissingBuildInput, match=re.escape("build_glue_artifacts.py")) as err:
        GlueArtifacts.load(tmp_path)
    assert GLUE_BUILD_COMMAND in str(err.value)


def test_each_jobs_bundle_is_loaded_with_its_hash(tmp_path):
    from cafelake_infra.assets import GlueArtifacts

    out = _manifest(tmp_path, [])
    entries = [_wheel(out, "numpy-1-py3-none-any.whl")]
    bundles = {"cleanse": _bundle(out, "cleanse", b"c"), "tokenize": _bundle(out, "tokenize", b"t")}
    _manifest(tmp_path, entries, bundles)
    artifacts = GlueArtifacts.load(tmp_path)
    assert {job: (b.path.name, b.sha256) for job, b in artifacts.bundles.items()} == {
        job: (b["file"], b["sha256"]) for job, b in bundles.items()
    }


def test_a_manifest_without_bundles_is_refused(tmp_path):
    """A build from before the zips of wheels: its hashed wheel assets are names pip refuses."""
    from cafelake_infra.assets import GlueArtifacts, MissingBuildInput

    out = _manifest(tmp_path, [])
    _manifest(tmp_path, [_wheel(out, "cafelake-1-py3-none-any.whl")])
    with pytest.raises(MissingBuildInput, match="older build"):
        GlueArtifacts.load(tmp_path)


@pytest.mark.parametrize("damage", ["delete", "change"])
def test_a_missing_or_changed_bundle_is_refused(tmp_path, damage):
    from cafelake_infra.assets import GlueArtifacts, MissingBuildInput

    out = _manifest(tmp_path, [])
    bundle = _bundle(out, "cleanse", b"zip bytes")
    _manifest(tmp_path, [_wheel(out, "cafelake-1-py3-none-any.whl")], {"cleanse": bundle})
    zipped = out / bundle["file"]
    zipped.unlink() if damage == "delete" else zipped.write_bytes(b"rebuilt since")
    with pytest.raises(MissingBuildInput, match=re.escape("cleanse.gluewheels.zip")):
        GlueArtifacts.load(tmp_path)


def test_an_empty_manifest_is_refused(tmp_path):
    from cafelake_infra.assets import GlueArtifacts, MissingBuildInput

    _manifest(tmp_path, [])
    with pytest.raises(MissingBuildInput, match="no wheels"):
        GlueArtifacts.load(tmp_path)


def test_missing_scraper_requirements_are_named(tmp_path):
    from cafelake_infra.assets import MissingBuildInput, ScraperBundling

    with pytest.raises(MissingBuildInput, match=re.escape("lambdas/scraper/requirements.txt")):
        ScraperBundling(tmp_path)
