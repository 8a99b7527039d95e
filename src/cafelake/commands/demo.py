"""`cafelake demo`: the whole pipeline on one laptop, end to end.

generate → serve (Naver-compatible, loopback) → scrape → cleanse → tokenize → views →
checks → report. Every number in the closing table comes from the stages themselves.
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cafelake.commands._common import LakeOption, console, open_lake
from cafelake.lake import Lake

DEMO_MARKER = ".cafelake-demo"  # the demo only ever wipes a lake it created itself
# A light dose of what the real source does: throttling, server errors, truncated bodies,
# dropped connections and posts arriving between page requests. The scraper rides them out.
KST = ZoneInfo("Asia/Seoul")
# The second scrape re-reads the last month (at most 1,000 articles) to pick up edits and
# changed counts, as a scheduled run with a generous look-back would.
DEMO_LOOKBACK = timedelta(days=30)
# Retry-After (1 s) is honoured in full; the backoff base is short because the server is local.
DEMO_FAULTS = "429=0.0003,500=0.003,truncate=0.002,drop=0.001,publish=1,retry_after=1"
DEMO_POLICY = {"backoff_base_s": 0.05}


@dataclass
class StageRow:
    stage: str
    records_in: int | None = None
    records_out: int | None = None
    quarantined: int | None = None
    seconds: float = 0.0
    note: str = ""


@dataclass
class DemoRun:
    rows: list[StageRow] = field(default_factory=list)

    @contextmanager
    def stage(self, progress: Progress, name: str, total: int | None = None) -> Iterator[tuple[StageRow, Callable]]:
        """Time a stage and give it a progress callback `(done, total)`."""
        row = StageRow(name)
        task = progress.add_task(name, total=total)

        def on_progress(done: int, total: int | None = None) -> None:
            progress.update(task, completed=done, total=total if total is not None else progress.tasks[task].total)

        start = time.perf_counter()
        try:
            yield row, on_progress
        finally:
            row.seconds = time.perf_counter() - start
            t = progress.tasks[task]
            progress.update(task, completed=t.total if t.total is not None else t.completed,
                            total=t.total if t.total is not None else max(t.completed, 1))
            self.rows.append(row)

    def table(self) -> Table:
        t = Table(title="cafelake demo")
        for col in ("stage", "in", "out", "quarantined", "seconds", "note"):
            t.add_column(col, justify="right" if col in ("in", "out", "quarantined", "seconds") else "left")
        fmt = lambda v: "" if v is None else f"{v:,}"  # noqa: E731
        for r in self.rows:
            t.add_row(r.stage, fmt(r.records_in), fmt(r.records_out), fmt(r.quarantined), f"{r.seconds:.1f}", r.note)
        t.add_row("total", "", "", "", f"{sum(r.seconds for r in self.rows):.1f}", "", style="bold")
        return t


def _board_clock(as_of: datetime) -> Callable[[], datetime]:
    """Simulated UTC time for the demo's scrapes, just before the corpus's `as_of`.

    The corpus's pages show dates as they read at its end (`21:13` for today, `어제`,
    `3시간 전`), and cleanse reads such text relative to the fetch time, as it must for
    Naver, which renders each page when it is fetched. A real-speed clock would carry the
    demo's fetches past midnight, a day after the pages' moment, and date every `어제` post
    a day late; this one starts a second early and runs at 1/10,000 of real speed (a
    millisecond every 10 s), so fetches stay ordered and a scrape hours long still reads
    as the board's last second.
    """
    start, t0 = as_of.astimezone(UTC) - timedelta(seconds=1), time.monotonic()
    return lambda: start + timedelta(seconds=(time.monotonic() - t0) / 10_000)


def _fresh_lake(lake: Lake, keep: bool) -> None:
    """Start from an empty lake, but never delete a folder the demo did not create."""
    root = Path(lake.root)
    if lake.root.startswith("s3://"):
        raise typer.BadParameter("the demo runs on a local lake folder")
    if root.exists() and any(root.iterdir()) and not keep:
        if not (root / DEMO_MARKER).exists():
            raise typer.BadParameter(f"{root} holds data the demo did not create; pass another --lake or --keep")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / DEMO_MARKER).write_text("created by `cafelake demo`; safe to delete\n")


def demo(
    lake: LakeOption = None,
    posts: Annotated[int, typer.Option(help="Posts in the generated corpus.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Corpus seed (same seed, same corpus).")] = 42,
    report_dir: Annotated[Path, typer.Option("--report-dir", help="Where the report goes.")] = Path("report"),
    keep: Annotated[bool, typer.Option(help="Keep an existing demo lake (an incremental re-run).")] = False,
    faults: Annotated[bool, typer.Option(help="Inject server faults (429, 500, truncated JSON, drops).")] = True,
) -> None:
    from cafelake.athena.checks import run_checks
    from cafelake.athena.local import LocalAthena
    from cafelake.athena import sqlfiles
    from cafelake.cleanse import run_cleanse
    from cafelake.collect import run_scrape
    from cafelake.collect.politeness import Policy
    from cafelake.sources.naver_cafe.server import FaultConfig, NaverServer
    from cafelake.sources.naver_cafe.corpus import Corpus
    from cafelake.report.html import local_source, make_charts, read_views, write_report
    from cafelake.tokenize import run_tokenize

    the_lake = open_lake(lake)
    _fresh_lake(the_lake, keep)
    run = DemoRun()
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        with run.stage(progress, "generate", total=posts) as (row, on_progress):
            # The board's year ends yesterday (KST); the demo visits it at the corpus's "now",
            # so "21:13"-style, "어제" and "3시간 전" dates mean what they would live.
            yesterday = (datetime.now(KST) - timedelta(days=1)).date()
            corpus = Corpus(posts=posts, seed=seed, end_date=yesterday)
            board_clock = _board_clock(corpus.as_of)
            on_progress(len(corpus), len(corpus))
            row.records_out = len(corpus)
            row.note = f"seed {seed}, {corpus.club_id}/{corpus.menu_id}"

        # Most of the board is there at the first scrape; the rest is published later, and
        # edited articles change between the two runs: the second scrape is incremental.
        first = int(len(corpus) * 0.95)
        fault_cfg = FaultConfig.parse(DEMO_FAULTS + f",seed={seed}") if faults else FaultConfig()
        with NaverServer(corpus, faults=fault_cfg, visible=first) as server:
            for label, publish in (("scrape", 0), ("rescrape", len(corpus) - first)):
                # Naver's API caps a page at 50 items; loopback is unthrottled (rate_limit=0).
                server.publish(publish)
                with run.stage(progress, label, total=None) as (row, on_progress):
                    s = run_scrape(the_lake, server.base_url, corpus.club_id, corpus.menu_id,
                                   rate_limit=0, lookback=DEMO_LOOKBACK, on_progress=on_progress,
                                   now=board_clock, policy=Policy(**DEMO_POLICY))
                    row.records_out, row.quarantined = s.articles_fetched, s.quarantined
                    row.note = (f"{s.requests:,} requests, {s.retries:,} retried; "
                                + ", ".join(f"{k} {v:,}" for k, v in sorted(s.statuses.items())))
                    if not s.complete:
                        raise typer.BadParameter(f"scrape stopped early: {s.stopped} {s.detail or ''}")

        with run.stage(progress, "cleanse") as (row, on_progress):
            c = run_cleanse(the_lake, on_progress=on_progress)
            row.records_in, row.records_out, row.quarantined = c.records_in, c.cleansed, c.quarantined
            row.note = f"{c.duplicates:,} duplicates dropped"

        with run.stage(progress, "tokenize") as (row, on_progress):
            t = run_tokenize(the_lake, on_progress=on_progress)
            row.records_in, row.records_out = t.posts_in, t.posts_tokenized + t.posts_reused
            row.note = f"{t.tokens:,} tokens, {t.group_matches:,} group matches, {t.tfidf_rows:,} TF-IDF rows"

        engine = LocalAthena(the_lake)
        names = [v.name for v in sqlfiles.views()]
        with run.stage(progress, "views", total=len(names)) as (row, on_progress):
            rows = 0
            for i, name in enumerate(names, 1):
                rows += engine.row_count(name)
                on_progress(i, len(names))
            row.records_in, row.records_out = len(names), rows
            row.note = f"{len(names)} views, {rows:,} rows"

        with run.stage(progress, "checks") as (row, on_progress):
            results = run_checks(the_lake)
            failed = [r for r in results if not r.passed]
            row.records_in, row.records_out = len(results), len(results) - len(failed)
            row.note = "all passed" if not failed else "FAILED: " + ", ".join(r.name for r in failed)

        with run.stage(progress, "report") as (row, on_progress):
            drawn = make_charts(read_views(the_lake))
            html = write_report(drawn, report_dir, source=local_source(the_lake))
            broken = [c.slug for c in drawn if c.failed]
            row.records_in, row.records_out = len(drawn), len(drawn) - len(broken)
            row.note = str(html) if not broken else "FAILED charts: " + ", ".join(broken)

    console.print(run.table())
    console.print(f"lake:   {the_lake.root}")
    console.print(f"report: {Path(html).resolve()}")
    if failed or broken:
        raise typer.Exit(1)
