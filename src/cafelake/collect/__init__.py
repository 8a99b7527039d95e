"""Collection, source-agnostic: the incremental cursor, politeness, the raw-zone writer, board state.

A source (cafelake.sources) says what a board's pages and bodies look like; collect decides what
to fetch, how fast, and writes what came back untouched. Free of pyarrow and pandas so the
scraper Lambda bundle stays small.
"""

from cafelake.collect.runner import ScrapeSummary, run_scrape
from cafelake.collect.seed import seed_raw

__all__ = ["ScrapeSummary", "run_scrape", "seed_raw"]
