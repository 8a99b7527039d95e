"""Raw objects to candidate rows: the envelope's common fields, the source's mapping, quarantine.

Per line (JSON has to be parsed per line anyway), so this step only does what needs the
parsed objects. The envelope's common fields (cafelake.raw) are read and checked here: ids,
the post id, when it was received, the status. The rest of the record is the source's to read
(`Source.candidate`, in cafelake.sources): its fields to the candidate-post contract. Dates and
text are left as the source gave them for the vectorised transform.

Statuses: `ok` and `member_only` are posts (a member-only one is still a real question, read
from what the board lists). `deleted`/`blind`/`private` are quarantined as
source_deleted/source_blind/source_private *and* become tombstones: the latest fetch wins, so
an older cleansed version of the post leaves the cleansed zone. `malformed` is quarantined as
article_malformed (a failed fetch, not a deletion). Blank lines are not records and are
skipped; everything else is counted. A damaged (truncated) object keeps its whole lines; each line
its gzip header declares but that was lost is a `truncated_object` record (an older object without
a declared count: one `unreadable_object` record for the unknown rest), so the counts reconcile.

A quarantine row keeps what an operator needs to see why: the raw line (its author
identities are pseudonymised before it is stored, see redact.py), but for a deletion
only the envelope's ids and status (the author removed the text; the quarantine must not
keep it), and for an unreadable object no payload (its bytes stay in the raw zone).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from cafelake import sources
from cafelake.cleanse.text import string_array
from cafelake.errors import ConfigError
from cafelake.raw import STATUSES, declared_lines
from cafelake.schemas import UTC_TS
from cafelake.sources.base import Candidate, Head, Reject, Source, article_id, ident, instant, post_id

TOMBSTONE_REASONS = {"deleted": "source_deleted", "blind": "source_blind", "private": "source_private"}
TOMBSTONE_PAYLOAD = (
    "source",
    "origin",
    "club_id",
    "menu_id",
    "article_id",
    "run_id",
    "seq",
    "fetched_at",
    "article_status",
)

# The line's identity, the head's ids, then the source's Candidate fields in their order.
CANDIDATE = pa.schema(
    [
        ("source_key", pa.string()),
        ("line_no", pa.int64()),
        ("ingest_dt", pa.string()),
        ("payload", pa.string()),
        ("post_id", pa.string()),
        ("source", pa.string()),
        ("club_id", pa.string()),
        ("article_id", pa.int64()),
        ("menu_id", pa.string()),
        ("fetched_at", UTC_TS),
        ("url", pa.string()),
        ("title", pa.string()),
        ("content", pa.string()),
        ("is_html", pa.bool_()),
        ("raw_date", pa.string()),
        ("raw_date_alt", pa.string()),
        ("author_id", pa.string()),
        ("author_name", pa.string()),
        ("read_count", pa.int64()),
        ("comment_count", pa.int64()),
    ]
)
assert CANDIDATE.names[8:] == list(Candidate._fields), "CANDIDATE must end with the Candidate fields"
TOMBSTONE = pa.schema(
    [
        ("post_id", pa.string()),
        ("fetched_at", UTC_TS),
        ("ingest_dt", pa.string()),
        ("source_key", pa.string()),
        ("line_no", pa.int64()),
    ]
)


@dataclass
class RawRecords:
    """What the raw objects read so far hold, column-ready."""

    rows: list[tuple] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    tombstones: list[tuple] = field(default_factory=list)
    records: int = 0
    sources: dict[str, Source | None] = field(default_factory=dict)  # the registry's answers, asked once per name

    def candidates(self) -> pa.Table:
        columns = list(zip(*self.rows, strict=True)) if self.rows else [[] for _ in CANDIDATE]
        return pa.Table.from_arrays(
            [
                string_array(c) if f.type == pa.string() else pa.array(c, f.type)
                for c, f in zip(columns, CANDIDATE, strict=True)
            ],
            schema=CANDIDATE,
        )

    def tombstone_table(self) -> pa.Table:
        columns = list(zip(*self.tombstones, strict=True)) if self.tombstones else [[] for _ in TOMBSTONE]
        return pa.Table.from_arrays(
            [pa.array(c, f.type) for c, f in zip(columns, TOMBSTONE, strict=True)], schema=TOMBSTONE
        )

    def source(self, name: str) -> Source | None:
        if name not in self.sources:
            try:
                self.sources[name] = sources.get(name)
            except ConfigError:
                self.sources[name] = None
        return self.sources[name]


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
        if lines and lines[-1].strip():  # the cut-off last line is part of the damage
            lines = lines[:-1]
        _quarantine_damage(acc, key, ingest_dt, data, body, sum(1 for x in lines if x.strip()), damage, quarantined_at)
    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        acc.records += 1
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            acc.quarantine.append(
                _qrow(
                    key,
                    ingest_dt,
                    no,
                    None,
                    "bad_encoding",
                    str(exc),
                    line.decode("utf-8", "backslashreplace"),
                    quarantined_at,
                )
            )
            continue
        text = text.rstrip("\r")
        try:
            head, cand = _candidate(acc, text)
        except Reject as rej:
            acc.quarantine.append(
                _qrow(
                    key,
                    ingest_dt,
                    no,
                    rej.post_id,
                    rej.reason,
                    rej.detail,
                    text if rej.payload is None else rej.payload,
                    quarantined_at,
                )
            )
            if rej.reason in TOMBSTONE_REASONS.values():
                acc.tombstones.append((rej.post_id, rej.fetched_at, ingest_dt, key, no))
            continue
        acc.rows.append((key, no, ingest_dt, text, head.post_id, head.origin, head.club_id, head.article_id, *cand))


def _quarantine_damage(
    acc: RawRecords,
    key: str,
    ingest_dt: str,
    data: bytes,
    body: bytes,
    recovered: int,
    damage: str,
    at: datetime,
) -> None:
    """Account for what a damaged object lost: each line its header declares but that was not
    recovered, or (an object without a declared count) one record for the unknown rest."""
    where = f"{len(body)} bytes decompressed from the object's {len(data)} bytes, {recovered} whole lines recovered"
    declared = declared_lines(data)
    if declared is None:
        acc.records += 1
        detail = (
            f"{damage}; {where}; how many lines followed is not recorded (an object written before line "
            "counts); the object stays in the raw zone"
        )
        acc.quarantine.append(_qrow(key, ingest_dt, 0, None, "unreadable_object", detail, None, at))
        return
    for no in range(recovered + 1, declared + 1):
        acc.records += 1
        detail = f"{damage}; line {no} of {declared} lost ({where}); the object stays in the raw zone"
        acc.quarantine.append(_qrow(key, ingest_dt, no, None, "truncated_object", detail, None, at))


def _qrow(
    key: str,
    ingest_dt: str,
    line_no: int,
    post_id: str | None,
    reason: str,
    detail: str,
    payload: str | None,
    at: datetime,
) -> dict:
    return {
        "ingest_dt": ingest_dt,
        "source_key": key,
        "line_no": line_no,
        "post_id": post_id,
        "reason": reason,
        "detail": detail,
        "payload": payload,
        "quarantined_at": at,
    }


def read_head(env: dict[str, Any], known: RawRecords) -> tuple[Head, Source]:
    """The envelope's common fields, checked, and the source that reads the rest.

    Deletions and failed fetches end here (as Rejects): they hold no post for a source to map.
    """
    aid = article_id(env.get("article_id"))
    club_id = ident(env.get("club_id"), "club_id")
    name = ident(env.get("source"), "source")
    origin = ident(env.get("origin"), "origin", required=False) or name
    pid = post_id(origin, club_id, aid)
    for what, value in (("source", name), ("origin", origin)):
        if known.source(value) is None:
            raise Reject("unknown_source", f"{what} {value[:40]!r} is not in the source registry", pid)
    received = instant(env.get("fetched_at"), "fetched_at", pid)
    status = env.get("article_status")
    if status not in STATUSES:
        raise Reject("unknown_status", f"article_status {str(status)[:40]!r}", pid)
    if status in TOMBSTONE_REASONS:
        ids = {k: env[k] for k in TOMBSTONE_PAYLOAD if k in env}
        raise Reject(
            TOMBSTONE_REASONS[status],
            f"the source reports the article {status}",
            pid,
            received,
            json.dumps(ids, ensure_ascii=False, separators=(",", ":")),
        )
    if status == "malformed":
        raise Reject("article_malformed", "the scraper could not parse the article body", pid)
    head = Head(name, origin, club_id, ident(env.get("menu_id"), "menu_id", required=False), aid, pid, received, status)
    return head, known.source(name)


def _candidate(acc: RawRecords, text: str) -> tuple[Head, Candidate]:
    """One envelope line to its head and the source's candidate."""
    try:
        env = json.loads(text)
    except ValueError as exc:
        raise Reject("bad_json", str(exc)) from None
    if not isinstance(env, dict):
        raise Reject("not_an_object", f"the line is a JSON {type(env).__name__}")
    head, source = read_head(env, acc)
    return head, source.candidate(env, head)
