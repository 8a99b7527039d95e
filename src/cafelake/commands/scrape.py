"""`cafelake scrape`: scrape one board of a source (Naver or the local server) into the raw zone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from cafelake.commands._common import LakeOption, console, pipeline
from cafelake.errors import SourceError


def scrape(
    base_url: Annotated[
        str, typer.Option("--base-url", help="API base URL: https://apis.naver.com or the local server.")
    ],
    club_id: Annotated[str, typer.Option("--club-id", help="The community (a Naver cafe's club id).")],
    menu_id: Annotated[str, typer.Option("--menu-id", help="The board within it (the cafe's menu id).")],
    source: Annotated[
        str | None,
        typer.Option(
            "--source", help="A registered source that can be scraped (default: the registry's default, naver_cafe)."
        ),
    ] = None,
    lake: LakeOption = None,
    cookies_file: Annotated[
        Path | None,
        typer.Option(
            "--cookies-file",
            help="The source's session cookies (for Naver a member's: a JSON object or a Cookie header); "
            "else the source's environment variable ($CAFELAKE_NAVER_COOKIES).",
        ),
    ] = None,
    rate_limit: Annotated[
        float | None,
        typer.Option("--rate-limit", help="Requests per second; 0 = unlimited [default: CAFELAKE_RATE_LIMIT, else 1]."),
    ] = None,
    lookback_hours: Annotated[
        float | None,
        typer.Option(
            "--lookback-hours",
            help="Re-fetch articles posted this recently [default: CAFELAKE_LOOKBACK_HOURS, else 24].",
        ),
    ] = None,
    max_pages: Annotated[
        int | None, typer.Option("--max-pages", help="Stop after this many list pages (resumable).")
    ] = None,
    time_budget: Annotated[
        float | None, typer.Option("--time-budget", help="Stop after this many seconds (resumable).")
    ] = None,
    backfill: Annotated[bool, typer.Option("--backfill", help="Walk the whole board, whatever the watermark.")] = False,
    user_agent: Annotated[
        str | None,
        typer.Option(
            "--user-agent",
            help="User-Agent header; name a way to reach you, e.g. 'cafelake/1.0 (+mailto:you@example.com)' "
            "[default: CAFELAKE_USER_AGENT].",
        ),
    ] = None,
) -> None:
    """Fetch the board's new articles (plus the look-back window); resumes an unfinished run."""
    from cafelake import sources

    stages = pipeline(lake)
    env = stages.settings.env
    scraping = env.scraping
    walker = sources.listing(source or sources.default_name())
    cookies = walker.load_session(file=str(cookies_file) if cookies_file else None, environ=env.variables)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]scrape[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(f"{club_id}/{menu_id}", total=None)
        summary = stages.collect(
            base_url,
            club_id,
            menu_id,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            source=walker.name,
            cookies=cookies,
            rate_limit=scraping.rate_limit if rate_limit is None else rate_limit,
            lookback=scraping.lookback_hours if lookback_hours is None else lookback_hours,
            lookback_max=scraping.lookback_max,
            max_pages=max_pages,
            time_budget_s=time_budget,
            backfill=backfill,
            user_agent=user_agent or scraping.user_agent,
        )
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(summary.statuses.items())) or "none"
    skipped = (
        f" ({summary.pages_skipped} malformed pages skipped: the warnings above name them)"
        if summary.pages_skipped
        else ""
    )
    console.print(
        f"run {summary.run_id}: {summary.articles_fetched} articles ({statuses}), {summary.pages} pages"
        f"{skipped}, {summary.retries} retries, {summary.quarantined} quarantined; "
        f"watermark {summary.watermark}"
    )
    if summary.complete:
        console.print("[green]complete[/]")
    elif summary.continue_:
        wait = f" (in {summary.wait_seconds} s: the source asked to wait)" if summary.wait_seconds else ""
        console.print(f"[yellow]paused ({summary.stopped})[/]: run the same command again to resume{wait}")
    else:
        raise SourceError(f"stopped ({summary.stopped}): {summary.detail}; state saved, resume later")
