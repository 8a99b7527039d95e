"""Quarantine payloads without author identities.

The quarantine keeps the raw record so an operator can see what went wrong, but it lives
in the cleansed zone, where nicknames and member keys must never appear. Every identity
value is replaced by its pseudonym, the HMAC author_key uses over the same identity
(`m:<memberKey>`, `n:<nickname>`), so an operator can still tell which author a broken
record belongs to. Parseable JSON is walked (any depth, so a nested or repeated writer
is caught too); text that is not JSON (a truncated line) is scanned for the same keys,
including a value cut off by the truncation.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pyarrow as pa

from cafelake.cleanse.authors import pseudonym

# JSON keys holding an identity, and the identity prefix authors.author_keys gives each kind.
IDENTITY_KEYS = {"memberKey": "m:", "writerNickname": "n:", "nick": "n:"}
WRITER = "writer"  # an object holding memberKey and nick; a bare value there is taken as a nickname
_TEXT_VALUE = re.compile(
    r'"(?P<key>' + "|".join([*IDENTITY_KEYS, WRITER]) + r')"(?P<sep>\s*:\s*)'
    r'(?:"(?P<text>(?:[^"\\]|\\.)*)(?P<end>"?)|(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))', re.DOTALL)


def _identity(value: Any) -> str:
    """The identity text records.py would read: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _walk(obj: Any, key: bytes) -> Any:
    if isinstance(obj, list):
        return [_walk(v, key) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for name, value in obj.items():
        prefix = IDENTITY_KEYS.get(name) or ("n:" if name == WRITER and not isinstance(value, dict | list) else None)
        if prefix and value is not None and value != "":
            out[name] = pseudonym(prefix + _identity(value), key)
        else:
            out[name] = _walk(value, key)
    return out


def _text_value(m: re.Match, key: bytes) -> str:
    prefix = IDENTITY_KEYS.get(m["key"], "n:")
    if m["num"] is not None:
        return f'"{m["key"]}"{m["sep"]}"{pseudonym(prefix + m["num"], key)}"'
    if not m["text"]:
        return m[0]
    try:
        value = json.loads(f'"{m["text"]}"')
    except ValueError:  # cut inside an escape: hash what is there
        value = m["text"]
    return f'"{m["key"]}"{m["sep"]}"{pseudonym(prefix + value, key)}{m["end"]}'


def redact_payload(text: str | None, key: bytes) -> str | None:
    """The payload with every author identity value replaced by its pseudonym."""
    if text is None:
        return None
    try:
        obj = json.loads(text)
    except ValueError:
        return _TEXT_VALUE.sub(lambda m: _text_value(m, key), text)
    return json.dumps(_walk(obj, key), ensure_ascii=False, separators=(",", ":"))


def redact_quarantine(quarantine: pa.Table, key: bytes) -> pa.Table:
    """Quarantine rows with their payloads redacted: what may be stored in the cleansed zone."""
    payload = pa.array([redact_payload(t, key) for t in quarantine.column("payload").to_pylist()], pa.string())
    return quarantine.set_column(quarantine.schema.get_field_index("payload"), "payload", payload)
