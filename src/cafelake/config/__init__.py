"""The configuration files: where they are, how they are read, and what a bad one says.

They ship inside the wheel (`config/*`), so the Glue jobs read the very files the laptop
reads; an override folder (`CAFELAKE_CONFIG_DIR`) replaces any of them file by file. Every
failure is a `ConfigError` that names the file, where in it (a YAML syntax error's line and
column, a bad value's key path, a text file's line) and what was expected. A file's shape
is a pydantic model: unknown keys are refused, and booleans, integers and numbers are strict
(`'no'` is not a boolean, `1e4` not an integer, `5` not a text).

Nothing is cached here: `cafelake.settings.Settings` reads each file at most once per
settings object, and a test makes its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, TypeAdapter, ValidationError, model_validator

from cafelake.errors import ConfigError

T = TypeVar("T")

KEYWORD_GROUPS_FILE = "keyword_groups.yaml"


class FileModel(BaseModel):
    """The shape of a configuration file: unknown keys are refused (a typo never passes as a default).

    Fields use StrictBool, StrictInt, StrictFloat: pydantic's lax mode would read 'no' as false.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


def _where(loc: tuple[Any, ...]) -> str:
    """pydantic's error location as a key path: groups[3].keywords."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out or "(the whole file)"


def describe(error: ValidationError) -> str:
    """Each problem of a validation error as 'key: what was expected (got what)', joined by '; '."""
    problems = []
    for e in error.errors(include_url=False):
        got = "" if e["type"] == "missing" else f" (got {e['input']!r})"
        problems.append(f"{_where(e['loc'])}: {e['msg'].lower()}{got}")
    return "; ".join(problems)


class ConfigFiles:
    """The configuration files, the override folder's where it has one, else the packaged ones."""

    def __init__(self, override: Path | None = None) -> None:
        if override is not None and not override.is_dir():
            raise ConfigError(f"CAFELAKE_CONFIG_DIR: {override} is not a folder")
        self.override = override

    def path(self, name: str) -> Path:
        if self.override is not None and (self.override / name).exists():
            return self.override / name
        return Path(str(resources.files(__package__).joinpath(name)))

    def read_bytes(self, name: str) -> bytes:
        path = self.path(name)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None

    def text(self, name: str) -> str:
        path = self.path(name)
        try:
            return self.read_bytes(name).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None

    def yaml(self, name: str) -> Any:
        """The parsed YAML document (None for an empty file); a syntax error names its line and column."""
        path = self.path(name)
        try:
            return yaml.safe_load(self.text(name))
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            at = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
            raise ConfigError(f"{path}{at}: invalid YAML: {exc.problem or exc.context}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: invalid YAML: {exc}") from None

    def validate(self, name: str, shape: type[T], data: Any) -> T:
        """`data` (read from file `name`) as `shape`; a ConfigError names the file and each bad key."""
        try:
            return TypeAdapter(shape).validate_python(data)
        except ValidationError as exc:
            raise ConfigError(f"{self.path(name)}: {describe(exc)}") from None

    def load(self, name: str, shape: type[T]) -> T:
        """A YAML file validated as `shape` (an empty file is an empty mapping)."""
        data = self.yaml(name)
        return self.validate(name, shape, {} if data is None else data)

    def lines(self, name: str) -> list[tuple[int, str]]:
        """(line number, text) of a text file's non-empty lines, `#` comments removed."""
        return [(n, s) for n, ln in enumerate(self.text(name).splitlines(), 1) if (s := ln.split("#", 1)[0].strip())]

    def error(self, name: str, message: str) -> ConfigError:
        """A ConfigError about file `name` (for checks a file's model cannot express)."""
        return ConfigError(f"{self.path(name)}: {message}")


@dataclass(frozen=True)
class KeywordGroup:
    group_id: int
    group_name: str
    display_name: str
    description: str
    keywords: tuple[str, ...]


class _Group(FileModel):
    group_id: StrictInt
    group_name: str = Field(min_length=1)
    display_name: str = Field(min_length=1)
    description: str = ""
    keywords: tuple[str, ...] = Field(min_length=1)


class _BodyPart(FileModel):
    part_id: StrictInt
    part_name: str = Field(min_length=1)
    display_name: str = Field(min_length=1)
    keywords: tuple[str, ...] = Field(min_length=1)


class _KeywordGroupsFile(FileModel):
    """keyword_groups.yaml: the frames, and body parts (a second dimension of frames); ids and names unique
    within each (dashboards filter on them)."""

    groups: tuple[_Group, ...] = Field(min_length=1)
    body_parts: tuple[_BodyPart, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> _KeywordGroupsFile:
        for items, attrs in ((self.groups, ("group_id", "group_name")), (self.body_parts, ("part_id", "part_name"))):
            for attr in attrs:
                values = [getattr(g, attr) for g in items]
                if dup := sorted({v for v in values if values.count(v) > 1}, key=str):
                    raise ValueError(f"duplicate {attr} {dup}")
        return self


def load_keyword_groups(files: ConfigFiles) -> tuple[KeywordGroup, ...]:
    """The keyword frames of keyword_groups.yaml, validated."""
    doc = files.load(KEYWORD_GROUPS_FILE, _KeywordGroupsFile)
    return tuple(KeywordGroup(g.group_id, g.group_name, g.display_name, g.description, g.keywords) for g in doc.groups)


def load_body_parts(files: ConfigFiles) -> tuple[KeywordGroup, ...]:
    """The body parts of keyword_groups.yaml, as frames (part_id, part_name as the group's id and name), so the
    keyword groups' matcher, explain and gold scoring serve them unchanged."""
    doc = files.load(KEYWORD_GROUPS_FILE, _KeywordGroupsFile)
    return tuple(KeywordGroup(p.part_id, p.part_name, p.display_name, "", p.keywords) for p in doc.body_parts)
