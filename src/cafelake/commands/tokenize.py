"""`cafelake tokenize`: cleansed posts -> Kiwi tokens, keyword groups, TF-IDF and the mart."""

from __future__ import annotations

from typing import Annotated

import typer

from cafelake.commands._common import LakeOption, WaitOption, console, pipeline, print_summary


def tokenize(
    lake: LakeOption = None,
    full: Annotated[bool, typer.Option("--full", help="Rebuild every partition, re-tokenizing every post.")] = False,
    wait: WaitOption = 0.0,
) -> None:
    """Tokenize the cleansed partitions that changed since the last run and rebuild the mart."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    stages = pipeline(lake, needs="cleansed", stage="tokenize")
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        posts = progress.add_task("Tokenizing posts", total=None)
        tfidf = progress.add_task("TF-IDF (posts)", total=None)
        summary = stages.tokenize(
            full=full,
            progress=lambda done, total: progress.update(posts, completed=done, total=total),
            tfidf_progress=lambda done, total: progress.update(tfidf, completed=done, total=total),
            wait=wait,
        )
    print_summary("tokenize", summary)
