"""The raw-zone contract: envelope fields, statuses and object keys.

Kept free of pyarrow so the scraper Lambda bundle stays small. A raw object is gzip JSON
Lines, one envelope per line. Every envelope has the fields below; beside them it keeps what
its source received, untouched, under fields the source names (Naver: `list_item` and
`article`; a CSV import: `record`, the row as the file had it, and `columns`, how to read it).
Keys start with the source that wrote them, then the board:
`<source>/club_id=<club>/menu_id=<menu>/ingest_dt=YYYY-MM-DD/<run_id>-<seq>.jsonl.gz`.
The gzip header's comment field says how many lines the object holds (`cafelake lines=N`): it
is at the start, so a truncated object still tells a reader how many of its lines were lost.
Objects written before it have no comment (`declared_lines` is None).
"""

from __future__ import annotations

import re
import struct
import zlib

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


_FTEXT, _FHCRC, _FEXTRA, _FNAME, _FCOMMENT = 1, 2, 4, 8, 16
_LINES = re.compile(rb"cafelake lines=(\d+)")


def gzip_lines(body: bytes, lines: int, *, level: int = 6) -> bytes:
    """One gzip member of `body` (mtime 0, so the bytes are deterministic) whose comment declares `lines`."""
    header = b"\x1f\x8b\x08" + bytes([_FCOMMENT]) + struct.pack("<I", 0) + b"\x00\xff"
    deflate = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    data = deflate.compress(body) + deflate.flush()
    trailer = struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF)
    return header + f"cafelake lines={lines}".encode("ascii") + b"\x00" + data + trailer


def declared_lines(data: bytes) -> int | None:
    """The line count a raw object's gzip header declares; None if it declares none (or is not gzip)."""
    if len(data) < 10 or data[:3] != b"\x1f\x8b\x08" or not data[3] & _FCOMMENT:
        return None
    flags, pos = data[3], 10
    if flags & _FEXTRA:
        if len(data) < pos + 2:
            return None
        pos += 2 + struct.unpack("<H", data[pos : pos + 2])[0]
    if flags & _FNAME:
        pos = data.find(b"\x00", pos) + 1
        if pos == 0:
            return None
    end = data.find(b"\x00", pos)
    m = _LINES.fullmatch(data[pos:end]) if end > 0 else None
    return int(m.group(1)) if m else None
