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
