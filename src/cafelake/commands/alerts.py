"""`cafelake alerts`: the keyword groups rising in the latest complete week (v_rising_groups), on the local lake."""

from __future__ import annotations

from typing import Annotated

import typer

from cafelake.commands._common import Format, LakeOption, console, pipeline, print_frame


def alerts(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    lake: LakeOption = None,
) -> None:
    """Print the rising groups of the latest complete ISO week, with the count, the expectation, the score and
    example posts. Exits 0 whether or not a group is rising (the cloud's alert step sends the notices)."""
    from cafelake.alerts.notify import LATEST_RISING_SQL

    with pipeline(lake, needs="tokenized").query_engine() as engine:
        df = engine.query(LATEST_RISING_SQL)
        week = engine.query("SELECT CAST(max(week_start) AS varchar) AS week FROM v_rising_groups")["week"].iloc[0]
    if fmt is Format.table:
        if week is None or week != week:
            console.print("no complete week with a trailing window yet: nothing to test")
        else:
            console.print(f"week of {week}: {len(df)} rising group(s)")
    print_frame(df, fmt)
