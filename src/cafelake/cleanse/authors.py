"""Author pseudonyms: a keyed HMAC, so the same author gets the same key, and no one
without the key can recompute it from a nickname.

The key comes, in order, from: an explicit argument (the Glue job reads it from
Secrets Manager), CAFELAKE_PSEUDONYM_KEY (the settings' `env.pseudonym_key`), or a key file the
lake keeps at `<lake root>/_config/pseudonym.key`, made with 32 random bytes (hex) by `cafelake init`
(and the demo) and by nothing else: a cleanse that finds no key refuses rather than re-key every
author. The same lake therefore gives the same author_key across runs; deleting that file
re-keys every author on the next full rebuild. The key is the text's UTF-8 bytes, so
the same string in Secrets Manager and in the env var gives the same pseudonyms.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cafelake.errors import ConfigError
from cafelake.lake import Lake
from cafelake.sources.base import ACCOUNT, NICKNAME

KEY_FILE = "_config/pseudonym.key"
HEX_CHARS = 16  # 64 bits: collision-free at any realistic author count
_IPAD, _OPAD = bytes(b ^ 0x36 for b in range(256)), bytes(b ^ 0x5C for b in range(256))  # byte translations


def _key_bytes(text: str) -> bytes:
    text = text.strip()
    if not text:
        raise ValueError("the pseudonym key is empty")
    return text.encode("utf-8")


def secret_key(secret_id: str, client: Any = None) -> bytes:
    """The key stored in Secrets Manager: the secret string, or its JSON field `key`."""
    if client is None:
        import boto3

        client = boto3.client("secretsmanager")
    value = client.get_secret_value(SecretId=secret_id)["SecretString"]
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        if "key" not in parsed:
            raise ValueError(f"secret {secret_id!r} is JSON without a 'key' field")
        value = str(parsed["key"])
    return _key_bytes(value)


def local_key(lake: Lake, configured: str | None = None) -> bytes:
    """The `configured` key (CAFELAKE_PSEUDONYM_KEY), else the lake's key file; ConfigError if neither."""
    if configured:
        return _key_bytes(configured)
    if lake.root.startswith("s3://"):
        raise ConfigError("no pseudonym key: set CAFELAKE_PSEUDONYM_KEY or pass a Secrets Manager id for an S3 lake")
    path = Path(lake.root) / KEY_FILE
    try:
        return _key_bytes(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"no pseudonym key for lake {lake.root} ({path} does not exist): create it with "
            f"`cafelake init --lake {lake.root}` (or restore the lake's key), or set CAFELAKE_PSEUDONYM_KEY"
        ) from None


def create_key(lake: Lake) -> tuple[Path, bool]:
    """Make the local lake's key file unless it exists (`cafelake init`); (its path, whether it was made)."""
    path = Path(lake.root) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)  # first writer wins if two runs race
        return path, True
    except FileExistsError:
        return path, False
    finally:
        tmp.unlink()


@functools.lru_cache(maxsize=8)
def _pads(key: bytes) -> tuple[Any, Any]:
    """SHA-256 states after the HMAC inner and outer key pads (RFC 2104): computed once per
    key, then copied per identity, where `hmac.new` would redo the key schedule every call."""
    block = hashlib.sha256().block_size
    key = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    return hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD))


def pseudonym(identity: str, key: bytes) -> str:
    """HMAC-SHA256 of the identity under `key`, hex, cut to HEX_CHARS."""
    inner, outer = _pads(key)
    h = inner.copy()
    h.update(identity.encode("utf-8"))
    o = outer.copy()
    o.update(h.digest())
    return o.hexdigest()[:HEX_CHARS]


def author_keys(account: pa.Array, nickname: pa.Array, key: bytes) -> pa.Array:
    """author_key per row: HMAC of the account id, else of the nickname, else null.

    The two kinds are prefixed (`m:`/`n:`, sources.base.ACCOUNT/NICKNAME) so a nickname can
    never collide with an account id. Computed once per distinct author.
    """
    member = pc.if_else(pc.equal(pc.fill_null(account, ""), ""), None, account)
    nick = pc.if_else(pc.equal(pc.fill_null(nickname, ""), ""), None, nickname)
    identity = pc.coalesce(
        pc.binary_join_element_wise(ACCOUNT, member, ""), pc.binary_join_element_wise(NICKNAME, nick, "")
    )
    distinct = pc.unique(identity.drop_null())
    hashed = pa.array([pseudonym(v, key) for v in distinct.to_pylist()], type=pa.string())
    return pc.take(hashed, pc.index_in(identity, distinct))
