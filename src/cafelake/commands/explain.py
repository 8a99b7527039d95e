"""`cafelake explain`: why a text is, or is not, in a keyword group (or the groups scored on a gold file)."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from cafelake.commands._common import console
from cafelake.errors import UsageError


class Format(str, Enum):
    text = "text"
    json = "json"


def _print(e) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()
    if e.analysed != e.text:
        out.print(f"analysed (after the cleanse text rules): {e.analysed}")
    morphs = Table("form", "tag", "start", "len", "score", title="Kiwi's morphemes")
    for m in e.morphemes:
        morphs.add_row(m.form, m.tag, str(m.start), str(m.length), f"{m.score:.2f}")
    out.print(morphs)
    kept = Table("#", "token", "pos", "stopword", "synonym of", "rule", title="kept tokens (tokens_fact)")
    for t in e.tokens:
        kept.add_row(str(t.position), t.token, t.pos, "yes" if t.is_stopword else "", t.synonym_of or "", t.rule or "")
    out.print(kept)
    if not e.groups:
        out.print("keyword groups: none (no kept token is a keyword of keyword_groups.yaml)")
        return
    groups = Table("group_id", "group_name", "display_name", "matched keywords", title="keyword groups")
    for g in e.groups:
        groups.add_row(str(g.group_id), g.group_name, g.display_name, ", ".join(g.keywords))
    out.print(groups)


def explain(
    text: Annotated[str | None, typer.Argument(help='A post\'s text, e.g. "열 38도 넘어요 ㅠㅠ".')] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    raw: Annotated[
        bool, typer.Option("--raw", help="Skip the cleanse text rules (emoji, HTML) and analyse the text as given.")
    ] = False,
    gold: Annotated[
        Path | None,
        typer.Option(
            "--gold",
            help="Score the keyword groups on a gold file instead "
            "(tests/data/gold_keyword_groups.tsv): precision, "
            "recall and every miss.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    minimum: Annotated[
        float, typer.Option("--min", help="With --gold: exit 1 if a group's precision or recall is below this.")
    ] = 0.99,
) -> None:
    """Show Kiwi's morphemes, the kept tokens with their flags and the keyword groups a text lands in."""
    if (text is None) == (gold is None):
        raise UsageError("give either a TEXT or --gold FILE")
    from cafelake.settings import Settings
    from cafelake.tokenize.analyzer import analyzer
    from cafelake.tokenize.keywords import KeywordMatcher

    settings = Settings.load()
    the_analyzer, matcher = analyzer(settings.tokenizer), KeywordMatcher(settings.keyword_groups)
    if gold is not None:
        from cafelake.tokenize.gold import evaluate, load_gold

        report = evaluate(load_gold(gold), the_analyzer, matcher)
        if fmt is Format.json:
            typer.echo(
                json.dumps(
                    {
                        name: {"tp": s.tp, "fp": s.fp, "fn": s.fn, "precision": s.precision, "recall": s.recall}
                        for name, s in report.scores.items()
                    },
                    indent=1,
                )
            )
        else:
            typer.echo(report.format())
        low = [n for n, s in report.scores.items() if min(s.precision, s.recall) < minimum]
        if low:
            console.print(f"[red]below {minimum}: {', '.join(low)}[/red]")
            raise typer.Exit(1)
        return
    from cafelake.tokenize.explain import explain as run

    e = run(text, the_analyzer, matcher, cleanse=not raw)
    if fmt is Format.json:
        typer.echo(json.dumps(e.as_dict(), ensure_ascii=False, indent=1))
    else:
        _print(e)
