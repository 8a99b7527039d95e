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


WaitOption = Annotated[
    float,
    typer.Option(
        "--wait", metavar="SECONDS", help="If another run of this stage holds the lake's lock, wait this long for it."
    ),
]


def pipeline(lake: str | None, *, needs: str | None = None, stage: str | None = None) -> Pipeline:
    """The command's pipeline: the settings read once (the environment, `--lake` first) and the lake they name.

    `needs`: the zone the command reads; a lake without it is refused (MissingLakeError), and the
    stages whose last run was interrupted are named, with the command that heals them (the command's
    own `stage` says so itself, as it reruns).
    """
    stages = Pipeline.from_settings(Settings.load(lake=lake))
    if needs:
        stages.require(needs)
        for run in (r for r in stages.interrupted() if r["stage"] != stage):
            console.print(
                f"[yellow]the last {run['stage']} (run {run['run_id']}) did not finish ({run.get('status')}); "
                f"`cafelake {run['stage']}` heals it[/yellow]",
                soft_wrap=True,
            )
    return stages
