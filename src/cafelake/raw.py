"""The raw-zone contract: envelope fields, statuses and object keys.

Kept free of pyarrow so the scraper Lambda bundle stays small. A raw object is gzip
JSON Lines, one envelope per line; `list_item` and `article` hold the source's JSON
exactly as received.
"""

from __future__ import annotations

SOURCE = "naver_cafe"

ENVELOPE_FIELDS: dict[str, str] = {
    "source": "source system, e.g. 'naver_cafe'",
    "club_id": "Naver cafe id (search.clubid), as text",
    "menu_id": "board id (search.menuid), as text",
    "article_id": "the source's article id (integer)",
    "run_id": "the scraper run that fetched it",
    "seq": "sequence number of the raw object within the run",
    "fetched_at": "ISO-8601 UTC instant the record was received, e.g. 2026-11-22T12:00:00.123Z",
    "list_item": "the article-list item, untouched JSON object",
    "article": "the article-body API response, untouched JSON object (null when none was usable)",
    "article_status": "see STATUSES",
}

# ok: body fetched; member_only: 401/403 without a member session; deleted: gone at the
# source; blind: hidden by the cafe (isBlind); private: isOpen false; malformed: the body
# could not be parsed even after retries (its text is kept under raw/_quarantine/).
STATUSES = ("ok", "member_only", "deleted", "blind", "private", "malformed")


def board_prefix(club_id: str | int, menu_id: str | int, source: str = SOURCE) -> str:
    return f"{source}/club_id={club_id}/menu_id={menu_id}"


def object_key(club_id: str | int, menu_id: str | int, ingest_dt: str, run_id: str, seq: int,
               source: str = SOURCE) -> str:
    """Deterministic per run and sequence: a retried write overwrites itself."""
    return f"{board_prefix(club_id, menu_id, source)}/ingest_dt={ingest_dt}/{run_id}-{seq:05d}.jsonl.gz"


def quarantine_key(club_id: str | int, menu_id: str | int, ingest_dt: str, run_id: str, name: str,
                   source: str = SOURCE) -> str:
    """Where the scraper keeps a response it could not parse, beside the board, hidden from readers."""
    return f"_quarantine/{board_prefix(club_id, menu_id, source)}/ingest_dt={ingest_dt}/{run_id}-{name}"


def state_key(club_id: str | int, menu_id: str | int, source: str = SOURCE) -> str:
    """The board's watermark and checkpoint."""
    return f"_state/{board_prefix(club_id, menu_id, source)}/state.json"


def lease_key(club_id: str | int, menu_id: str | int, source: str = SOURCE) -> str:
    """The lease one scraper invocation holds on the board while it scrapes (beside the board's state)."""
    return f"_state/{board_prefix(club_id, menu_id, source)}/lease.json"
