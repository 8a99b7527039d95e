"""Keyword groups matched on tokens, never on substrings.

The old study matched substrings, so 피부 posts landed in 피 (blood), 토요일 in 토
(vomit) and 열심히 in 열 (fever). Here a post joins a group only when one of the
group's keywords equals one of its kept tokens (stopword or not).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pyarrow as pa

from cafelake.config import KeywordGroup
from cafelake.schemas import KEYWORD_GROUPS_DIM, KEYWORDS_DICTIONARY


class KeywordMatcher:
    """keyword -> group ids, and the per-post match."""

    def __init__(self, groups: Sequence[KeywordGroup]) -> None:
        self.groups = tuple(groups)
        self.index: dict[str, list[int]] = {}
        for g in self.groups:
            for kw in dict.fromkeys(g.keywords):
                self.index.setdefault(kw, []).append(g.group_id)
        # The index as arrays, for matching a whole token column at once (see `groups_of`).
        self.keywords = pa.array(list(self.index), pa.string())
        self._n_groups = np.array([len(gids) for gids in self.index.values()], np.int64)
        self._first = np.cumsum(self._n_groups) - self._n_groups
        self._group_ids = np.array([gid for gids in self.index.values() for gid in gids], np.int32)

    def groups_of(self, keyword: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For keyword indexes (into `keywords`): (which input each pair comes from, its group id), a pair
        per (input, group of its keyword)."""
        n = self._n_groups[keyword]
        source = np.repeat(np.arange(len(keyword)), n)
        within = np.arange(len(source)) - np.repeat(np.cumsum(n) - n, n)
        return source, self._group_ids[self._first[keyword][source] + within]

    def match(self, tokens: Iterable[str]) -> dict[int, list[str]]:
        """group_id -> sorted distinct keywords of that group found among `tokens`."""
        found: dict[int, set[str]] = {}
        index = self.index
        for tok in tokens:
            if tok in index:
                for gid in index[tok]:
                    found.setdefault(gid, set()).add(tok)
        return {gid: sorted(kws) for gid, kws in sorted(found.items())}


def groups_dim(groups: Sequence[KeywordGroup]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "group_id": g.group_id,
                "group_name": g.group_name,
                "display_name": g.display_name,
                "description": g.description,
            }
            for g in groups
        ],
        schema=KEYWORD_GROUPS_DIM.schema,
    )


def keywords_dictionary(groups: Sequence[KeywordGroup], is_stopword) -> pa.Table:
    """One row per (keyword, group); `is_stopword(keyword)` says if the keyword is flagged too."""
    rows = [
        {"keyword": kw, "group_id": g.group_id, "is_stopword": bool(is_stopword(kw))}
        for g in groups
        for kw in dict.fromkeys(g.keywords)
    ]
    return pa.Table.from_pylist(rows, schema=KEYWORDS_DICTIONARY.schema)
