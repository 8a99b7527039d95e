"""Collection: the polite, incremental Naver Cafe scraper and the raw-zone writer.

Free of pyarrow and pandas so the scraper Lambda bundle stays small. The local
Naver-compatible server lives in `cafelake.collect.server` (import it explicitly).
"""

from cafelake.collect.runner import ScrapeSummary, run_scrape
from cafelake.collect.seed import seed_raw

__all__ = ["ScrapeSummary", "run_scrape", "seed_raw"]
