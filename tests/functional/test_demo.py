"""`cafelake demo` end to end on a small corpus: every table, every view, the report."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cafelake.lake import Lake
from cafelake.schemas import TABLES


@pytest.mark.slow
def test_demo_builds_the_whole_lake_and_report(tmp_path):
    lake_dir, report_dir = tmp_path / "lake", tmp_path / "report"
    res = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from cafelake.cli import main; sys.argv[0]='cafelake'; main()",
            "demo",
            "--posts",
            "400",
            "--lake",
            str(lake_dir),
            "--report-dir",
            str(report_dir),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert "all passed" in res.stderr

    lake = Lake(str(lake_dir))
    for name, tdef in TABLES.items():
        assert lake.read_table(tdef).num_rows > 0, f"{name} is empty"

    # The cleanse run summaries reconcile: in = out + quarantined + duplicates.
    runs = [json.loads(lake.get_bytes("cleansed", k)) for k in lake.list_keys("cleansed", "_runs", include_hidden=True)]
    assert runs and all(r["records_in"] == r["cleansed"] + r["quarantined"] + r["duplicates"] for r in runs)
    assert sum(r["duplicates"] for r in runs) > 0, "the re-scrape's edited re-fetches should be de-duplicated"

    html = next(report_dir.glob("*.html")).read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 8


def test_demo_refuses_to_wipe_a_folder_it_did_not_create(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    res = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from cafelake.cli import main; sys.argv[0]='cafelake'; main()",
            "demo",
            "--posts",
            "50",
            "--lake",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode != 0
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_every_stage_that_ends_fills_its_progress_bar():
    """A stage that reports nothing (checks, report), one that stops short of its estimate (a scrape whose
    board ended early) and one that reports exactly: each bar shows 100 % once its stage returns."""
    import io

    from rich.console import Console
    from rich.progress import Progress

    from cafelake.commands.demo import DemoRun

    run = DemoRun()
    with Progress(console=Console(file=io.StringIO())) as progress:
        with run.stage(progress, "checks"):
            pass
        with run.stage(progress, "scrape") as (_, on_progress):
            on_progress(30, 50)
        with run.stage(progress, "cleanse") as (_, on_progress):
            on_progress(7, 7)
        with pytest.raises(RuntimeError), run.stage(progress, "report", total=4) as (_, on_progress):
            on_progress(1)
            raise RuntimeError("a stage that fails keeps its bar where it stopped")
    assert [t.percentage for t in progress.tasks] == [100.0, 100.0, 100.0, 25.0]
    assert [r.stage for r in run.rows] == ["checks", "scrape", "cleanse", "report"]
