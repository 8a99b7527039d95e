"""Sources: where posts come from. One package per source, one entry per source in `sources.toml`.

`get(name)` gives a registered source's `SOURCE` (see `base` for the protocols), `listing(name)` one the
scraper can walk, `names()` every registered key, `default_name()` the source a board without one
names. Nothing outside this package knows a source's field names; the rest of the pipeline meets a
source only through these protocols. The registry is read at each call (a dozen lines of TOML): a
caller that asks per record keeps what it got.
"""

from __future__ import annotations

import importlib
import tomllib
from importlib import resources
from typing import Any

from cafelake.errors import ConfigError
from cafelake.sources.base import ListingSource, Source

REGISTRY = "sources.toml"

__all__ = ["REGISTRY", "default_name", "get", "listing", "names"]


def _registry() -> dict[str, Any]:
    text = resources.files(__package__).joinpath(REGISTRY).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{REGISTRY}: not valid TOML ({exc})") from None
    entries = data.get("sources")
    if not isinstance(entries, dict) or not entries:
        raise ConfigError(f"{REGISTRY}: expected a [sources.<name>] table per source")
    return data


def names() -> list[str]:
    return list(_registry()["sources"])


def default_name() -> str:
    data = _registry()
    name = data.get("default")
    if name not in data["sources"]:
        raise ConfigError(
            f"{REGISTRY}: 'default' must name a registered source ({', '.join(data['sources'])}), got {name!r}"
        )
    return name


def get(name: str) -> Source:
    """The registered source `name`; ConfigError naming the known ones otherwise."""
    entries = _registry()["sources"]
    entry = entries.get(name)
    if not isinstance(entry, dict) or not isinstance(entry.get("package"), str):
        known = ", ".join(entries)
        raise ConfigError(
            f"no source {name!r} in {REGISTRY} (known: {known})"
            if entry is None
            else f'{REGISTRY}: [sources.{name}] needs package = "cafelake.sources.<folder>"'
        )
    source = getattr(importlib.import_module(entry["package"]), "SOURCE", None)
    if not isinstance(source, Source) or source.name != name:
        raise ConfigError(f"{REGISTRY}: {entry['package']}.SOURCE must be a Source named {name!r}")
    return source


def listing(name: str) -> ListingSource:
    """A registered source the scraper can walk; ConfigError for one that is read from files."""
    source = get(name)
    if not isinstance(source, ListingSource):
        raise ConfigError(f"source {name!r} cannot be scraped: it has no board to list (import its files instead)")
    return source
