"""One settings object: the environment and the configuration files, validated, loaded once, passed in.

`Settings.load()` reads the environment at once and each configuration file the first time
a stage asks for its section, at most once per object (a scrape never parses tokenizer.yaml,
so a typo there cannot stop it). Nothing is cached in a module: the command line, the Glue
jobs and the pipeline load one `Settings` and hand it to every stage; a test builds its own
from a mapping and a config folder, and has nothing to reset.

The environment part is plain Python, so the scraper Lambda, which must not import
pydantic-core (a compiled module without a pure-Python fallback), reads it too; the files
are validated by pydantic models (`cafelake.config` and each stage's `settings` module).
Every failure is a `ConfigError` naming the variable or the file, the key and what was expected.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from cafelake.errors import ConfigError
from cafelake.layout import ZONES

if TYPE_CHECKING:
    from cafelake.cleanse.transform import CleanseConfig
    from cafelake.config import ConfigFiles, KeywordGroup
    from cafelake.tokenize.settings import TokenizerConfig

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

    lake: str = DEFAULT_LAKE                                    # CAFELAKE_LAKE (or --lake)
    zone_uris: Mapping[str, str] = field(default_factory=dict)  # CAFELAKE_RAW_URI, _CLEANSED_URI, _TOKENIZED_URI
    s3_endpoint: str | None = None                              # CAFELAKE_S3_ENDPOINT: a local S3 (moto)
    region: str | None = None                                   # AWS_REGION, else AWS_DEFAULT_REGION
    duckdb_memory: str = DEFAULT_DUCKDB_MEMORY                  # CAFELAKE_DUCKDB_MEMORY
    config_dir: Path | None = None                              # CAFELAKE_CONFIG_DIR: overrides file by file

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
            zone_uris={z: _uri(f"CAFELAKE_{z.upper()}_URI", v) for z in ZONES
                       if (v := get(f"CAFELAKE_{z.upper()}_URI"))},
            s3_endpoint=get("CAFELAKE_S3_ENDPOINT"),
            region=get("AWS_REGION") or get("AWS_DEFAULT_REGION"),
            duckdb_memory=memory,
            config_dir=Path(config_dir).expanduser() if config_dir else None,
        )


@dataclass(frozen=True)
class Settings:
    """The environment and every stage's configuration section, each file read and validated once."""

    env: Environment = field(default_factory=Environment)

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, *, lake: str | None = None) -> Settings:
        """Settings from the environment (os.environ by default); `lake` is the --lake option."""
        return cls(Environment.read(environ, lake=lake))

    @cached_property
    def files(self) -> ConfigFiles:
        from cafelake.config import ConfigFiles

        return ConfigFiles(self.env.config_dir)

    @cached_property
    def keyword_groups(self) -> tuple[KeywordGroup, ...]:
        """keyword_groups.yaml: the frames posts are matched against."""
        from cafelake.config import load_keyword_groups

        return load_keyword_groups(self.files)

    @cached_property
    def cleanse(self) -> CleanseConfig:
        """cleanse.yaml: the text rules of the cleanse stage."""
        from cafelake.cleanse.settings import load_config

        return load_config(self.files)

    @cached_property
    def tokenizer(self) -> TokenizerConfig:
        """tokenizer.yaml, the user dictionary, synonyms and stopwords; synonyms checked against the frames."""
        from cafelake.tokenize.settings import TokenizerConfig, validate_synonyms

        cfg = TokenizerConfig.load(self.files)
        validate_synonyms(cfg, self.keyword_groups, self.files)
        return cfg

    @cached_property
    def tokenizer_fingerprint(self) -> str:
        """What the tokens depend on (files, rules' code, Kiwi's version): a change rebuilds the mart."""
        from cafelake.tokenize.settings import fingerprint

        return fingerprint(self.files)
