"""The `cafelake` command line: one sub-command per pipeline stage.

Each stage's command lives in `cafelake.commands.<stage>` and is imported only when
called, so `cafelake --help` stays fast and a stage's heavy imports (Kiwi, DuckDB,
Spark) cost nothing to the others. A `CafelakeError` escaping a command is printed as
one line, `cafelake <command>: <message>`, and the process exits with its `exit_code`;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import importlib
import keyword
import sys
from typing import Any

import click
import typer
from typer.core import TyperGroup

from cafelake.errors import CafelakeError

# sub-command -> its help; `cafelake.commands.<sub-command>` exposes a function of the same name or a Typer
# `app` (a sub-command named after a Python keyword lives in `<name>_`: `import` in commands/import_.py)
COMMANDS: dict[str, str] = {
    "init": "Create a local lake and its pseudonym key.",
    "generate": "Generate the deterministic sample corpus (Naver JSON shapes).",
    "serve": "Serve a corpus from the Naver-compatible HTTP server on loopback.",
    "scrape": "Scrape a board (Naver or the local server) into the raw zone.",
    "import": "Import an export of an earlier scrape (a CSV file) into the raw zone.",
    "cleanse": "Cleanse raw records into cleansed/posts, with quarantine.",
    "tokenize": "Tokenize cleansed posts with Kiwi and build the mart.",
    "explain": "Show how a text is tokenized and which keyword groups it lands in.",
    "stopwords": "Suggest the board's too-common nouns from the mart, for review.",
    "query": "Run Athena SQL or a view on the local lake (DuckDB).",
    "check": "Run the data-quality checks; exit non-zero on a failure.",
    "report": "Write the HTML report and PNG charts from the views.",
    "athena": "Apply the DDL and views to the Glue catalog / Athena (AWS).",
    "aws": "After `cdk deploy`: a smoke test of the deployed pipeline (AWS).",
    "demo": "Run the whole pipeline locally, end to end.",
}


class _Group(TyperGroup):
    """The root group: a CafelakeError from any sub-command becomes one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CafelakeError as exc:
            command = ctx.invoked_subcommand or ctx.info_name
            click.echo(f"cafelake {command}: {' '.join(str(exc).split())}", err=True)
            ctx.exit(exc.exit_code)


app = typer.Typer(name="cafelake", cls=_Group, help=__doc__, no_args_is_help=True, add_completion=False)


@app.callback()
def _root() -> None:
    """Keep `cafelake` a command group even when `main` registers a single sub-command."""


def _register(name: str, help_text: str) -> None:
    """Register the stage's command from `cafelake.commands.<name>`; a missing module fails loudly."""
    module = importlib.import_module(
        f"cafelake.commands.{name}_" if keyword.iskeyword(name) else f"cafelake.commands.{name}"
    )
    target = getattr(module, "app", None)
    if isinstance(target, typer.Typer):
        app.add_typer(target, name=name, help=help_text)
    else:
        app.command(name=name, help=help_text)(getattr(module, name))


def main() -> None:
    wanted = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] in COMMANDS else None
    for name, help_text in COMMANDS.items():
        if wanted is None or name == wanted:
            _register(name, help_text)
    app()
