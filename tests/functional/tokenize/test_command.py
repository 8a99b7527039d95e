"""`cafelake tokenize`: runs the stage on a lake folder and prints the summary."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from cafelake.commands.tokenize import tokenize
from cafelake.lake import Lake


def test_command_tokenizes_and_reruns_cleanly(tmp_path, make_posts, sample_rows, kiwi_analyzer):
    root = tmp_path / "lake"
    Lake(str(root)).write_table("posts", make_posts(sample_rows))
    app = typer.Typer()
    app.command()(tokenize)
    runner = CliRunner()

    first = runner.invoke(app, ["--lake", str(root)])
    assert first.exit_code == 0, first.output
    assert "posts_tokenized" in first.output and str(len(sample_rows)) in first.output
    assert Lake(str(root)).read_table("posts_dim").num_rows == len(sample_rows)

    full = runner.invoke(app, ["--lake", str(root), "--full"])
    assert full.exit_code == 0, full.output
    assert Lake(str(root)).read_table("posts_dim").num_rows == len(sample_rows)
