"""The environment part of the settings: where the lake is and how to reach it, and every other variable.

Plain Python on purpose: the scraper Lambda reads it too, and must not import pydantic-core
(a compiled module without a pure-Python fallback, which the Lambda bundle does not carry).
`Settings.load()` reads it along with the configuration files; the Lambda reads it alone.
This is the one module that reads the process's environment: every `CAFELAKE_*` variable is
read here, checked, and handed on as a typed field, except a source's own variables (its base
URL, its session), whose names only the source knows: `variable(name)` gives them from the same
reading.
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
DEFAULT_DUCKDB_MEMORY = "512MB"  # under the stages' 1,024 MiB budget (docs/performance.md), not DuckDB's 80 % of RAM
DEFAULT_STACK = "CafeLake"  # the CDK app's stack (infra/cafelake_infra/stack.py)
ENGINES = ("local", "athena")
PREFIX = "CAFELAKE_"  # every variable of ours, a source's own included
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|[KMGT]i?B)$", re.IGNORECASE)


def debug_requested(environ: Mapping[str, str] | None = None) -> bool:
    """CAFELAKE_DEBUG is 1, true or yes: the command line shows an error's traceback (as --debug does).

    Read on its own, not in `Environment.read`: the error it is about may be a bad variable.
    """
    value = (os.environ if environ is None else environ).get("CAFELAKE_DEBUG", "")
    return value.strip().lower() in ("1", "true", "yes")


def _uri(name: str, value: str) -> str:
    if "://" in value and not value.startswith("s3://"):
        raise ConfigError(f"{name}: expected a folder or an s3:// URI, got {value!r}")
    return value


@dataclass(frozen=True)
class Scraping:
    """How the scraper works when no one says otherwise: the Lambda's configuration, the CLI's defaults."""

    rate_limit: float = 1.0  # CAFELAKE_RATE_LIMIT: requests a second (0: unlimited)
    lookback_hours: float = 24.0  # CAFELAKE_LOOKBACK_HOURS: re-fetch articles posted this recently
    lookback_max: int = 1000  # CAFELAKE_LOOKBACK_MAX: at most this many of them
    budget_margin_s: float = 30.0  # CAFELAKE_BUDGET_MARGIN_S: kept back from the Lambda's timeout
    user_agent: str | None = None  # CAFELAKE_USER_AGENT: the tool's name and a way to reach the operator
    cookie_secret: str | None = None  # CAFELAKE_COOKIE_SECRET: Secrets Manager id of the source's session


@dataclass(frozen=True)
class Warehouse:
    """Where the report's and the notebook's queries run, and which Athena they use in AWS."""

    engine: str = "local"  # CAFELAKE_ENGINE: local (DuckDB over the lake) or athena
    database: str = "cafelake"  # CAFELAKE_DATABASE: the Glue database of the tables and views
    workgroup: str | None = None  # CAFELAKE_WORKGROUP; None: the deployed stack's (its AthenaWorkGroup output)
    stack: str = DEFAULT_STACK  # CAFELAKE_STACK: the deployed stack whose workgroup is the default


@dataclass(frozen=True)
class Environment:
    """What the environment says: the lake, how to reach it, the local engine's share, and the rest."""

    lake: str = DEFAULT_LAKE  # CAFELAKE_LAKE (or --lake)
    zone_uris: Mapping[str, str] = field(default_factory=dict)  # CAFELAKE_RAW_URI, _CLEANSED_URI, _TOKENIZED_URI
    s3_endpoint: str | None = None  # CAFELAKE_S3_ENDPOINT: a local S3 (moto)
    region: str | None = None  # AWS_REGION, else AWS_DEFAULT_REGION
    duckdb_memory: str = DEFAULT_DUCKDB_MEMORY  # CAFELAKE_DUCKDB_MEMORY
    config_dir: Path | None = None  # CAFELAKE_CONFIG_DIR: overrides file by file
    sql_dir: Path | None = None  # CAFELAKE_SQL_DIR: athena_queries/ elsewhere than in the source tree
    pseudonym_key: str | None = field(default=None, repr=False)  # CAFELAKE_PSEUDONYM_KEY (local runs)
    scraping: Scraping = field(default_factory=Scraping)
    warehouse: Warehouse = field(default_factory=Warehouse)
    # Every CAFELAKE_* variable as read, for a source's own (`variable`); the fields above are what they mean.
    variables: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def variable(self, name: str) -> str | None:
        """A source's own variable (CAFELAKE_NAVER_BASE_URL, CAFELAKE_NAVER_COOKIES), None when unset."""
        if not name.startswith(PREFIX):
            raise ValueError(f"a cafelake variable starts with {PREFIX}, got {name!r}")
        return self.variables.get(name)

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None, *, lake: str | None = None) -> Environment:
        """The environment (os.environ by default); `lake` (the --lake option) wins over CAFELAKE_LAKE."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(name, "").strip() or None

        def amount(name: str, default: float, kind: type[int] | type[float] = float) -> float:
            """A non-negative number of `kind`, `default` when unset."""
            if (value := get(name)) is None:
                return default
            try:
                number = kind(value)
            except ValueError:
                number = None
            if number is None or not number >= 0:  # NaN is not >= 0 either
                what = "a whole number" if kind is int else "a number"
                raise ConfigError(f"{name}: expected {what} >= 0, got {value!r}")
            return number

        memory = get("CAFELAKE_DUCKDB_MEMORY") or DEFAULT_DUCKDB_MEMORY
        if not _MEMORY.match(memory):
            raise ConfigError(f"CAFELAKE_DUCKDB_MEMORY: expected a size such as 1GB or 512MiB, got {memory!r}")
        engine = (get("CAFELAKE_ENGINE") or Warehouse.engine).lower()
        if engine not in ENGINES:
            raise ConfigError(f"CAFELAKE_ENGINE: expected one of {', '.join(ENGINES)}, got {engine!r}")
        config_dir, sql_dir = get("CAFELAKE_CONFIG_DIR"), get("CAFELAKE_SQL_DIR")
        scraping = Scraping()
        return cls(
            lake=_uri("--lake" if lake else "CAFELAKE_LAKE", lake or get("CAFELAKE_LAKE") or DEFAULT_LAKE),
            zone_uris={
                z: _uri(f"CAFELAKE_{z.upper()}_URI", v) for z in ZONES if (v := get(f"CAFELAKE_{z.upper()}_URI"))
            },
            s3_endpoint=get("CAFELAKE_S3_ENDPOINT"),
            region=get("AWS_REGION") or get("AWS_DEFAULT_REGION"),
            duckdb_memory=memory,
            config_dir=Path(config_dir).expanduser() if config_dir else None,
            sql_dir=Path(sql_dir).expanduser() if sql_dir else None,
            pseudonym_key=get("CAFELAKE_PSEUDONYM_KEY"),
            scraping=Scraping(
                rate_limit=amount("CAFELAKE_RATE_LIMIT", scraping.rate_limit),
                lookback_hours=amount("CAFELAKE_LOOKBACK_HOURS", scraping.lookback_hours),
                lookback_max=int(amount("CAFELAKE_LOOKBACK_MAX", scraping.lookback_max, int)),
                budget_margin_s=amount("CAFELAKE_BUDGET_MARGIN_S", scraping.budget_margin_s),
                user_agent=get("CAFELAKE_USER_AGENT"),
                cookie_secret=get("CAFELAKE_COOKIE_SECRET"),
            ),
            warehouse=Warehouse(
                engine=engine,
                database=get("CAFELAKE_DATABASE") or Warehouse.database,
                workgroup=get("CAFELAKE_WORKGROUP"),
                stack=get("CAFELAKE_STACK") or DEFAULT_STACK,
            ),
            variables={k: v.strip() for k, v in env.items() if k.startswith(PREFIX) and v.strip()},
        )
