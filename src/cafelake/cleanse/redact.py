"""Quarantine payloads without author identities.

The quarantine keeps the raw record so an operator can see what went wrong, but it lives
in the cleansed zone, where nicknames and account ids must never appear. Every identity
value is replaced by its pseudonym, the HMAC author_key uses over the same identity
(`m:<account id>`, `n:<nickname>`), so an operator can still tell which author a broken
record belongs to. Which keys hold identities is the sources' knowledge (`identity_keys`,
`identity_containers` of every registered source, all applied to every record: a key that
means an identity in one source is never let through in another), plus whatever keys an
envelope itself declares (`base.DECLARED_IDENTITIES`: a CSV's author column is named by its file).
Parseable JSON is walked (any depth, so a nested or repeated writer is caught too); text that
is not JSON (a truncated line) is scanned for the same keys, including a value cut off by the
truncation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyarrow as pa

from cafelake import sources
from cafelake.cleanse.authors import pseudonym
from cafelake.sources.base import ACCOUNT, DECLARED_IDENTITIES, NICKNAME, Source

KINDS = (ACCOUNT, NICKNAME)
_DECLARED = re.compile(r'"' + DECLARED_IDENTITIES + r'"\s*:\s*(\{[^{}]*\})')


@dataclass(frozen=True)
class Identities:
    """Where identities sit in records: keys whose value is one, and containers (objects holding them;
    a bare value there is one), each with its kind prefix."""

    keys: Mapping[str, str]
    containers: Mapping[str, str]

    @classmethod
    def of(cls, known: Iterable[Source]) -> Identities:
        keys: dict[str, str] = {}
        containers: dict[str, str] = {}
        for source in known:
            keys |= source.identity_keys
            containers |= source.identity_containers
        return cls(keys, containers)

    @classmethod
    def registered(cls) -> Identities:
        return cls.of(sources.get(name) for name in sources.names())

    def declaring(self, declared: Any) -> Identities:
        """These plus the keys an envelope declares (ignored unless a {key: kind} object of known kinds)."""
        if not isinstance(declared, dict):
            return self
        extra = {k: v for k, v in declared.items() if isinstance(k, str) and v in KINDS}
        return Identities({**self.keys, **extra}, self.containers) if extra else self

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """A key and its string or number value (cut short or not); a list value only for an identity key
        (hashed whole); a container's object or list is left to the scan of the keys inside it."""

        def alternatives(names: Iterable[str]) -> str:
            return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) or "(?!)"

        return re.compile(
            r'"(?P<lkey>' + alternatives(self.keys) + r')"(?P<lsep>\s*:\s*)'
            r'(?P<list>\[(?:[^\]"]|"(?:[^"\\]|\\.)*"?)*\]?)'
            r'|"(?P<key>' + alternatives({*self.keys, *self.containers}) + r')"(?P<sep>\s*:\s*)'
            r'(?:"(?P<text>(?:[^"\\]|\\.)*)(?P<end>"?)|(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))',
            re.DOTALL,
        )


def _identity(value: Any) -> str:
    """The identity text a mapping would read: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _walk(obj: Any, key: bytes, ids: Identities) -> Any:
    if isinstance(obj, list):
        return [_walk(v, key, ids) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for name, value in obj.items():
        prefix = ids.keys.get(name) or (ids.containers.get(name) if not isinstance(value, dict | list) else None)
        if prefix and value is not None and value != "":
            out[name] = pseudonym(prefix + _identity(value), key)
        else:
            out[name] = _walk(value, key, ids)
    return out


def _text_value(m: re.Match, key: bytes, ids: Identities) -> str:
    if m["list"] is not None:
        try:
            value = json.dumps(json.loads(m["list"]), ensure_ascii=False)
        except ValueError:  # cut short: hash what is there
            value = m["list"]
        return f'"{m["lkey"]}"{m["lsep"]}"{pseudonym(ids.keys[m["lkey"]] + value, key)}"'
    prefix = ids.keys.get(m["key"]) or ids.containers[m["key"]]
    if m["num"] is not None:
        return f'"{m["key"]}"{m["sep"]}"{pseudonym(prefix + m["num"], key)}"'
    if not m["text"]:
        return m[0]
    try:
        value = json.loads(f'"{m["text"]}"')
    except ValueError:  # cut inside an escape: hash what is there
        value = m["text"]
    return f'"{m["key"]}"{m["sep"]}"{pseudonym(prefix + value, key)}{m["end"]}'


def _declared_in_text(text: str) -> Any:
    m = _DECLARED.search(text)
    try:
        return json.loads(m[1]) if m else None
    except ValueError:
        return None


def redact_payload(text: str | None, key: bytes, ids: Identities) -> str | None:
    """The payload with every author identity value replaced by its pseudonym."""
    if text is None:
        return None
    try:
        obj = json.loads(text)
    except ValueError:
        here = ids.declaring(_declared_in_text(text))
        return here.pattern.sub(lambda m: _text_value(m, key, here), text)
    here = ids.declaring(obj.get(DECLARED_IDENTITIES)) if isinstance(obj, dict) else ids
    return json.dumps(_walk(obj, key, here), ensure_ascii=False, separators=(",", ":"))


def redact_quarantine(quarantine: pa.Table, key: bytes, ids: Identities | None = None) -> pa.Table:
    """Quarantine rows with their payloads redacted: what may be stored in the cleansed zone.

    `ids` defaults to every registered source's identity keys."""
    ids = ids or Identities.registered()
    payload = pa.array([redact_payload(t, key, ids) for t in quarantine.column("payload").to_pylist()], pa.string())
    return quarantine.set_column(quarantine.schema.get_field_index("payload"), "payload", payload)
