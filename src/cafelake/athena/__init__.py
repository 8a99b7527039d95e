"""Athena: DDL generated from the schema module, views, local DuckDB engine, checks, cloud apply.

One set of SQL files (`athena_queries/`) serves Athena in the cloud and DuckDB on a laptop.
The names below load lazily, so the CDK app can import `cafelake.athena.deploy` or
`sqlfiles` without DuckDB and pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {"LocalAthena": "local", "CheckResult": "checks", "run_checks": "checks"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
