"""Where things live in a lake: its zones, the partition folders, and which keys readers skip.

A module of plain names, below both the lake (`lake.py`, which the scraper Lambda imports
without pyarrow) and the data contracts (`schemas.py`, built on pyarrow), so neither has to
import the other to agree on them.
"""

from __future__ import annotations

ZONES = ("raw", "cleansed", "tokenized")
PARTITION_KEY = "dt"  # dt=YYYY-MM-DD folders: the KST post date (the ingest date for quarantine)
HIDDEN_PREFIXES = ("_", ".")


def is_hidden(key: str) -> bool:
    """The lake's one visibility rule, Athena's own: a key with a part starting `_` or `.` is not data.

    State, run records, quarantine and temporary files live under such names; table readers,
    key listings and the local query engine all skip them through this function.
    """
    return any(part.startswith(HIDDEN_PREFIXES) for part in key.split("/"))
