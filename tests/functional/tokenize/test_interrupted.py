"""An interrupted tokenize leaves no orphan, is recorded, reported by the checks, and healed by the next run."""

from __future__ import annotations

import logging
import shutil
import time

import pytest

from cafelake.lake import Lake
from cafelake.pipeline import Pipeline
from cafelake.runs import last_run, new_run_id, utcnow, write_run
from cafelake.schemas import POST_KEYWORD_GROUPS
from cafelake.settings import Settings
from cafelake.tokenize import job

from .test_job import _snapshot

ORPHANS = ["post_keyword_groups_group_exists", "post_keyword_groups_post_exists", "tokens_fact_post_exists"]
NEW_GROUP = (
    "  - {group_id: 99, group_name: checkup, display_name: 검사, keywords: [검사, 접종], description: Checkups}\n"
)


def _failing(stages: Pipeline) -> set[str]:
    return {r.name for r in stages.checks() if not r.passed}


class Killed(Exception):
    """Stands in for the process dying right after a write."""


@pytest.fixture
def lake(tmp_path, make_posts, sample_rows, kiwi_analyzer):
    lake = Lake(str(tmp_path / "lake"))
    lake.write_table("posts", make_posts(sample_rows))
    return lake


@pytest.fixture
def changed(tmp_path, settings) -> Settings:
    """The configuration with one keyword group more: a full rebuild of the mart."""
    override = tmp_path / "cfg"
    override.mkdir()
    groups = settings.files.text("keyword_groups.yaml")
    (override / "keyword_groups.yaml").write_text(groups.replace("\nbody_parts:", "\n" + NEW_GROUP + "body_parts:", 1))
    return Settings.load({"CAFELAKE_CONFIG_DIR": str(override)})


def _die_after_the_group_facts(monkeypatch) -> None:
    real = job.write_replacing

    def write_replacing(lake, tdef, tbl, dts):
        real(lake, tdef, tbl, dts)
        if tdef is POST_KEYWORD_GROUPS:
            raise Killed("stopped after the first facts of the new group")

    monkeypatch.setattr(job, "write_replacing", write_replacing)


def test_an_interrupted_rebuild_leaves_no_orphan_and_the_next_run_heals_it(
    lake, settings, changed, tmp_path, monkeypatch, caplog
):
    Pipeline(lake, settings).tokenize()
    stages = Pipeline(lake, changed)
    baseline = _failing(stages)  # the hand-made posts fail a few content checks (no time of day): not ours
    with monkeypatch.context() as m:
        _die_after_the_group_facts(m)
        with pytest.raises(Killed):
            stages.tokenize()
    assert 99 in lake.read_table("post_keyword_groups").column("group_id").to_pylist()  # the new facts are in
    assert all(r.passed for r in stages.checks(only=ORPHANS)), "a reader sees an orphan mid-rebuild"
    failed = last_run(lake, "tokenize")
    assert failed["status"] == "failed" and "Killed" in failed["error"]
    unfinished = {r.name: r for r in stages.checks()}["lake_runs_finished"]
    assert not unfinished.passed and unfinished.sample["run_id"].tolist() == [failed["run_id"]]

    with caplog.at_level(logging.WARNING, logger="cafelake"):
        healed = stages.tokenize()
    assert f"the last tokenize (run {failed['run_id']}) failed — rerunning it" in caplog.text
    assert healed.full and last_run(lake, "tokenize")["status"] == "done"
    assert _failing(stages) == baseline and "lake_runs_finished" not in baseline

    clean = Lake(str(tmp_path / "clean"))
    shutil.copytree(lake.uri("cleansed"), clean.uri("cleansed"))
    Pipeline(clean, changed).tokenize()
    assert _snapshot(lake) == _snapshot(clean)


def test_a_killed_run_is_reported_as_interrupted_and_rerun(lake, settings, caplog):
    """A process killed with -9 writes nothing more: its record stays `running` and its lock runs out."""
    stages = Pipeline(lake, settings)
    stages.tokenize()
    killed = new_run_id()
    write_run(lake, "tokenize", killed, {}, started_at=utcnow(), status="running")
    assert [r["run_id"] for r in stages.interrupted()] == [killed]
    time.sleep(1.1)  # run ids order runs by their start, to the second
    with caplog.at_level(logging.WARNING, logger="cafelake"):
        stages.tokenize()
    assert f"the last tokenize (run {killed}) was interrupted — rerunning it" in caplog.text
    assert stages.interrupted() == []
