"""The raw-zone contract: envelope fields, statuses and object keys.

Kept free of pyarrow so the scraper Lambda bundle stays small. A raw object is gzip JSON
Lines, one envelope per line. Every envelope has the fields below; beside them it keeps what
its source received, untouched, under fields the source names (Naver: `list_item` and
`article`; a CSV import: `record`, the row as the file had it, and `columns`, how to read it).
Keys start with the source that wrote them, then the board:
`<source>/club_id=<club>/menu_id=<menu>/ingest_dt=YYYY-MM-DD/<run_id>-<seq>.jsonl.gz`.
"""

from __future__ import annotations

ENVELOPE_FIELDS: dict[str, str] = {
    "source": "the source that wrote it (a key of the source registry), e.g. 'naver_cafe', 'csv_import'",
    "origin": "optional: the source whose post it is (its post_id namespace) when another delivered it, "
    "e.g. 'naver_cafe' for a row of an export of a Naver cafe; absent means `source`",
    "club_id": "the community, as text (a Naver cafe's club id)",
    "menu_id": "the board within it, as text (the cafe's menu id)",
    "article_id": "the item's id as the source gave it (an integer; an export's unreadable id is kept as text)",
    "run_id": "the scrape or import run that wrote it",
    "seq": "sequence number of the raw object within the run",
    "fetched_at": "ISO-8601 UTC instant cafelake received the record, e.g. 2026-11-22T12:00:00.123Z",
    "article_status": "see STATUSES",
}

# ok: body fetched; member_only: 401/403 without a member session; deleted: gone at the
# source; blind: hidden by the community; private: made private; malformed: the body could
# not be parsed even after retries (its text is kept under raw/_quarantine/).
STATUSES = ("ok", "member_only", "deleted", "blind", "private", "malformed")


def board_prefix(source: str, club_id: str | int, menu_id: str | int) -> str:
    return f"{source}/club_id={club_id}/menu_id={menu_id}"


def object_key(source: str, club_id: str | int, menu_id: str | int, ingest_dt: str, run_id: str, seq: int) -> str:
    """Deterministic per run and sequence: a retried write overwrites itself."""
    return f"{board_prefix(source, club_id, menu_id)}/ingest_dt={ingest_dt}/{run_id}-{seq:05d}.jsonl.gz"


def quarantine_key(source: str, club_id: str | int, menu_id: str | int, ingest_dt: str, run_id: str, name: str) -> str:
    """Where collect keeps a response it could not parse, beside the board, hidden from readers."""
    return f"_quarantine/{board_prefix(source, club_id, menu_id)}/ingest_dt={ingest_dt}/{run_id}-{name}"


def state_key(source: str, club_id: str | int, menu_id: str | int) -> str:
    """The board's watermark and checkpoint."""
    return f"_state/{board_prefix(source, club_id, menu_id)}/state.json"


def lease_key(source: str, club_id: str | int, menu_id: str | int) -> str:
    """The lease one scraper invocation holds on the board while it scrapes (beside the board's state)."""
    return f"_state/{board_prefix(source, club_id, menu_id)}/lease.json"
