"""Options and helpers shared by the stage commands."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from cafelake.pipeline import Pipeline
from cafelake.settings import Settings

console = Console(stderr=True)

LakeOption = Annotated[
    str | None,
    typer.Option("--lake", help="Lake root: a folder or s3://bucket/prefix [default: CAFELAKE_LAKE, else ./lake]."),
]


def pipeline(lake: str | None) -> Pipeline:
    """The command's pipeline: the settings read once (the environment, `--lake` first) and the lake they name."""
    return Pipeline.from_settings(Settings.load(lake=lake))
