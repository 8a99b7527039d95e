"""Which column of an export holds what: the old study's Selenium export by default, any CSV by a mapping.

A layout maps roles (what cafelake needs) to the header names of one file, and names the origin:
the source whose posts the rows are (their post_id namespace). Given on the command line as
`role=Header,role=Header` or as a small YAML file:

    origin: naver_cafe
    columns: {article_id: no, title: subject, content: body, date: written, author: writer}

A layout given replaces the default whole (roles it leaves out are not read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cafelake.errors import UsageError

ROLES = {
    "article_id": "the article number (an integer; the board's 글번호)",
    "title": "the title, plain text",
    "content": "the body, plain text",
    "date": "the date as the board showed it, e.g. 2024.03.05. 21:13",
    "author": "the author's nickname",
    "author_id": "the author's account id, when the export has one",
    "url": "the article's URL",
    "read_count": "views",
    "comment_count": "comments",
    "fetched_at": "when the row was read (ISO-8601 with a time zone), when the export says",
}
REQUIRED = ("article_id", "date")
# The old study's export: pandas to_csv(encoding='utf-8-sig') of what Selenium read off the board.
EXPORT_COLUMNS = {
    "url": "URL",
    "article_id": "글번호",
    "date": "날짜",
    "author": "작성자",
    "title": "제목",
    "content": "내용",
}
EXPORT_ORIGIN = "naver_cafe"


@dataclass(frozen=True)
class Layout:
    columns: dict[str, str] = field(default_factory=lambda: dict(EXPORT_COLUMNS))
    origin: str = EXPORT_ORIGIN

    def __post_init__(self) -> None:
        if unknown := sorted(set(self.columns) - set(ROLES)):
            raise UsageError(f"--columns: unknown roles {unknown}; known: {', '.join(ROLES)}")
        if missing := [r for r in REQUIRED if r not in self.columns]:
            raise UsageError(f"--columns: every layout needs {', '.join(REQUIRED)}; missing {missing}")
        if "title" not in self.columns and "content" not in self.columns:
            raise UsageError("--columns: a layout needs a title or a content column")
        headers = list(self.columns.values())
        if len(set(headers)) != len(headers):
            raise UsageError(f"--columns: one header for two roles in {self.columns}")

    def get(self, row: dict[str, str], role: str) -> str | None:
        """The row's cell for `role`, None when the layout has no such column or the cell is empty."""
        header = self.columns.get(role)
        value = row.get(header) if header is not None else None
        return value if value else None


def parse_layout(spec: str | None, origin: str | None = None) -> Layout:
    """A layout from `role=Header,...` or a YAML file; None gives the old study's export."""
    if spec is None:
        return Layout(origin=origin or EXPORT_ORIGIN)
    path = Path(spec)
    if path.suffix in (".yaml", ".yml"):
        return _from_yaml(path, origin)
    columns = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        role, sep, header = part.partition("=")
        if not sep or not header.strip():
            raise UsageError(f"--columns: expected role=Header, got {part!r}")
        columns[role.strip()] = header.strip()
    return Layout(columns, origin or EXPORT_ORIGIN)


def _from_yaml(path: Path, origin: str | None) -> Layout:
    import yaml

    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--columns: no file {path}") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"--columns: {path} is not YAML ({exc})") from None
    columns = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(columns, dict):
        raise UsageError(f"--columns: {path} needs `columns:`, a map of role to header name")
    if odd := {k: v for k, v in columns.items() if not isinstance(v, str)}:
        raise UsageError(
            f"--columns: {path}: header names must be text, got {odd}; quote those YAML reads as "
            "something else (no, yes, on, 1)"
        )
    return Layout({str(k): v for k, v in columns.items()}, origin or str(data.get("origin") or EXPORT_ORIGIN))
