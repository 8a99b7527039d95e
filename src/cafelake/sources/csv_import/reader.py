"""Reading an export file: its rows as the file has them, one envelope payload per row.

The old study's export is pandas `to_csv(encoding='utf-8-sig')` of what Selenium read: UTF-8
with a byte-order mark, quoted cells where a comma, quote or line break occurs (a body spans
lines), appended to in batches (rows repeat; an append that wrote the header again repeats the
header). Every data row becomes a payload, readable or not, so the raw zone holds the file whole
and the cleanse accounts for each row: a repeated header is the only line left out (it is not a
row), and is counted. A file that is not UTF-8 text, or lacks a column its layout names, stops
the import before anything is written.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cafelake.errors import SourceError
from cafelake.sources.base import ACCOUNT, DECLARED_IDENTITIES, NICKNAME
from cafelake.sources.csv_import.layout import Layout

BOM = "\ufeff"
RAGGED = "cells"  # a row whose cells do not match the header keeps them as a list under this key


@dataclass
class Export:
    """One export file under one layout; iterate for (article id as found, payload) per row."""

    path: Path
    layout: Layout
    header: list[str] = field(default_factory=list)
    header_repeats: int = 0  # header lines met again below the first (an append that wrote it again)

    def digest(self) -> str:
        """What identifies this import: the file's bytes and how they are read."""
        h = hashlib.sha256()
        with self.path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        h.update(json.dumps({"columns": self.layout.columns, "origin": self.layout.origin}, sort_keys=True).encode())
        return h.hexdigest()

    def __iter__(self) -> Iterator[tuple[Any, dict[str, Any]]]:
        if not self.path.is_file():
            raise SourceError(f"{self.path}: no such file")
        with self.path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            try:
                yield from self._rows(reader)
            except UnicodeDecodeError as exc:
                raise SourceError(
                    f"{self.path}: not UTF-8 text near line {reader.line_num + 1} ({exc.reason}); re-save it as UTF-8"
                ) from None
            except csv.Error as exc:
                raise SourceError(f"{self.path}:{reader.line_num}: not readable as CSV ({exc})") from None

    def _rows(self, reader: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
        header = next(reader, None)
        if not header:
            raise SourceError(f"{self.path}: empty file, no header line")
        self.header = [h.strip().lstrip(BOM) for h in header]
        if len(set(self.header)) != len(self.header):
            raise SourceError(f"{self.path}: the header names a column twice: {self.header}")
        if missing := [h for h in self.layout.columns.values() if h not in self.header]:
            raise SourceError(
                f"{self.path}: no column {missing} (its header: {', '.join(self.header)}); "
                "give the layout with --columns"
            )
        identities = {
            self.layout.columns[r]: kind
            for r, kind in (("author", NICKNAME), ("author_id", ACCOUNT))
            if r in self.layout.columns
        }
        at = self.header.index(self.layout.columns["article_id"])
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not cells:  # a blank line
                continue
            if [c.strip().lstrip(BOM) for c in cells] == self.header:
                self.header_repeats += 1
                continue
            if len(cells) == len(self.header):
                row = dict(zip(self.header, cells, strict=True))
                yield (
                    _article_id(cells[at]),
                    {
                        DECLARED_IDENTITIES: identities,
                        "columns": self.layout.columns,
                        "record": {"file": self.path.name, "line": start, "row": row},
                    },
                )
            else:  # which cell is the author is unknown: the quarantine keeps none of them
                found = _article_id(cells[at]) if at < len(cells) else None
                yield (
                    found,
                    {
                        DECLARED_IDENTITIES: {RAGGED: NICKNAME},
                        "columns": self.layout.columns,
                        "record": {"file": self.path.name, "line": start, "header": self.header, RAGGED: cells},
                    },
                )


def _article_id(cell: str) -> int | str | None:
    """The article number as an integer where it is one; otherwise the cell as found (the cleanse says why not)."""
    value = cell.strip()
    return int(value) if value.isascii() and value.isdigit() else (value or None)
