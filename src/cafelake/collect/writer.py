"""Raw-zone writes: envelopes as gzip JSON Lines at deterministic keys, plus quarantine.

A key depends only on (board, ingest date, run, seq), and gzip gets a fixed mtime, so a
retried write replaces its own object byte for byte instead of adding a duplicate. The
ingest date is the caller's, never the clock's at write time: the scraper fixes it in its
checkpoint before the write, so a retry after UTC midnight still lands on the same key.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from cafelake.lake import Lake
from cafelake.raw import STATUSES, gzip_lines, object_key, quarantine_key
from cafelake.runs import iso_z, utcnow
from cafelake.sources.base import Board


def ingest_date(moment: datetime) -> str:
    """The UTC date of `moment` as an `ingest_dt` value."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def envelope(
    board: Board,
    article_id: Any,
    status: str,
    payload: dict[str, Any],
    *,
    run_id: str,
    seq: int,
    fetched_at: datetime,
    origin: str | None = None,
) -> dict[str, Any]:
    """One raw record: the common fields (cafelake.raw.ENVELOPE_FIELDS) around the source's `payload`."""
    if status not in STATUSES:
        raise ValueError(f"unknown article_status {status!r}")
    return {
        "source": board.source,
        **({"origin": origin} if origin else {}),
        "club_id": board.club_id,
        "menu_id": board.menu_id,
        "article_id": article_id,
        "run_id": run_id,
        "seq": seq,
        "fetched_at": iso_z(fetched_at),
        **payload,
        "article_status": status,
    }


def encode(envelopes: Iterable[dict[str, Any]]) -> bytes:
    """gzip JSON Lines, its header declaring the line count (`raw.gzip_lines`)."""
    lines = [json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in envelopes]
    return gzip_lines("".join(lines).encode("utf-8"), len(lines))


def decode(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(data).decode("utf-8").splitlines() if line]


class RawWriter:
    """Writes one board's raw objects and quarantine objects for one run."""

    def __init__(self, lake: Lake, board: Board, run_id: str, now: Callable[[], datetime] = utcnow) -> None:
        self.lake, self.board, self.run_id, self.now = lake, board, run_id, now

    def write(self, seq: int, envelopes: list[dict[str, Any]], *, ingest_dt: str) -> str:
        """Put one object under `ingest_dt` (YYYY-MM-DD); returns its key."""
        key = object_key(*self.board, ingest_dt, self.run_id, seq)
        self.lake.put_bytes("raw", key, encode(envelopes))
        return key

    def quarantine(self, name: str, reason: str, text: str | None, *, ingest_dt: str, **context: Any) -> str:
        """Keep a response we could not use, with why, beside the board (hidden from readers)."""
        key = quarantine_key(*self.board, ingest_dt, self.run_id, f"{name}.json")
        doc = {"reason": reason, "recorded_at": iso_z(self.now()), **context, "text": text}
        self.lake.put_bytes("raw", key, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
        return key
