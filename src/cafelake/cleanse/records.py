"""Raw objects to candidate rows: envelope checks, field precedence, quarantine.

Per line (JSON has to be parsed per line anyway), so this step only does what needs
the parsed objects: structure and type checks, picking each field from the article
body (status `ok`) or else the list item, and sorting out the statuses. Dates and text
are left as the source gave them for the vectorised transform.

Fields come from the article body when the status is `ok`, field by field, and from
the list item where the body lacks one (a body without `subject` or `writer` still has
them in the list item, so the question is kept).

Statuses: `ok` is cleansed from the body; `member_only` is still a real question (the
board hides the body from non-members), so it is cleansed from the list item: title,
date, author and counts, with empty content. `deleted`/`blind`/`private` are
quarantined as source_deleted/source_blind/source_private *and* become tombstones: the
latest fetch wins, so an older cleansed version of the post leaves the cleansed zone.
`malformed` is quarantined as article_malformed (a failed fetch, not a deletion).
Blank lines are not records and are skipped; everything else is counted.

A quarantine row keeps what an operator needs to see why: the raw line (its author
identities are pseudonymised before it is stored, see redact.py), but for a deletion
only the envelope's ids and status (the author removed the text; the quarantine must not
keep it), and for an unreadable object no payload (its bytes stay in the raw zone).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from cafelake.cleanse.text import string_array
from cafelake.raw import SOURCE, STATUSES
from cafelake.schemas import UTC_TS

TOMBSTONE_REASONS = {"deleted": "source_deleted", "blind": "source_blind", "private": "source_private"}
TOMBSTONE_PAYLOAD = ("source", "club_id", "menu_id", "article_id", "run_id", "seq", "fetched_at", "article_status")

CANDIDATE = pa.schema([
    ("source_key", pa.string()), ("line_no", pa.int64()), ("ingest_dt", pa.string()), ("payload", pa.string()),
    ("post_id", pa.string()), ("source", pa.string()), ("club_id", pa.string()), ("menu_id", pa.string()),
    ("article_id", pa.int64()), ("fetched_at", UTC_TS), ("title_html", pa.string()), ("content_html", pa.string()),
    ("raw_date", pa.string()), ("raw_date_alt", pa.string()), ("member_key", pa.string()),
    ("nickname", pa.string()), ("read_count", pa.int64()), ("comment_count", pa.int64()),
])
TOMBSTONE = pa.schema([("post_id", pa.string()), ("fetched_at", UTC_TS), ("ingest_dt", pa.string()),
                       ("source_key", pa.string()), ("line_no", pa.int64())])


class Reject(Exception):
    """A record that cannot be used: `reason` is the quarantine code."""

    def __init__(self, reason: str, detail: str, post_id: str | None = None,
                 fetched_at: datetime | None = None, payload: str | None = None) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.post_id, self.fetched_at = reason, detail, post_id, fetched_at
        self.payload = payload  # what to keep instead of the raw line, if set


@dataclass
class RawRecords:
    """What the raw objects read so far hold, column-ready."""

    rows: list[tuple] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    tombstones: list[tuple] = field(default_factory=list)
    records: int = 0

    def candidates(self) -> pa.Table:
        columns = list(zip(*self.rows)) if self.rows else [[] for _ in CANDIDATE]
        return pa.Table.from_arrays([string_array(c) if f.type == pa.string() else pa.array(c, f.type)
                                     for c, f in zip(columns, CANDIDATE)], schema=CANDIDATE)

    def tombstone_table(self) -> pa.Table:
        columns = list(zip(*self.tombstones)) if self.tombstones else [[] for _ in TOMBSTONE]
        return pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(columns, TOMBSTONE)], schema=TOMBSTONE)


def gunzip(data: bytes) -> tuple[bytes, str | None]:
    """Decompress every gzip member; on damage, return what was readable and why it stopped."""
    out, rest = [], data
    while rest:
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            out.append(d.decompress(rest))
            out.append(d.flush())
        except zlib.error as exc:
            return b"".join(out), f"not gzip or corrupt: {exc}"
        if not d.eof:
            return b"".join(out), "truncated gzip stream"
        rest = d.unused_data
    return b"".join(out), None


def read_object(acc: RawRecords, key: str, ingest_dt: str, data: bytes, quarantined_at: datetime) -> None:
    """Add one raw object's records to `acc`: candidates, quarantine rows, tombstones."""
    body, damage = gunzip(data)
    lines = body.split(b"\n")
    if damage:
        acc.records += 1
        acc.quarantine.append(_qrow(key, ingest_dt, 0, None, "unreadable_object",
                                    f"{damage}; {len(body)} of {len(data)} bytes recovered and read line by line; "
                                    "the object stays in the raw zone", None, quarantined_at))
        if lines and lines[-1].strip():  # the cut-off last line is part of the damage
            lines = lines[:-1]
    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        acc.records += 1
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            acc.quarantine.append(_qrow(key, ingest_dt, no, None, "bad_encoding", str(exc),
                                        line.decode("utf-8", "backslashreplace"), quarantined_at))
            continue
        text = text.rstrip("\r")
        try:
            row = _candidate(text)
        except Reject as rej:
            acc.quarantine.append(_qrow(key, ingest_dt, no, rej.post_id, rej.reason, rej.detail,
                                        text if rej.payload is None else rej.payload, quarantined_at))
            if rej.reason in TOMBSTONE_REASONS.values():
                acc.tombstones.append((rej.post_id, rej.fetched_at, ingest_dt, key, no))
            continue
        acc.rows.append((key, no, ingest_dt, text, *row))


def _qrow(key: str, ingest_dt: str, line_no: int, post_id: str | None, reason: str, detail: str,
          payload: str | None, at: datetime) -> dict:
    return {"ingest_dt": ingest_dt, "source_key": key, "line_no": line_no, "post_id": post_id,
            "reason": reason, "detail": detail, "payload": payload, "quarantined_at": at}


def _get(obj: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(p)
    return obj


def _article_id(value: Any) -> int:
    if value is None:
        raise Reject("missing_id", "no article_id")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Reject("wrong_type", f"article_id is {type(value).__name__}")
    if isinstance(value, str):
        if not value.strip().isdigit():
            raise Reject("wrong_type", f"article_id {value[:40]!r} is not an integer")
        value = int(value)
    if value <= 0:
        raise Reject("invalid_id", f"article_id {value} is not positive")
    return value


def _ident(value: Any, name: str, required: bool = True) -> str | None:
    if value is None or value == "":
        if required:
            raise Reject("missing_id", f"no {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Reject("wrong_type", f"{name} is {type(value).__name__}")
    return str(value)


def _instant(value: Any, post_id: str) -> datetime:
    if value is None:
        raise Reject("missing_fetched_at", "no fetched_at", post_id)
    if not isinstance(value, str):
        raise Reject("wrong_type", f"fetched_at is {type(value).__name__}", post_id)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise Reject("bad_fetched_at", f"fetched_at {value[:40]!r} is not ISO-8601", post_id) from None
    if at.tzinfo is None:
        raise Reject("bad_fetched_at", f"fetched_at {value!r} has no time zone", post_id)
    return at.astimezone(UTC)


def _text(value: Any, name: str, post_id: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise Reject("wrong_type", f"{name} is {type(value).__name__}", post_id)


def _date(value: Any, name: str, post_id: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise Reject("wrong_type", f"{name} is {type(value).__name__}", post_id)


def _count(value: Any, name: str, post_id: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.replace(",", "").strip().isdigit():
        value = int(value.replace(",", ""))
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    raise Reject("wrong_type", f"{name} {str(value)[:40]!r} is not a count", post_id)


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _candidate(text: str) -> tuple:
    """One envelope line to the candidate fields after the line identity (see CANDIDATE)."""
    try:
        env = json.loads(text)
    except ValueError as exc:
        raise Reject("bad_json", str(exc)) from None
    if not isinstance(env, dict):
        raise Reject("not_an_object", f"the line is a JSON {type(env).__name__}")
    article_id = _article_id(env.get("article_id"))
    club_id = _ident(env.get("club_id"), "club_id")
    post_id = f"{club_id}-{article_id}"
    fetched_at = _instant(env.get("fetched_at"), post_id)
    status = env.get("article_status")
    if status not in STATUSES:
        raise Reject("unknown_status", f"article_status {str(status)[:40]!r}", post_id)
    if status in TOMBSTONE_REASONS:
        ids = {k: env[k] for k in TOMBSTONE_PAYLOAD if k in env}
        raise Reject(TOMBSTONE_REASONS[status], f"the source reports the article {status}", post_id, fetched_at,
                     json.dumps(ids, ensure_ascii=False, separators=(",", ":")))
    if status == "malformed":
        raise Reject("article_malformed", "the scraper could not parse the article body", post_id)
    item = env.get("list_item")
    if item is not None and not isinstance(item, dict):
        raise Reject("wrong_type", f"list_item is {type(item).__name__}", post_id)
    body = None
    if status == "ok":
        body = _get(env.get("article"), "result", "article")
        if not isinstance(body, dict):
            raise Reject("article_malformed", "status ok but no result.article object", post_id)
    elif item is None:
        raise Reject("missing_payload", f"status {status} and no list item", post_id)
    item = item or {}
    body = body or {}
    for name, value in (("list_item.articleId", item.get("articleId")), ("article.id", body.get("id"))):
        if value is not None and str(value) != str(article_id):
            raise Reject("id_mismatch", f"{name} {str(value)[:40]!r} != article_id {article_id}", post_id)
    source = _ident(env.get("source"), "source", required=False) or SOURCE
    menu_id = _first(_ident(env.get("menu_id"), "menu_id", required=False),
                     _ident(item.get("menuId"), "menuId", required=False),
                     _ident(_get(body, "menu", "id"), "menu.id", required=False))
    writer = body.get("writer") or {}
    if not isinstance(writer, dict):
        raise Reject("wrong_type", f"article.writer is {type(writer).__name__}", post_id)
    dates = [d for d in (_date(body.get("writeDate"), "article.writeDate", post_id),
                         _date(item.get("writeDateTimestamp"), "writeDateTimestamp", post_id),
                         _date(item.get("writeDate"), "list_item.writeDate", post_id)) if d is not None]
    return (
        post_id, source, club_id, menu_id, article_id, fetched_at,
        _first(_text(body.get("subject"), "article.subject", post_id), _text(item.get("subject"), "subject", post_id)),
        _text(body.get("contentHtml"), "article.contentHtml", post_id) if status == "ok" else None,
        dates[0] if dates else None,
        next((d for d in dates[1:] if d != dates[0]), None),
        _first(_ident(writer.get("memberKey"), "writer.memberKey", False),
               _ident(item.get("memberKey"), "memberKey", False)),
        _first(_ident(writer.get("nick"), "writer.nick", False),
               _ident(item.get("writerNickname"), "writerNickname", False)),
        _first(_count(body.get("readCount"), "readCount", post_id),
               _count(item.get("readCount"), "readCount", post_id)),
        _first(_count(body.get("commentCount"), "commentCount", post_id),
               _count(item.get("commentCount"), "commentCount", post_id)),
    )
