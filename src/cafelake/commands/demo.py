"""`cafelake demo`: the whole pipeline on one laptop, end to end.

generate → serve (Naver-compatible, loopback) → scrape → cleanse → tokenize → compact →
views → checks → report. Every number in the closing table comes from the stages themselves.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cafelake.commands._common import LakeOption, console
from cafelake.errors import SourceError, UsageError
from cafelake.lake import Lake
from cafelake.pipeline import Pipeline
from cafelake.settings import Settings
from cafelake.store import writing

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
        """Time a stage and give it a progress callback `(done, total)`; a stage that ends fills its bar.

        A stage may report nothing (the checks, the report) or stop short of its estimate (a scrape's
        total is a guess until the board's last page): once it returns, its bar shows 100 %.
        """
        row = StageRow(name)
        task = progress.add_task(name, total=total)

        def on_progress(done: int, total: int | None = None) -> None:
            progress.update(task, completed=done, total=total if total is not None else progress.tasks[task].total)

        start = time.perf_counter()
        try:
            yield row, on_progress
            t = progress.tasks[task]
            end = t.total if t.total is not None else max(t.completed, 1)
            progress.update(task, completed=end, total=end)
        finally:
            row.seconds = time.perf_counter() - start
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


def _fresh_lake(lake: Lake, keep: bool) -> None:
    """Start from an empty lake, but never delete a folder the demo did not create."""
    root = lake.local_root()
    if root is None:
        raise UsageError("the demo runs on a local lake folder")
    if root.is_dir() and any(root.iterdir()) and not keep:
        if not (root / DEMO_MARKER).exists():
            raise UsageError(f"{root} holds data the demo did not create; pass another --lake or --keep")
        shutil.rmtree(root)
    with writing(str(root)):
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
    from cafelake.collect.politeness import Policy
    from cafelake.sources.naver_cafe.corpus import Corpus
    from cafelake.sources.naver_cafe.server import FaultConfig, NaverServer, board_clock

    pipeline = Pipeline.from_settings(Settings.load(lake=lake))
    _fresh_lake(pipeline.lake, keep)
    pipeline.init()  # the lake and its pseudonym key, as `cafelake init` makes them
    run = DemoRun()
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        with run.stage(progress, "generate", total=posts) as (row, on_progress):
            # The board's year ends yesterday (KST); the demo visits it at the corpus's "now",
            # so "21:13"-style, "어제" and "3시간 전" dates mean what they would live.
            yesterday = (datetime.now(KST) - timedelta(days=1)).date()
            corpus = Corpus(posts=posts, seed=seed, end_date=yesterday, settings=pipeline.settings)
            now = board_clock(corpus.as_of)
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
                    s = pipeline.collect(
                        server.base_url,
                        corpus.club_id,
                        corpus.menu_id,
                        progress=on_progress,
                        rate_limit=0,
                        lookback=DEMO_LOOKBACK,
                        now=now,
                        policy=Policy(**DEMO_POLICY),
                    )
                    row.records_out, row.quarantined = s.articles_fetched, s.quarantined
                    row.note = f"{s.requests:,} requests, {s.retries:,} retried; " + ", ".join(
                        f"{k} {v:,}" for k, v in sorted(s.statuses.items())
                    )
                    if not s.complete:
                        raise SourceError(f"the demo board's scrape stopped early: {s.stopped} {s.detail or ''}")

        with run.stage(progress, "cleanse") as (row, on_progress):
            c = pipeline.cleanse(progress=on_progress)
            row.records_in, row.records_out, row.quarantined = c.records_in, c.cleansed, c.quarantined
            row.note = f"{c.duplicates:,} duplicates dropped"

        with run.stage(progress, "tokenize") as (row, on_progress):
            t = pipeline.tokenize(progress=on_progress)
            row.records_in, row.records_out = t.posts_in, t.posts_tokenized + t.posts_reused
            row.note = f"{t.tokens:,} tokens, {t.group_matches:,} group matches, {t.tfidf_rows:,} TF-IDF rows"

        with run.stage(progress, "compact") as (row, on_progress):
            k = pipeline.compact(progress=on_progress)
            row.records_in, row.records_out = k.files_in, k.files_out
            row.note = f"{k.months_compacted:,} table months before {k.before} made one file each ({k.rows:,} rows)"

        with run.stage(progress, "views") as (row, on_progress):
            rows = pipeline.views(on_progress)
            row.records_in, row.records_out = len(rows), sum(rows.values())
            row.note = f"{len(rows)} views, {sum(rows.values()):,} rows"

        with run.stage(progress, "checks") as (row, on_progress):
            results = pipeline.checks(progress=on_progress)
            failed = [r for r in results if not r.passed]
            row.records_in, row.records_out = len(results), len(results) - len(failed)
            row.note = "all passed" if not failed else "FAILED: " + ", ".join(r.name for r in failed)

        with run.stage(progress, "report") as (row, on_progress):
            report = pipeline.report(report_dir)
            row.records_in, row.records_out = len(report.charts), len(report.charts) - len(report.broken)
            row.note = str(report.path) if not report.broken else "FAILED charts: " + ", ".join(report.broken)

    console.print(run.table())
    console.print(f"lake:   {pipeline.lake.root}")
    console.print(f"report: {report.path.resolve()}")
    if failed or report.broken:
        raise typer.Exit(1)
