"""The `cafelake` command line: one sub-command per pipeline stage.

Each stage's command lives in `cafelake.commands.<stage>` and is imported only when
called, so `cafelake --help` stays fast and a stage's heavy imports (Kiwi, DuckDB,
Spark) cost nothing to the others. A `CafelakeError` escaping a command is printed as
one line, `cafelake <command>: <message>`, and the process exits with its `exit_code`
(with its traceback under `--debug` or CAFELAKE_DEBUG=1); anything else is a bug and
keeps its traceback. The root options configure logging once for every stage.
"""

from __future__ import annotations

import importlib
import json
import keyword
import logging
import sys
import traceback
from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any

import click
import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

from cafelake import __version__
from cafelake.environment import debug_requested
from cafelake.errors import CafelakeError
from cafelake.runs import iso_z

HELP = """Collect, cleanse and analyse the posts of Korean Q&A boards in a data lake (a folder or S3).

Start with `cafelake demo`; `cafelake status` shows what a lake holds; `cafelake COMMAND --help` tells more.

An error is one line; exit 2: fix the call or the configuration, 3: the run failed, 1: a check failed.

--debug shows an error's traceback; -v logs more."""

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
    "compact": "Rewrite each closed month of every table as one file.",
    "explain": "Show how a text is tokenized and which keyword groups it lands in.",
    "stopwords": "Suggest the board's too-common nouns from the mart, for review.",
    "query": "Run Athena SQL or a view on the local lake (DuckDB).",
    "check": "Run the data-quality checks; exit non-zero on a failure.",
    "alerts": "Print the keyword groups rising in the latest complete week.",
    "status": "Show what a lake holds: zones, tables, rows, the last run of each stage, quarantine.",
    "quarantine": "List the records the cleanse quarantined, by reason.",
    "report": "Write the HTML report and PNG charts from the views.",
    "athena": "Apply the DDL and views to the Glue catalog / Athena (AWS).",
    "aws": "After `cdk deploy`: a smoke test of the deployed pipeline (AWS).",
    "demo": "Run the whole pipeline locally, end to end.",
}


def _plain_metavars(command: click.Command) -> None:
    """Help that names what to give, not a Python type: `--full`, `--limit LIMIT`, `--format table|csv|json`.

    Typer would print `--full <bool>`, `--limit <int>` and an argument's `<str>`; a command may still
    name its own metavar (`--lake FOLDER|S3_URI`).
    """
    for param in command.params:
        if isinstance(param, TyperOption) and (param.is_flag or param.count):
            param.metavar = ""
        elif isinstance(param, TyperOption) and param.metavar is None:
            choices = param.type_descriptor.choices if param.type_descriptor.is_choice else None
            param.metavar = "|".join(str(getattr(c, "value", c)) for c in choices) if choices else param.name.upper()
        elif isinstance(param, TyperArgument):
            param.metavar = param.metavar or param.name.upper()
            param.display_type_rich = lambda ctx: None  # its metavar already says what to give
    make_help_option = command.get_help_option

    def help_option(ctx: Any) -> Any:  # --help is made on demand, per command
        option = make_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        _plain_metavars(sub)


class _Group(TyperGroup):
    """The root group: a CafelakeError from any sub-command becomes one line on stderr and its exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_metavars(self)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CafelakeError as exc:
            if ctx.params.get("debug") or debug_requested():
                traceback.print_exc()
            command = ctx.invoked_subcommand or ctx.info_name
            click.echo(f"cafelake {command}: {' '.join(str(exc).split())}", err=True)
            ctx.exit(exc.exit_code)


class LogFormat(str, Enum):
    text = "text"
    json = "json"


class _JsonLines(logging.Formatter):
    """One JSON object a log record: for a log collector rather than a person."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": iso_z(datetime.fromtimestamp(record.created, UTC)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _Stderr(logging.StreamHandler):
    """A handler writing to sys.stderr as it is when a record comes (a test runner swaps it), and ours to replace."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configure_logging(verbose: int, fmt: LogFormat) -> None:
    """Log records to stderr: cafelake's warnings by default, -v its info, -vv debug from every library too.

    The handler sits on the `cafelake` logger (on the root logger with -vv); records still propagate,
    so a host that configures the root logger itself (pytest, a notebook) sees them as before.
    """
    handler = _Stderr()
    handler.setFormatter(
        _JsonLines() if fmt is LogFormat.json else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    ours, root = logging.getLogger("cafelake"), logging.getLogger()
    for logger in (ours, root):
        logger.handlers[:] = [h for h in logger.handlers if not isinstance(h, _Stderr)]  # a second call replaces
    (root if verbose >= 2 else ours).addHandler(handler)
    ours.setLevel((logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)])
    if verbose >= 2:
        root.setLevel(logging.DEBUG)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cafelake {__version__}")
        raise typer.Exit()


app = typer.Typer(name="cafelake", cls=_Group, help=HELP, no_args_is_help=True, add_completion=False)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_version, help="Print the version and exit.")
    ] = False,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="Log more: -v info, -vv debug.")] = 0,
    log_format: Annotated[
        LogFormat, typer.Option("--log-format", help="Log records as text lines or JSON objects.")
    ] = LogFormat.text,
    debug: Annotated[bool, typer.Option("--debug", help="Show an error's traceback (also CAFELAKE_DEBUG=1).")] = False,
) -> None:
    """Configure logging for the sub-command (and keep `cafelake` a group when one sub-command is registered)."""
    configure_logging(verbose, log_format)


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
    # the sub-command: the first word that names one (root options such as -v or --log-format json come before it)
    wanted = next((arg for arg in sys.argv[1:] if arg in COMMANDS), None)
    for name, help_text in COMMANDS.items():
        if wanted is None or name == wanted:
            _register(name, help_text)
    app()
