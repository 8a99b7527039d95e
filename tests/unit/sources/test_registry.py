"""The source registry: every entry resolves to a source that follows the protocols."""

from __future__ import annotations

import pytest

from cafelake import sources
from cafelake.errors import ConfigError
from cafelake.sources.base import ListingSource, Source


def test_every_registered_source_is_a_source_named_as_its_entry():
    assert sources.names() == ["naver_cafe", "csv_import"] and sources.default_name() == "naver_cafe"
    for name in sources.names():
        source = sources.get(name)
        assert isinstance(source, Source) and source.name == name
        assert all(
            kind in ("m:", "n:") for kind in [*source.identity_keys.values(), *source.identity_containers.values()]
        )


def test_only_a_source_with_a_board_can_be_scraped():
    assert isinstance(sources.listing("naver_cafe"), ListingSource)
    with pytest.raises(ConfigError, match="cannot be scraped"):
        sources.listing("csv_import")


def test_an_unknown_source_names_the_known_ones():
    with pytest.raises(ConfigError, match=r"no source 'forum' in sources\.toml \(known: naver_cafe, csv_import\)"):
        sources.get("forum")
