"""Where things live in a lake: its zones, the partition folders, the table files, and which keys readers skip.

A module of plain names, below both the lake (`lake.py`, which the scraper Lambda imports
without pyarrow) and the data contracts (`schemas.py`, built on pyarrow), so neither has to
import the other to agree on them.

A partitioned table is stored by month, read by day: its folders are `month=YYYY-MM/` (the
partition Athena projects) and every file holds a real `dt` column (YYYY-MM-DD), sorted, with
min/max statistics, so a dt filter skips files and row groups. In a month's folder a file is
either a day file, `day-YYYY-MM-DD-<token>.parquet` (one day: the open month is written so), or
the month file, `month-<days>-<token>.parquet` (the month compacted: `<days>` is the hex mask of
the days it holds, bit d-1 for day d, so a listing alone tells which days a month file holds).
Tokens sort by the time they were made: of two files for the same days, the later one wins. Beside a
month file, the hidden `_days-<token>.json` keeps the version of each of its days (`Lake.day_versions`).
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

ZONES = ("raw", "cleansed", "tokenized")
PARTITION_KEY = "dt"  # the KST post date (the ingest date for quarantine), a column of every file
MONTH_KEY = "month"  # month=YYYY-MM folders: the partitions Athena projects
OLD_PARTITION_PREFIX = f"{PARTITION_KEY}="  # the folders of a lake written before months (one per day)
HIDDEN_PREFIXES = ("_", ".")

_FILE = re.compile(
    r"^month=(?P<month>\d{4}-\d{2})/(?:day-(?P<day>\d{4}-\d{2}-\d{2})|month-(?P<mask>[0-9a-f]{8}))"
    r"-(?P<token>[0-9a-f]{22})\.parquet$"
)


def is_hidden(key: str) -> bool:
    """The lake's one visibility rule, Athena's own: a key with a part starting `_` or `.` is not data.

    State, run records, quarantine and temporary files live under such names; table readers,
    key listings and the local query engine all skip them through this function.
    """
    return any(part.startswith(HIDDEN_PREFIXES) for part in key.split("/"))


def new_token() -> str:
    """22 hex digits: nanoseconds since the epoch, then random ones; tokens sort in the order they were made."""
    return f"{time.time_ns():016x}{secrets.token_hex(3)}"


def month_of(dt: str) -> str:
    return dt[:7]


@dataclass(frozen=True)
class TableFile:
    """A data file of a partitioned table: its key below the table, its month, the days it holds."""

    key: str
    month: str
    days: frozenset[str]
    token: str
    compacted: bool  # the month file (else a day file)

    @classmethod
    def parse(cls, key: str) -> TableFile | None:
        """The file a key below the table names, or None (another layout, a temporary file)."""
        m = _FILE.match(key)
        if not m:
            return None
        month = m["month"]
        if m["day"]:
            if month_of(m["day"]) != month:
                return None
            return cls(key, month, frozenset([m["day"]]), m["token"], False)
        mask = int(m["mask"], 16)
        days = frozenset(f"{month}-{d:02d}" for d in range(1, 32) if mask >> (d - 1) & 1)
        return cls(key, month, days, m["token"], True)


def day_file_key(dt: str, token: str) -> str:
    return f"{MONTH_KEY}={month_of(dt)}/day-{dt}-{token}.parquet"


def month_file_key(month: str, days: set[str], token: str) -> str:
    mask = 0
    for dt in days:
        mask |= 1 << (int(dt[8:10]) - 1)
    return f"{MONTH_KEY}={month}/month-{mask:08x}-{token}.parquet"


def versions_key(month: str, token: str) -> str:
    """The hidden object beside a month file naming its days' versions (`Lake.day_versions`)."""
    return f"{MONTH_KEY}={month}/_days-{token}.json"


def live_files(files: list[TableFile]) -> list[TableFile]:
    """The files readers read: per month, the latest month file and the latest day file of each day it lacks.

    Older files are what an interrupted write or compaction left behind (the next one removes them):
    a day is read from one file only, so no reader sees a row twice.
    """
    newest_month: dict[str, TableFile] = {}
    for f in files:
        if f.compacted and (f.month not in newest_month or f.token > newest_month[f.month].token):
            newest_month[f.month] = f
    newest_day: dict[str, TableFile] = {}
    for f in files:
        if f.compacted:
            continue
        [dt] = f.days
        covering = newest_month.get(f.month)
        if covering is not None and (dt in covering.days or covering.token > f.token):
            continue  # the month file holds the day, or was written after the day file (which it then dropped)
        if dt not in newest_day or f.token > newest_day[dt].token:
            newest_day[dt] = f
    return sorted([*newest_month.values(), *newest_day.values()], key=lambda f: (min(f.days, default=""), f.key))
