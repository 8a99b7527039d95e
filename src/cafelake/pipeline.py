"""The pipeline: the stages in their order, and what each one is given.

    collect -> cleanse -> tokenize -> views -> checks -> report

A `Pipeline` holds what the stages share: one lake, one `Settings`, one pseudonym key.
The command line, the demo, the benchmarks, the tests and the Glue job scripts run stages
through it, so no caller wires a stage by hand:

| stage    | reads                  | writes                         | given                               |
|----------|------------------------|--------------------------------|-------------------------------------|
| collect  | a source (HTTP)        | raw, raw/_state, raw/_runs     | lake; source, board, politeness     |
| (import) | a file source's rows   | raw, raw/_runs                 | lake; board, records, their digest  |
| cleanse  | raw                    | cleansed/posts, _quarantine    | lake, settings.cleanse, key         |
| tokenize | cleansed/posts         | tokenized (the mart)           | lake, settings.tokenizer and frames |
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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cafelake.lake import Lake
from cafelake.runs import Progress
from cafelake.settings import Settings

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import SparkSession

    from cafelake.athena.checks import CheckResult
    from cafelake.athena.local import LocalAthena
    from cafelake.cleanse import CleanseSummary
    from cafelake.collect import ScrapeSummary
    from cafelake.collect.importer import ImportSummary
    from cafelake.report.charts import Chart
    from cafelake.sources.base import Board
    from cafelake.tokenize import TokenizeSummary

STAGES = ("collect", "cleanse", "tokenize", "views", "checks", "report")


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
        self, *, full: bool = False, ingest_dts: Iterable[str] | None = None, progress: Progress | None = None
    ) -> CleanseSummary:
        """Raw objects not cleansed yet (or those of `ingest_dts`, or all) -> cleansed posts and quarantine."""
        from cafelake.cleanse import run_cleanse

        return run_cleanse(
            self.lake, self.settings, ingest_dts=ingest_dts, full=full, on_progress=progress, key=self.key
        )

    def tokenize(
        self,
        *,
        full: bool = False,
        spark: SparkSession | None = None,
        progress: Progress | None = None,
        tfidf_progress: Progress | None = None,
    ) -> TokenizeSummary:
        """Changed cleansed partitions -> the mart; with `spark`, Kiwi runs in Spark's Python workers."""
        if spark is not None:
            from cafelake.tokenize.spark import run_spark

            return run_spark(spark, self.lake, self.settings, full=full)
        from cafelake.tokenize import run_tokenize

        return run_tokenize(self.lake, self.settings, full=full, on_progress=progress, tfidf_progress=tfidf_progress)

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
            return run_checks(engine, only=only, on_progress=progress)

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
