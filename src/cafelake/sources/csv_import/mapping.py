"""An export row's envelope to a candidate post.

The row's cells are read by the layout the import recorded beside them (`columns`), so the
raw zone says how to read itself. Cells are plain text (`is_html` false: a `<` is a less-than
sign, a line break a line break). An export does not say when a row was read: `fetched_at` is
None (unless the layout names a column for it), so a scraped version of the same article wins
over it, and among rows of exports the later import, then the later line, wins.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from cafelake.errors import UsageError
from cafelake.sources.base import Candidate, Head, Reject, count, instant
from cafelake.sources.csv_import.layout import Layout
from cafelake.sources.csv_import.reader import RAGGED

# Keys of the envelope an operator may see when the row itself cannot be shown.
IDS = ("source", "origin", "club_id", "menu_id", "article_id", "run_id", "seq", "fetched_at", "article_status")


def candidate(env: dict[str, Any], head: Head) -> Candidate:
    pid = head.post_id
    record, columns = env.get("record"), env.get("columns")
    if not isinstance(record, dict) or not isinstance(columns, dict):
        raise Reject("missing_payload", "no record and columns in the envelope", pid)
    row = record.get("row")
    if not isinstance(row, dict):
        cells = record.get(RAGGED)
        ids = {k: env[k] for k in IDS if k in env} | {"line": record.get("line")}
        raise Reject(
            "ragged_row",
            f"line {record.get('line')}: {len(cells) if isinstance(cells, list) else '?'} "
            f"cells, the header has {len(record.get('header') or [])}",
            pid,
            payload=json.dumps(ids, ensure_ascii=False, separators=(",", ":")),
        )
    try:
        layout = Layout(columns, head.origin)
    except UsageError as exc:  # a layout the import accepted; only a hand-edited envelope gets here
        raise Reject("bad_layout", str(exc), pid) from None
    url = layout.get(row, "url")
    tail = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] if url else ""
    if tail.isascii() and tail.isdigit() and int(tail) != head.article_id:
        raise Reject("id_mismatch", f"the URL's article {tail} != article_id {head.article_id}", pid)
    fetched = layout.get(row, "fetched_at")
    return Candidate(
        menu_id=head.menu_id,
        fetched_at=instant(fetched, "fetched_at", pid) if fetched else None,
        url=url.strip() if url else None,
        title=layout.get(row, "title"),
        content=layout.get(row, "content"),
        is_html=False,
        raw_date=layout.get(row, "date"),
        raw_date_alt=None,
        author_id=_identity(layout.get(row, "author_id")),
        author_name=_identity(layout.get(row, "author")),
        read_count=count(layout.get(row, "read_count"), "read_count", pid),
        comment_count=count(layout.get(row, "comment_count"), "comment_count", pid),
    )


def _identity(cell: str | None) -> str | None:
    """An identity as the board shows it: the spaces a page's layout adds around it are not part of it."""
    return (cell or "").strip() or None
