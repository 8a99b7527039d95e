"""Options and helpers shared by the stage commands."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from cafelake.lake import Lake

console = Console(stderr=True)

LakeOption = Annotated[
    str | None,
    typer.Option("--lake", envvar="CAFELAKE_LAKE", help="Lake root: a folder (default ./lake) or s3://bucket/prefix."),
]


def open_lake(lake: str | None) -> Lake:
    return Lake.from_env(lake)
