"""The environment part of the settings: where the lake is, how to reach it, the local engine's share.

Plain Python on purpose: the scraper Lambda reads it too, and must not import pydantic-core
(a compiled module without a pure-Python fallback, which the Lambda bundle does not carry).
`Settings.load()` reads it along with the configuration files; the Lambda reads it alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cafelake.errors import ConfigError
from cafelake.layout import ZONES

DEFAULT_LAKE = "./lake"
DEFAULT_DUCKDB_MEMORY = "1GB"  # a laptop's share, not DuckDB's default 80 % of RAM
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|[KMGT]i?B)$", re.IGNORECASE)


def _uri(name: str, value: str) -> str:
    if "://" in value and not value.startswith("s3://"):
        raise ConfigError(f"{name}: expected a folder or an s3:// URI, got {value!r}")
    return value


@dataclass(frozen=True)
class Environment:
    """What the environment says: where the lake is and how to reach it, and the local engine's share."""

    lake: str = DEFAULT_LAKE  # CAFELAKE_LAKE (or --lake)
    zone_uris: Mapping[str, str] = field(default_factory=dict)  # CAFELAKE_RAW_URI, _CLEANSED_URI, _TOKENIZED_URI
    s3_endpoint: str | None = None  # CAFELAKE_S3_ENDPOINT: a local S3 (moto)
    region: str | None = None  # AWS_REGION, else AWS_DEFAULT_REGION
    duckdb_memory: str = DEFAULT_DUCKDB_MEMORY  # CAFELAKE_DUCKDB_MEMORY
    config_dir: Path | None = None  # CAFELAKE_CONFIG_DIR: overrides file by file

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None, *, lake: str | None = None) -> Environment:
        """The environment (os.environ by default); `lake` (the --lake option) wins over CAFELAKE_LAKE."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(name, "").strip() or None

        memory = get("CAFELAKE_DUCKDB_MEMORY") or DEFAULT_DUCKDB_MEMORY
        if not _MEMORY.match(memory):
            raise ConfigError(f"CAFELAKE_DUCKDB_MEMORY: expected a size such as 1GB or 512MiB, got {memory!r}")
        config_dir = get("CAFELAKE_CONFIG_DIR")
        return cls(
            lake=_uri("--lake" if lake else "CAFELAKE_LAKE", lake or get("CAFELAKE_LAKE") or DEFAULT_LAKE),
            zone_uris={
                z: _uri(f"CAFELAKE_{z.upper()}_URI", v) for z in ZONES if (v := get(f"CAFELAKE_{z.upper()}_URI"))
            },
            s3_endpoint=get("CAFELAKE_S3_ENDPOINT"),
            region=get("AWS_REGION") or get("AWS_DEFAULT_REGION"),
            duckdb_memory=memory,
            config_dir=Path(config_dir).expanduser() if config_dir else None,
        )
