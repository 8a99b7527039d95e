"""notebooks/analysis.ipynb runs top to bottom on a small lake, in a kernel of this very Python."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[3] / "notebooks" / "analysis.ipynb"
KERNEL = "cafelake-test"


@pytest.fixture
def kernel_spec(tmp_path, monkeypatch) -> str:
    """A kernelspec for sys.executable in a temp Jupyter path: works on a fresh machine, no manual step."""
    folder = tmp_path / "jupyter" / "kernels" / KERNEL
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "cafelake test",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return KERNEL


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


@pytest.mark.slow
def test_notebook_runs_on_the_local_lake(report_lake, kernel_spec, tmp_path, monkeypatch):
    monkeypatch.setenv("CAFELAKE_ENGINE", "local")
    monkeypatch.setenv("CAFELAKE_LAKE", report_lake.root)
    monkeypatch.setenv("CAFELAKE_REPORT_DIR", str(tmp_path / "report"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, kernel_name=kernel_spec, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "engine=local: 11 of 11 views read" in text
    assert "Posts peak at" in text and "rose most" in text
    images = [o for o in outputs if o.output_type == "display_data" and "image/png" in o.data]
    assert len(images) == 11
    assert (tmp_path / "report" / "report.html").is_file()
