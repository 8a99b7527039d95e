"""The pipeline: the stages in their order, and what each one is given.

    collect -> cleanse -> tokenize -> compact -> views -> checks -> report

A `Pipeline` holds what the stages share: one lake, one `Settings`, one pseudonym key.
A lake is created on purpose: `init` (the demo calls it too) makes the folder and the only
pseudonym key; a collect or an import makes the raw zone; a stage that reads a zone nobody wrote
is refused (`require`). The stages that rebuild (cleanse, tokenize, compact) hold the lake's lock for
their stage (cafelake.lease: one writer at a time, a second run waits or is refused; compact holds
cleanse's and tokenize's too, as it rewrites their tables) and are marked running, then done or
failed (cafelake.runs); the next run of an interrupted one says so and heals it.
The command line, the demo, the benchmarks, the tests and the Glue job scripts run stages
through it, so no caller wires a stage by hand:

| stage    | reads                  | writes                         | given                               |
|----------|------------------------|--------------------------------|-------------------------------------|
| collect  | a source (HTTP)        | raw, raw/_state, raw/_runs     | lake; source, board, politeness     |
| (import) | a file source's rows   | raw, raw/_runs                 | lake; board, records, their digest  |
| cleanse  | raw                    | cleansed/posts, _quarantine    | lake, settings.cleanse, key         |
| tokenize | cleansed/posts         | tokenized (the mart)           | lake, settings.tokenizer and frames |
| compact  | closed months' files   | one file per table and month   | lake; the first open month          |
| views    | the mart (Athena SQL)  | nothing (rows counted)         | lake, settings.env.duckdb_memory    |
| checks   | the mart (Athena SQL)  | nothing (failing rows)         | lake, settings.env.duckdb_memory    |
| report   | the views              | report.html and PNG charts     | lake, settings.env.duckdb_memory    |

An import (`import_records`) is the other way into the raw zone: what a file source read, written
as envelopes; the stages after it are those after a collect. Every stage is incremental on its
own; `transform` runs the two that follow a collect (cleanse, then tokenize), as the cloud's
state machine does after its crawl. Stage modules are imported when their stage runs: the
scraper Lambda can use `collect` without pyarrow.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cafelake.errors import MissingLakeError, UsageError
from cafelake.lake import Lake
from cafelake.runs import RECORDED_STAGES, Progress, interrupted_run, new_run_id, recorded, utcnow
from cafelake.settings import Settings
from cafelake.store import reaching

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import SparkSession

    from cafelake.athena.checks import CheckResult
    from cafelake.athena.local import LocalAthena
    from cafelake.cleanse import CleanseSummary
    from cafelake.collect import ScrapeSummary
    from cafelake.collect.importer import ImportSummary
    from cafelake.compact import CompactSummary
    from cafelake.report.charts import Chart
    from cafelake.sources.base import Board
    from cafelake.tokenize import TokenizeSummary

STAGES = ("collect", "cleanse", "tokenize", "compact", "views", "checks", "report")
# zone -> the commands that write it (what to run when a command finds it missing)
WRITERS = {
    "raw": "`cafelake scrape` or `cafelake import`",
    "cleansed": "`cafelake cleanse`",
    "tokenized": "`cafelake tokenize`",
}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    path: Path
    charts: list[Chart]

    @property
    def broken(self) -> list[str]:
        """Slugs of the charts whose view could not be read or lost a column."""
        return [c.slug for c in self.charts if c.failed]


@dataclass(frozen=True)
class Pipeline:
    """The stages of one lake, each given the same settings and pseudonym key."""

    lake: Lake
    settings: Settings = field(default_factory=Settings.load)
    key: bytes | None = None  # the authors' pseudonym key; None: the local one (env, else the lake's key file)

    @classmethod
    def from_settings(cls, settings: Settings, *, key: bytes | None = None) -> Pipeline:
        """The pipeline of the lake the settings name."""
        return cls(Lake.from_settings(settings.env), settings, key)

    # --- the lake ---------------------------------------------------------------------------
    def init(self) -> str:
        """Create the lake: its folder and its pseudonym key (unless one is configured); says what it did.

        The one place a key is made: a key made by accident would re-key every author.
        """
        from cafelake.cleanse.authors import create_key

        root = self.lake.local_root()
        if root is None:
            raise UsageError(
                f"{self.lake.root}: an S3 lake's pseudonym key is the stack's Secrets Manager secret "
                "(or CAFELAKE_PSEUDONYM_KEY); `cafelake init` creates local lakes"
            )
        root.mkdir(parents=True, exist_ok=True)
        if self.key or self.settings.env.pseudonym_key:
            return f"lake {root} ready; its pseudonym key is the configured one (CAFELAKE_PSEUDONYM_KEY)"
        path, made = create_key(self.lake)
        return f"lake {root} ready; pseudonym key {path} {'created' if made else 'kept'} (keep it safe)"

    def require(self, zone: str) -> None:
        """Refuse to run a stage on a zone nobody wrote: a mistyped lake must not pass as an empty one."""
        with reaching(self.lake.uri(zone)):
            if self.lake.list_keys(zone):
                return
        root = self.lake.local_root()
        if root is not None and not root.is_dir():
            raise MissingLakeError(
                f"no lake at {root}: check --lake / CAFELAKE_LAKE, or create one with `cafelake init`, "
                "`cafelake scrape`, `cafelake import` or `cafelake demo`"
            )
        raise MissingLakeError(
            f"lake {self.lake.root} has no {zone} data ({self.lake.uri(zone)} is empty): run {WRITERS[zone]} first"
        )

    def pseudonym_key(self) -> bytes:
        """The authors' key: the one given, else the configured one, else the lake's key file (ConfigError if none)."""
        from cafelake.cleanse.authors import local_key

        return self.key or local_key(self.lake, self.settings.env.pseudonym_key)

    def interrupted(self) -> list[dict]:
        """The run records of stages whose last run did not finish (and is not running now)."""
        from cafelake.lease import holder_of, lock_key
        from cafelake.runs import RUN_ZONES

        found = []
        for stage in RECORDED_STAGES:
            run = interrupted_run(self.lake, stage, running=holder_of(self.lake, RUN_ZONES[stage], lock_key(stage)))
            if run:
                found.append(run)
        return found

    @contextmanager
    def _run(self, stage: str, wait: float, lock: bool, *, also: tuple[str, ...] = ()) -> Iterator[str]:
        """A stage's run: its lock (and the locks of the stages in `also`) held, an interrupted predecessor
        named, marked running then done or failed.

        `lock` False: the caller keeps runs apart itself (a Glue job runs one at a time, and Glue's own
        botocore cannot make the conditional PutObject the lock is taken with).
        """
        from cafelake.lease import stage_lock

        started = utcnow()
        run_id = new_run_id(started)
        with ExitStack() as locks:
            for name in (stage, *also) if lock else ():
                locks.enter_context(stage_lock(self.lake, name, run_id, wait=wait))
            if last := interrupted_run(self.lake, stage):
                how = "was interrupted" if last.get("status") == "running" else "failed"
                log.warning("the last %s (run %s) %s — rerunning it", stage, last["run_id"], how)
            with recorded(self.lake, stage, run_id, started):
                yield run_id

    # --- the stages, in order ------------------------------------------------------------
    def collect(
        self, base_url: str, club_id: str | int, menu_id: str | int, *, progress: Progress | None = None, **options: Any
    ) -> ScrapeSummary:
        """One invocation of the incremental scrape of a board into the raw zone (`run_scrape`'s options)."""
        from cafelake.collect import run_scrape

        return run_scrape(self.lake, base_url, club_id, menu_id, on_progress=progress, **options)

    def import_records(
        self, board: Board, records: Iterable[tuple[Any, dict[str, Any]]], **options: Any
    ) -> ImportSummary:
        """A file source's records (article id as found, payload) into the raw zone (`run_import`'s options)."""
        from cafelake.collect.importer import run_import

        return run_import(self.lake, board, records, **options)

    def cleanse(
        self,
        *,
        full: bool = False,
        ingest_dts: Iterable[str] | None = None,
        progress: Progress | None = None,
        wait: float = 0.0,
        lock: bool = True,
    ) -> CleanseSummary:
        """Raw objects not cleansed yet (or those of `ingest_dts`, or all) -> cleansed posts and quarantine.

        Another cleanse of the lake running: wait up to `wait` seconds for it, then StageLocked
        (`lock` False: the caller keeps runs apart, see `_run`).
        """
        from cafelake.cleanse import run_cleanse

        key = self.pseudonym_key()  # no key, no run: refused before anything is locked or recorded
        with self._run("cleanse", wait, lock) as run_id:
            return run_cleanse(
                self.lake,
                self.settings,
                ingest_dts=ingest_dts,
                full=full,
                on_progress=progress,
                key=key,
                run_id=run_id,
            )

    def tokenize(
        self,
        *,
        full: bool = False,
        spark: SparkSession | None = None,
        progress: Progress | None = None,
        tfidf_progress: Progress | None = None,
        wait: float = 0.0,
        lock: bool = True,
    ) -> TokenizeSummary:
        """Changed cleansed partitions -> the mart; with `spark`, Kiwi runs in Spark's Python workers."""
        with self._run("tokenize", wait, lock) as run_id:
            if spark is not None:
                from cafelake.tokenize.spark import run_spark

                return run_spark(spark, self.lake, self.settings, full=full, run_id=run_id)
            from cafelake.tokenize import run_tokenize

            return run_tokenize(
                self.lake,
                self.settings,
                full=full,
                on_progress=progress,
                tfidf_progress=tfidf_progress,
                run_id=run_id,
            )

    def compact(
        self, *, before: str | None = None, progress: Progress | None = None, wait: float = 0.0, lock: bool = True
    ) -> CompactSummary:
        """Closed months (before `before`, YYYY-MM; by default the current KST month) -> one file per table
        and month. It rewrites the cleanse's and the tokenize's tables, so it holds their locks too."""
        from cafelake.compact import run_compact

        with self._run("compact", wait, lock, also=("cleanse", "tokenize")) as run_id:
            return run_compact(self.lake, before=before, run_id=run_id, on_progress=progress)

    def transform(self, *, full: bool = False) -> tuple[CleanseSummary, TokenizeSummary]:
        """The stages after a collect: cleanse, then tokenize."""
        return self.cleanse(full=full), self.tokenize(full=full)

    def query_engine(self, *, create_views: bool = True) -> LocalAthena:
        """The local Athena (DuckDB over the lake) with the settings' memory cap; close it after use."""
        from cafelake.athena.local import LocalAthena

        return LocalAthena(self.lake, create_views=create_views, memory_limit=self.settings.env.duckdb_memory)

    def views(self, progress: Progress | None = None) -> dict[str, int]:
        """Rows of every view, every column computed (as a SPICE import would), in creation order."""
        from cafelake.athena import sqlfiles

        names = [v.name for v in sqlfiles.views()]
        rows = {}
        with self.query_engine() as engine:
            for i, name in enumerate(names, 1):
                rows[name] = engine.row_count(name)
                if progress:
                    progress(i, len(names))
        return rows

    def checks(self, *, only: list[str] | None = None, progress: Progress | None = None) -> list[CheckResult]:
        """The data-quality checks (every one, or those named in `only`)."""
        from cafelake.athena.checks import run_checks

        with self.query_engine(create_views=False) as engine:
            results = run_checks(engine, only=only, on_progress=progress)
        return results if only else results + self._lake_checks()

    def _lake_checks(self) -> list[CheckResult]:
        """Checks of the lake itself, beside the SQL ones: every table file readable, every run finished."""
        import pandas as pd

        from cafelake.athena.checks import CheckResult
        from cafelake.schemas import CATALOG_TABLES

        bad = [
            {"table": t.name, "file": path, "error": why}
            for t in CATALOG_TABLES
            for path, why in self.lake.unreadable_files(t).items()
        ]
        runs = [
            {"stage": r["stage"], "run_id": r["run_id"], "status": r.get("status"), "heal": f"cafelake {r['stage']}"}
            for r in self.interrupted()
        ]
        return [
            CheckResult(
                name,
                not rows,
                len(rows),
                pd.DataFrame(rows[:5]),
                what,
            )
            for name, rows, what in (
                ("lake_files_readable", bad, "every table file of the lake is readable Parquet"),
                ("lake_runs_finished", runs, "the last cleanse, tokenize and compact runs finished (none interrupted)"),
            )
        ]

    def report(
        self,
        out_dir: str | Path,
        *,
        group: str = "skin",
        views: Mapping[str, pd.DataFrame | Exception] | None = None,
        source: str = "the cafelake views",
    ) -> Report:
        """The HTML report and PNG charts of the local lake's views, or of `views` read elsewhere (Athena)."""
        from cafelake.report.html import local_source, make_charts, read_views, write_report

        if views is None:
            views = read_views(self.lake, memory_limit=self.settings.env.duckdb_memory)
            source = local_source(self.lake)
        charts = make_charts(views, group=group)
        return Report(Path(write_report(charts, out_dir, source=source)), charts)
