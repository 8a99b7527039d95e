"""`cafelake compact`: the closed months of every partitioned table rewritten as one file each."""

from __future__ import annotations

from typing import Annotated

import typer

from cafelake.commands._common import LakeOption, WaitOption, pipeline, print_summary


def compact(
    lake: LakeOption = None,
    before: Annotated[
        str | None,
        typer.Option(
            "--before",
            metavar="YYYY-MM",
            help="Compact the months before this one (default: the current KST month: every closed month).",
        ),
    ] = None,
    wait: WaitOption = 0.0,
) -> None:
    """Rewrite each closed month of every partitioned table as one file (a re-run changes nothing)."""
    stages = pipeline(lake, needs="cleansed", stage="compact")
    print_summary("compact", stages.compact(before=before, wait=wait))
