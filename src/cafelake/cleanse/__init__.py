"""Cleanse: raw envelopes to `cleansed/posts` (one row per post) and `cleansed/_quarantine`.

`records` reads raw objects, `dates`/`text`/`authors` hold the rules, `transform` is the
pure Arrow core, `job` selects objects, merges and writes.
"""

from cafelake.cleanse.job import CleanseSummary, run_cleanse
from cafelake.cleanse.transform import CleanseConfig

__all__ = ["CleanseConfig", "CleanseSummary", "run_cleanse"]
