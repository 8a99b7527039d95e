"""`cafelake stopwords suggest`: the board's too-common nouns, derived from a lake's mart."""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import Enum
from typing import Annotated

import typer

from cafelake.commands._common import LakeOption, console, pipeline
from cafelake.errors import UsageError

app = typer.Typer(no_args_is_help=True)


class Format(str, Enum):
    table = "table"
    tsv = "tsv"
    json = "json"


def _verdict(w) -> str:
    if w.is_keyword:
        return "keyword"
    if w.is_stopword:
        return "flagged already"
    return "SUGGEST" if w.suggested else "informative"


@app.command()
def suggest(
    lake: LakeOption = None,
    min_share: Annotated[
        float, typer.Option("--min-share", help="Nouns used in at least this share of the posts.")
    ] = 0.02,
    min_evenness: Annotated[
        float,
        typer.Option(
            "--min-evenness",
            help="Suggest only nouns at least this even across the groups (1.0: the same rate in each).",
        ),
    ] = 0.95,
    max_lift: Annotated[
        float, typer.Option("--max-lift", help="... and that no group uses more than this many times the board's rate.")
    ] = 2.5,
    min_group_posts: Annotated[
        int, typer.Option("--min-group-posts", help="Groups with fewer posts are left out of the spread.")
    ] = 50,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every common noun with its verdict, not only the suggestions.")
    ] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Nouns too common to mean anything on this board: frequent, at an even rate in every keyword group.

    Review the list by hand, then add the words you keep to stopwords_domain.txt (they stay in
    tokens_fact, flagged is_stopword). See docs/text-analysis.md.
    """
    from cafelake.schemas import POST_KEYWORD_GROUPS, TOKENS_FACT
    from cafelake.tokenize.common_words import common_words
    from cafelake.tokenize.job import by_month

    stages = pipeline(lake)
    settings, store = stages.settings, stages.lake
    months = by_month(store.partitions(TOKENS_FACT))
    if not months:
        raise UsageError("the lake has no tokens_fact yet: run `cafelake tokenize` first")

    def chunks():
        for dts in months:
            yield (
                store.read_table(TOKENS_FACT, dts=dts, columns=["post_id", "token", "token_pos", "is_stopword"]),
                store.read_table(POST_KEYWORD_GROUPS, dts=dts, columns=["post_id", "group_id"]),
            )

    words = common_words(
        chunks,
        settings.keyword_groups,
        min_share=min_share,
        min_group_posts=min_group_posts,
        min_evenness=min_evenness,
        max_lift=max_lift,
    )
    shown = words if show_all else [w for w in words if w.suggested]
    if fmt is Format.json:
        typer.echo(json.dumps([asdict(w) | {"verdict": _verdict(w)} for w in shown], ensure_ascii=False, indent=1))
        return
    header = ["token", "pos", "posts", "share", "evenness", "spread", "top_group", "top_lift", "verdict"]
    rows = [
        [
            w.token,
            w.pos,
            str(w.posts),
            f"{w.share:.3f}",
            f"{w.evenness:.3f}",
            f"{w.spread:.2f}",
            w.top_group,
            f"{w.top_lift:.2f}",
            _verdict(w),
        ]
        for w in shown
    ]
    if fmt is Format.tsv:
        typer.echo("\n".join("\t".join(r) for r in [header, *rows]))
        return
    from rich.table import Table

    table = Table(
        *header,
        caption=f"{sum(w.suggested for w in words)} suggested of {len(words)} nouns in >= {min_share:.0%} of the posts",
    )
    for r in rows:
        table.add_row(*r)
    console.print(table)
