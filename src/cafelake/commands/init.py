"""`cafelake init`: create a local lake on purpose, with its pseudonym key."""

from __future__ import annotations

import typer

from cafelake.commands._common import LakeOption, pipeline


def init(lake: LakeOption = None) -> None:
    """Create the lake folder and its pseudonym key (kept if it exists); the only command that makes a key.

    The key decides every author's pseudonym: keep it with the lake (or set CAFELAKE_PSEUDONYM_KEY).
    """
    typer.echo(pipeline(lake).init())
