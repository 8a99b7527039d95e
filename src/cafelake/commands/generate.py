"""`cafelake generate`: stream the sample corpus to JSON Lines (optionally gzip)."""

from __future__ import annotations

import gzip
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cafelake.commands._common import console
from cafelake.sources.naver_cafe.corpus import DEFAULT_END_DATE, Corpus, CorpusArticle


def record(article: CorpusArticle, with_truth: bool = False) -> dict[str, Any]:
    """One output line: the article as served, and its ground truth if asked for."""
    out: dict[str, Any] = {
        "article_id": article.article_id,
        "list_item": article.list_item,
        "responses": [list(r) for r in article.responses],
        "broken": article.broken,
    }
    if with_truth:
        out["truth"] = {k: v.isoformat() if isinstance(v, (date, datetime)) else v for k, v in article.truth.items()}
    return out


def open_output(path: Path) -> IO[str]:
    """A text stream; .gz is written with a zero mtime and no name so output is byte-identical."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        raw = path.open("wb")
        return io.TextIOWrapper(
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0), encoding="utf-8", newline="\n"
        )
    return path.open("w", encoding="utf-8", newline="\n")


def generate(
    out: Annotated[Path, typer.Option("--out", help="Output file: .jsonl or .jsonl.gz")],
    posts: Annotated[int, typer.Option(help="Number of questions on the board.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed and options, same bytes.")] = 42,
    end_date: Annotated[str, typer.Option(help="Last day (KST), YYYY-MM-DD.")] = DEFAULT_END_DATE.isoformat(),
    days: Annotated[int, typer.Option(help="Days covered, ending at --end-date.")] = 365,
    club_id: Annotated[str, typer.Option(help="Naver cafe id.")] = "10050146",
    menu_id: Annotated[str, typer.Option(help="Board (menu) id.")] = "386",
    truth: Annotated[bool, typer.Option("--truth/--no-truth", help="Add each article's ground truth.")] = False,
) -> None:
    try:
        last = date.fromisoformat(end_date)
    except ValueError as exc:
        raise typer.BadParameter(f"--end-date must be YYYY-MM-DD: {exc}") from exc
    corpus = Corpus(posts=posts, seed=seed, end_date=last, days=days, club_id=club_id, menu_id=menu_id)
    columns = (TextColumn("[bold]generate"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with open_output(out) as f, Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("generate", total=len(corpus))
        for n, article in enumerate(corpus.iter_articles(), 1):
            f.write(json.dumps(record(article, truth), ensure_ascii=False, separators=(",", ":")))
            f.write("\n")
            if n % 1000 == 0 or n == len(corpus):
                progress.update(task, completed=n)
    console.print(f"wrote {len(corpus):,} articles of {corpus!r} to {out}")
