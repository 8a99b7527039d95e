"""Athena: DDL generated from the schema module, views, local DuckDB engine, checks, cloud apply.

One set of SQL files (`athena_queries/`) serves Athena in the cloud and DuckDB on a laptop.
"""

from __future__ import annotations

from cafelake.athena.checks import CheckResult, run_checks
from cafelake.athena.local import LocalAthena

__all__ = ["CheckResult", "LocalAthena", "run_checks"]
