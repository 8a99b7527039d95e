"""The CSV import source: the registry's `csv_import` (a `Source`, not a `ListingSource`: it has no board to walk)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from cafelake.sources.base import Candidate, Head
from cafelake.sources.csv_import import mapping


class CsvImport:
    name = "csv_import"
    # The author columns have whatever names a file gives them: each envelope declares its own
    # (base.DECLARED_IDENTITIES), so there are no fixed keys.
    identity_keys: Mapping[str, str] = MappingProxyType({})
    identity_containers: Mapping[str, str] = MappingProxyType({})

    def __repr__(self) -> str:
        return "CsvImport()"

    def candidate(self, envelope: dict[str, Any], head: Head) -> Candidate:
        return mapping.candidate(envelope, head)


SOURCE = CsvImport()
