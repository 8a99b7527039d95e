"""A board read from a JSON Lines file in the generator's format, for `cafelake serve --corpus`.

One article a line, as `cafelake generate` writes it (docs/sample-corpus.md):
`{"article_id": 123, "list_item": {...}, "responses": [[200, "<article API body>"], ...]}`,
optionally `"broken"` and `"truth"`. Bodies are served as written, so a truncated one
tests the quarantine. Every line is checked when the file is opened, and the first bad
one stops it with the file, the line and what is wrong. Only byte offsets are kept (a
`.gz` file is unpacked to a temporary file first): an article is re-read when served,
so a large file is served in bounded memory, from any thread (`os.pread`).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from cafelake.sources.naver_cafe.corpus.model import CorpusArticle


class CorpusFileError(ValueError):
    """A corpus file that cannot be served: which file, which line (1-based), what is wrong."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}" if line else f"{path}: {problem}")
        self.path, self.line, self.problem = path, line, problem


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check(record: Any) -> str | None:
    """What is wrong with one parsed line, or None."""
    if not isinstance(record, dict):
        return f"expected a JSON object, got {type(record).__name__}"
    aid = record.get("article_id")
    if not _is_int(aid) or aid <= 0:
        return f"'article_id' must be a positive integer, got {aid!r}"
    item = record.get("list_item")
    if not isinstance(item, dict):
        return "'list_item' must be an object (an item of the list API's articleList)"
    if item.get("articleId") != aid:
        return f"'list_item.articleId' is {item.get('articleId')!r}, not the line's article_id {aid}"
    responses = record.get("responses")
    if not isinstance(responses, list) or not responses:
        return "'responses' must be a non-empty list of [http_status, body_text] pairs"
    for k, r in enumerate(responses):
        if not (isinstance(r, list) and len(r) == 2 and _is_int(r[0]) and 100 <= r[0] <= 599 and isinstance(r[1], str)):
            return f"'responses[{k}]' must be [http_status, body_text], got {str(r)[:80]}"
    if record.get("truth") is not None and not isinstance(record["truth"], dict):
        return "'truth' must be an object when present"
    return None


def _cafe_id(body: str) -> str | None:
    try:
        cafe = json.loads(body).get("result", {}).get("cafeId")
    except (ValueError, AttributeError):
        return None
    return str(cafe) if cafe is not None else None


class JsonlCorpus:
    """The articles of one board (one cafe, one menu) from a JSON Lines file; close() when done.

    `club_id` and `menu_id` default to what the file says: the articles' `result.cafeId` and
    the list items' `menuId`; a file that says neither needs them given.
    """

    def __init__(self, path: str | Path, club_id: str | None = None, menu_id: str | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise CorpusFileError(self.path, None, "no such file")
        self._held = ExitStack()  # the open file the articles are read from, given back by close()
        try:
            self._fd = self._unpacked() if self.path.suffix == ".gz" else self._hold(os.open(self.path, os.O_RDONLY))
            self._index(club_id, menu_id)
        except BaseException:
            self.close()
            raise

    def _unpacked(self) -> int:
        """The .gz file unpacked into a temporary file that has no name (it is gone once closed)."""
        fd, name = tempfile.mkstemp(prefix="cafelake-corpus-")
        os.unlink(name)
        self._hold(fd)
        try:
            with gzip.open(self.path, "rb") as src, os.fdopen(os.dup(fd), "wb") as dst:
                shutil.copyfileobj(src, dst)
        except (OSError, EOFError) as exc:
            raise CorpusFileError(self.path, None, f"not a readable gzip file ({exc})") from None
        return fd

    def _hold(self, fd: int) -> int:
        self._held.callback(os.close, fd)
        return fd

    def _index(self, club_id: str | None, menu_id: str | None) -> None:
        spans: dict[int, tuple[int, int]] = {}
        lines: dict[int, int] = {}
        menus: dict[str, int] = {}
        cafe: str | None = None
        offset = 0
        with os.fdopen(os.dup(self._fd), "rb") as f:
            f.seek(0)
            for n, raw in enumerate(f, 1):
                start, offset = offset, offset + len(raw)
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                except ValueError as exc:
                    raise CorpusFileError(self.path, n, f"not JSON ({exc})") from None
                if problem := _check(record):
                    raise CorpusFileError(self.path, n, problem)
                aid = record["article_id"]
                if aid in lines:
                    raise CorpusFileError(self.path, n, f"article_id {aid} again (first on line {lines[aid]})")
                lines[aid], spans[aid] = n, (start, len(raw))
                if (menu := record["list_item"].get("menuId")) is not None:
                    menus.setdefault(str(menu), n)
                if cafe is None:
                    cafe = next((c for _, body in record["responses"] if (c := _cafe_id(body))), None)
        if not spans:
            raise CorpusFileError(self.path, None, "no articles (an empty file)")
        if menu_id is None and len(menus) > 1:
            (first, _), (other, line) = sorted(menus.items(), key=lambda kv: kv[1])[:2]
            raise CorpusFileError(
                self.path, line, f"list_item.menuId {other} is another board than {first} (one file is one board)"
            )
        self.club_id = club_id or cafe
        self.menu_id = menu_id or next(iter(menus), None)
        if self.club_id is None or self.menu_id is None:
            missing = (
                "no article body has result.cafeId: give the cafe id"
                if self.club_id is None
                else "no list item has menuId: give the menu id"
            )
            raise CorpusFileError(self.path, None, missing)
        self.article_ids = sorted(spans)  # Naver's ids grow with time: ascending = oldest first
        self._spans = spans

    def __len__(self) -> int:
        return len(self.article_ids)

    def __repr__(self) -> str:
        return f"JsonlCorpus({str(self.path)!r}, club_id={self.club_id!r}, menu_id={self.menu_id!r})"

    def article(self, article_id: int) -> CorpusArticle:
        start, length = self._spans[article_id]
        record = json.loads(os.pread(self._fd, length, start))
        return CorpusArticle(
            article_id,
            record["list_item"],
            [tuple(r) for r in record["responses"]],
            record.get("broken"),
            record.get("truth") or {},
        )

    def close(self) -> None:
        self._held.close()

    def __enter__(self) -> JsonlCorpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
