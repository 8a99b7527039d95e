"""`cafelake serve`: the Naver-compatible server on loopback, serving the sample corpus or a corpus file."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cafelake.commands._common import console


def serve(
    corpus_file: Annotated[
        Path | None,
        typer.Option(
            "--corpus",
            help="Serve this JSON Lines file (.jsonl or .jsonl.gz, the format `cafelake generate` writes: "
            "one article a line with article_id, list_item and responses) instead of a generated "
            "corpus; --posts, --seed and --end-date are then not used.",
        ),
    ] = None,
    club_id: Annotated[
        str | None,
        typer.Option(
            "--club-id",
            help="Cafe id to serve (default: the one the file's article bodies name; the generated corpus's 10050146).",
        ),
    ] = None,
    menu_id: Annotated[
        str | None,
        typer.Option(
            "--menu-id",
            help="Board id to serve (default: the one the file's list items name; the generated corpus's 386).",
        ),
    ] = None,
    posts: Annotated[int, typer.Option("--posts", help="Articles in the generated corpus.")] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Corpus seed.")] = 42,
    end_date: Annotated[str | None, typer.Option("--end-date", help="Last post date YYYY-MM-DD (KST).")] = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="0 picks a free port.")] = 8080,
    visible: Annotated[int | None, typer.Option("--visible", help="Publish only the oldest N at first.")] = None,
    faults: Annotated[
        str,
        typer.Option(
            "--faults",
            help="Probabilities per request of 429 (with Retry-After), 500, 503, 401 (member-only answer "
            "to an article request), slow, truncate, drop; plus publish=N posts per list page, seed, "
            "retry_after=S, slow_s=S. E.g. '429=0.02,500=0.01,401=0.01,truncate=0.01,drop=0.005,"
            "slow=0.01,publish=2,seed=7'.",
        ),
    ] = "",
) -> None:
    """Serve the list and article APIs until Ctrl-C: a generated corpus, or your own with --corpus FILE.

    Member-only bodies are served to requests carrying a member session's cookies, 401 otherwise.
    """
    from cafelake.sources.naver_cafe.corpus import Corpus
    from cafelake.sources.naver_cafe.corpus.jsonl import CorpusFileError, JsonlCorpus
    from cafelake.sources.naver_cafe.server import FaultConfig, NaverServer

    try:
        fault_config = FaultConfig.parse(faults)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--faults") from None
    if corpus_file is not None:
        try:
            corpus = JsonlCorpus(corpus_file, club_id=club_id, menu_id=menu_id)
        except CorpusFileError as exc:
            raise typer.BadParameter(str(exc), param_hint="--corpus") from None
        source = f" from {corpus_file}"
    else:
        ids = {k: v for k, v in (("club_id", club_id), ("menu_id", menu_id)) if v is not None}
        corpus = Corpus(
            posts=posts, seed=seed, **ids, **({"end_date": date.fromisoformat(end_date)} if end_date else {})
        )
        source = ""
    try:
        with NaverServer(corpus, host=host, port=port, faults=fault_config, visible=visible) as server:
            console.print(
                f"serving {len(corpus)} articles of cafe {corpus.club_id} menu {corpus.menu_id}{source} "
                f"at [bold]{server.base_url}[/] (Ctrl-C to stop)"
            )
            try:  # short waits: Ctrl-C may land on a server thread, and only the main thread raises it
                while True:
                    time.sleep(0.5)
            except KeyboardInterrupt:
                console.print(f"stopped; served {dict(server.stats)}")
    finally:
        if isinstance(corpus, JsonlCorpus):
            corpus.close()
