"""The SQL files under `athena_queries/`: DDL, views and data-quality checks.

One set of files serves Athena in the cloud and DuckDB at home; this module finds them,
fills in placeholders, and orders the views so that a view is created after the views
it reads from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import sqlglot
from sqlglot import exp

from cafelake.environment import Environment

_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
# The placeholders DDL and views may hold, filled in by `render` (the DDL generator writes them).
PLACEHOLDERS = ("database", "cleansed_uri", "tokenized_uri")


def sql_dir(env: Environment | None = None) -> Path:
    """`athena_queries/`: CAFELAKE_SQL_DIR if set (`env`, else this process's), else the one of the source tree.

    Read when asked, not passed down: views, checks and DDL are read by the local engine, the
    Athena deploy and the CDK app alike, none of which holds the settings.
    """
    if configured := (env or Environment.read()).sql_dir:
        return configured
    for parent in Path(__file__).resolve().parents:
        if (parent / "athena_queries").is_dir():
            return parent / "athena_queries"
    raise FileNotFoundError("athena_queries/ not found; set CAFELAKE_SQL_DIR")


@dataclass(frozen=True)
class SqlFile:
    """One statement from a `.sql` file; its name is the file's stem."""

    name: str
    path: Path
    text: str

    @cached_property
    def description(self) -> str:
        """The leading `--` comment lines, which document the statement."""
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line[2:].strip())
        return " ".join(lines).strip()

    def parse(self) -> exp.Expression:
        """The statement parsed as Athena SQL (raises sqlglot.ParseError if it is not)."""
        statements = [s for s in sqlglot.parse(self.text, read="athena") if s is not None]
        if len(statements) != 1:
            raise ValueError(f"{self.path}: expected one statement, found {len(statements)}")
        return statements[0]

    def tables(self) -> set[str]:
        """Names of the tables and views the statement reads (CTE names excluded)."""
        tree = self.parse()
        ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
        target = tree.this.name if isinstance(tree, exp.Create) else None
        return {t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes and t.name != target}


def load(kind: str, folder: Path | None = None) -> list[SqlFile]:
    """The `.sql` files of `athena_queries/<kind>/`, by name."""
    folder = folder or sql_dir() / kind
    return [SqlFile(p.stem, p, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.sql"))]


def ddl() -> list[SqlFile]:
    return load("ddl")


def checks() -> list[SqlFile]:
    return load("checks")


def views() -> list[SqlFile]:
    """The views in creation order: every view after the views it reads from.

    Their settings placeholders (`${rising_z}` …, `cafelake.alerts.settings`) are filled in from the
    configuration files here, so every place that creates the views creates them alike.
    """
    values = view_settings()
    pending = {v.name: SqlFile(v.name, v.path, render(v.text, **values)) for v in load("views")}
    deps = {name: v.tables() & set(pending) for name, v in pending.items()}
    ordered: list[SqlFile] = []
    while pending:
        ready = sorted(n for n in pending if not deps[n] - {v.name for v in ordered})
        if not ready:
            raise ValueError(f"views with circular dependencies: {sorted(pending)}")
        for name in ready:
            ordered.append(pending.pop(name))
    return ordered


def view_settings(env: Environment | None = None) -> dict[str, str]:
    """The values of the views' settings placeholders, from alerts.yaml (CAFELAKE_CONFIG_DIR overrides it)."""
    from cafelake.alerts.settings import load_config
    from cafelake.config import ConfigFiles

    return load_config(ConfigFiles((env or Environment.read()).config_dir)).sql_values()


def render(text: str, **values: str) -> str:
    """Fill `${name}` placeholders from `values`; names not given (e.g. Athena's `${dt}`) stay.

    A placeholder of `PLACEHOLDERS` left unfilled is an error, so no statement reaches Athena
    with a `${cleansed_uri}` in it.
    """
    out = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    if missing := sorted({m for m in _PLACEHOLDER.findall(out) if m in PLACEHOLDERS}):
        raise ValueError(f"no value for placeholder(s): {', '.join(missing)}")
    return out
