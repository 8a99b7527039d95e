"""Packaged configuration files (keyword frames, dictionaries, stopwords).

They ship inside the wheel so the Glue jobs read the very files the laptop reads.
A path in CAFELAKE_CONFIG_DIR overrides any of them file by file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml


def config_path(name: str) -> Path:
    """Path of a config file: CAFELAKE_CONFIG_DIR/<name> if present, else the packaged one."""
    override = os.environ.get("CAFELAKE_CONFIG_DIR")
    if override and (Path(override) / name).exists():
        return Path(override) / name
    return Path(str(resources.files(__package__).joinpath(name)))


def load_yaml(name: str) -> dict:
    with config_path(name).open(encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


@dataclass(frozen=True)
class KeywordGroup:
    group_id: int
    group_name: str
    display_name: str
    description: str
    keywords: tuple[str, ...]


@cache
def keyword_groups() -> tuple[KeywordGroup, ...]:
    """The keyword frames, validated: unique ids and names, at least one keyword each."""
    groups = tuple(
        KeywordGroup(int(g["group_id"]), g["group_name"], g["display_name"], g.get("description", ""),
                     tuple(g["keywords"]))
        for g in load_yaml("keyword_groups.yaml")["groups"]
    )
    for attr in ("group_id", "group_name"):
        values = [getattr(g, attr) for g in groups]
        if len(set(values)) != len(values):
            raise ValueError(f"keyword_groups.yaml: duplicate {attr}")
    if empty := [g.group_name for g in groups if not g.keywords]:
        raise ValueError(f"keyword_groups.yaml: groups without keywords: {empty}")
    return groups
