"""One settings object: the environment and the configuration files, validated, loaded once, passed in.

`Settings.load()` reads the environment at once and each configuration file the first time
a stage asks for its section, at most once per object (a scrape never parses tokenizer.yaml,
so a typo there cannot stop it). Nothing is cached in a module: the command line, the Glue
jobs and the pipeline load one `Settings` and hand it to every stage; a test builds its own
from a mapping and a config folder, and has nothing to reset.

The environment part (`cafelake.environment`) is plain Python, so the scraper Lambda, which
must not import pydantic-core, reads it too; the files are validated by pydantic models
(`cafelake.config` and each stage's `settings` module), imported when a section is first read.
Every failure is a `ConfigError` naming the variable or the file, the key and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from cafelake.environment import Environment

if TYPE_CHECKING:
    from cafelake.cleanse.transform import CleanseConfig
    from cafelake.config import ConfigFiles, KeywordGroup
    from cafelake.tokenize.settings import TokenizerConfig


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
    def body_parts(self) -> tuple[KeywordGroup, ...]:
        """keyword_groups.yaml `body_parts:`: where on the body a post is about."""
        from cafelake.config import load_body_parts

        return load_body_parts(self.files)

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
