"""`cafelake import csv FILE`: an export of an earlier scrape into the raw zone, then cleanse as usual.

The module's name has a trailing underscore: `import` is a Python keyword (cafelake.cli maps the command to it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cafelake.commands._common import LakeOption, console, pipeline

app = typer.Typer(no_args_is_help=True, help="Import exports of earlier scrapes into the raw zone.")


@app.callback()
def _group() -> None:
    """One sub-command per file format (`csv` today), so another format is one more command here."""


@app.command("csv")
def csv(
    file: Annotated[Path, typer.Argument(help="The CSV export (UTF-8, with or without a byte-order mark).")],
    club_id: Annotated[str, typer.Option("--club-id", help="The community the rows come from (the cafe's club id).")],
    menu_id: Annotated[str, typer.Option("--menu-id", help="The board within it (the cafe's menu id).")],
    lake: LakeOption = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="Which column holds what, as role=Header,... (roles: article_id, title, content, date, "
            "author, author_id, url, read_count, comment_count, fetched_at) or a YAML file with "
            "`columns:` and `origin:`. Default: the old study's export, URL, 글번호, 날짜, 작성자, "
            "제목, 내용.",
        ),
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option("--origin", help="The source whose posts the rows are (their post ids), default naver_cafe."),
    ] = None,
    mark_scraped: Annotated[
        bool,
        typer.Option(
            "--mark-scraped",
            help="Raise the origin board's scrape watermark to the newest imported article, so the "
            "next scrape fetches only newer ones (and its look-back) instead of the whole board.",
        ),
    ] = False,
) -> None:
    """Import a CSV export: every row lands in the raw zone untouched, then `cafelake cleanse` reads it like a post."""
    from cafelake import sources
    from cafelake.sources.base import Board
    from cafelake.sources.csv_import import SOURCE
    from cafelake.sources.csv_import.layout import parse_layout
    from cafelake.sources.csv_import.reader import Export

    stages = pipeline(lake)
    layout = parse_layout(columns, origin)
    origin_source = sources.get(layout.origin)  # a post id namespace must be a registered source
    if mark_scraped:
        sources.listing(origin_source.name)
    export = Export(file, layout)
    board = Board(SOURCE.name, club_id, menu_id)
    summary = stages.import_records(
        board,
        export,
        digest=export.digest(),
        origin=layout.origin,
        file=file.name,
        mark_scraped=mark_scraped,
    )
    if summary.already_imported:
        console.print(f"{file} was imported this way already (run {summary.already_imported}): nothing written")
        return
    repeats = f"; {export.header_repeats} repeated header lines left out" if export.header_repeats else ""
    console.print(
        f"run {summary.run_id}: {summary.rows:,} rows of {file} into {summary.objects_written} raw "
        f"objects as posts of {layout.origin}:{club_id} board {menu_id}{repeats}"
    )
    if summary.watermark is not None:
        console.print(f"the scrape watermark of {layout.origin}:{club_id}/{menu_id} is now {summary.watermark}")
    console.print("next: `cafelake cleanse` (rows that cannot be read are quarantined there, with the reason)")
