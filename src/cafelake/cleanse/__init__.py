"""Cleanse: raw envelopes to `cleansed/posts` (one row per post) and `cleansed/_quarantine`.

`records` reads raw objects, `dates`/`text`/`authors` hold the rules, `redact` takes
author identities out of quarantine payloads, `settings` reads cleanse.yaml, `transform`
is the pure Arrow core, `job` selects objects, merges, writes and reconciles.
"""

from cafelake.cleanse.job import CleanseSummary, ReconciliationError, run_cleanse
from cafelake.cleanse.transform import CleanseConfig

__all__ = ["CleanseConfig", "CleanseSummary", "ReconciliationError", "run_cleanse"]
