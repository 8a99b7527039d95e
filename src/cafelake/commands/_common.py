"""Options and helpers shared by the stage commands."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from cafelake.lake import Lake
from cafelake.settings import Settings

console = Console(stderr=True)

LakeOption = Annotated[
    str | None,
    typer.Option("--lake", help="Lake root: a folder or s3://bucket/prefix [default: CAFELAKE_LAKE, else ./lake]."),
]


def load(lake: str | None) -> tuple[Settings, Lake]:
    """The command's settings (the environment, `--lake` first) and the lake they name: read once, passed on."""
    settings = Settings.load(lake=lake)
    return settings, Lake.from_settings(settings.env)
