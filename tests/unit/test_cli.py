"""The console script: every stage is reachable and documented, and errors read as one line."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from cafelake.cli import COMMANDS, _register, app


def _python(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )


def test_every_stage_is_a_registered_command():
    """The command names the CLI registers, not words that may appear anywhere in the help."""
    res = _python(
        "import typer; from cafelake.cli import COMMANDS, _register, app\n"
        "for name, text in COMMANDS.items(): _register(name, text)\n"
        "print(' '.join(sorted(typer.main.get_command(app).commands)))"
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split() == sorted(COMMANDS)


def test_a_missing_command_module_fails_loudly():
    res = _python(
        "import sys; from cafelake import cli; cli.COMMANDS['nosuchstage'] = 'x'; "
        "sys.argv = ['cafelake', '--help']; cli.main()"
    )
    assert res.returncode != 0
    assert "No module named 'cafelake.commands.nosuchstage'" in res.stderr


def test_each_command_has_help():
    for name in COMMANDS:
        res = _python(f"import sys; sys.argv=['cafelake', {name!r}, '--help']; from cafelake.cli import main; main()")
        assert res.returncode == 0, f"{name}: {res.stderr[-500:]}"
        assert "Usage" in res.stdout


@pytest.mark.parametrize(
    "args, env, code, message",
    [
        (
            ["cleanse", "--full", "--ingest-dt", "2026-01-01"],
            {},
            2,
            "cafelake cleanse: --full already covers every ingest date; drop --ingest-dt",
        ),
        (
            ["check"],
            {"CAFELAKE_DUCKDB_MEMORY": "plenty"},
            2,
            "cafelake check: CAFELAKE_DUCKDB_MEMORY: expected a size such as 1GB or 512MiB, got 'plenty'",
        ),
        (["query", "--view", "v_nope"], {}, 2, "cafelake query: unknown view 'v_nope'"),
    ],
)
def test_a_cafelake_error_is_one_line_and_its_exit_code(tmp_path, args, env, code, message):
    from cafelake.lake import Lake
    from cafelake.settings import Settings
    from cafelake.tokenize.keywords import groups_dim

    # a lake with a mart (a query on no lake at all is refused before the view is looked up)
    Lake(str(tmp_path / "lake")).write_table("keyword_groups_dim", groups_dim(Settings.load({}).keyword_groups))
    res = _python(
        "import sys; from cafelake.cli import main; sys.argv[0] = 'cafelake'; main()",
        *args,
        "--lake",
        str(tmp_path / "lake"),
        env=env,
    )
    assert res.returncode == code
    assert res.stderr.startswith(message) and res.stderr.count("\n") == 1, res.stderr
    assert "Traceback" not in res.stderr


def test_a_config_error_reaches_the_user_with_the_file_and_key(tmp_path):
    from cafelake.collect.writer import encode
    from cafelake.lake import Lake

    (tmp_path / "cleanse.yaml").write_text("keep_jamo: maybe\n")
    Lake(str(tmp_path / "lake")).put_bytes(
        "raw", "naver_cafe/club_id=1/menu_id=2/ingest_dt=2026-11-20/r-00000.jsonl.gz", encode([])
    )
    _register("cleanse", COMMANDS["cleanse"])
    res = CliRunner().invoke(
        app,
        ["cleanse", "--lake", str(tmp_path / "lake")],
        env={"CAFELAKE_CONFIG_DIR": str(tmp_path), "CAFELAKE_PSEUDONYM_KEY": "k"},
    )
    assert res.exit_code == 2
    assert f"cafelake cleanse: {tmp_path / 'cleanse.yaml'}: keep_jamo: input should be a valid boolean" in res.output


def _cafelake(*args: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """`cafelake ARGS` as a person runs it (stdin empty, not a terminal); `drop` unsets variables."""
    import os

    environ = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from cafelake.cli import main; sys.argv[0] = 'cafelake'; main()", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**environ, **(env or {})},
        timeout=120,
    )


def _config(tmp_path, name: str, text: str) -> dict[str, str]:
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return {"CAFELAKE_CONFIG_DIR": str(folder)}


def _garbage_parquet(tmp_path, table: str) -> str:
    """A lake whose `table` holds one file that is not Parquet (a copy cut short); the file's path."""
    part = tmp_path / "lake" / "cleansed" / table / "month=2026-11"
    part.mkdir(parents=True)
    (part / f"day-2026-11-20-{'0' * 22}.parquet").write_bytes(b"PAR1 cut short")
    return str(part / f"day-2026-11-20-{'0' * 22}.parquet")


def _mart(lake: str) -> None:
    """A lake with a mart, so that a query reaches the engine (a lake without one is refused first)."""
    from cafelake.lake import Lake
    from cafelake.settings import Settings
    from cafelake.tokenize.keywords import groups_dim

    Lake(lake).write_table("keyword_groups_dim", groups_dim(Settings.load({}).keyword_groups))


_NO_AWS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")
_GROUP = "  - {{group_id: {id}, group_name: g{n}, display_name: G{n}, keywords: [열]}}\n"


@pytest.mark.parametrize(
    "case",
    [
        "unwritable lake",
        "YAML syntax error",
        "duplicate group",
        "missing key",
        "s3 without credentials",
        "s3 without an endpoint",
        "unreadable Parquet",
        "invalid SQL",
        "unknown view",
        "impossible ingest date",
    ],
)
def test_every_error_a_person_meets_is_one_line_that_says_what_where_and_what_to_do(tmp_path, case):
    lake = str(tmp_path / "lake")
    if case == "unwritable lake":  # a file where the lake's folder must be: unwritable even for root
        (tmp_path / "a-file").write_text("")
        args, env, code = ["demo", "--lake", str(tmp_path / "a-file" / "lake"), "--posts", "20"], {}, 3
        expected = [f"cannot write to the lake at {tmp_path / 'a-file' / 'lake'}", "Not a directory", "--lake"]
    elif case == "YAML syntax error":
        env = _config(tmp_path, "keyword_groups.yaml", "groups:\n  - {group_id: 1, group_name: [열\n")
        args, code = ["explain", "열이 나요"], 2
        expected = [f"{tmp_path / 'config' / 'keyword_groups.yaml'}:3:1: invalid YAML"]
    elif case == "duplicate group":
        groups = "groups:\n" + _GROUP.format(id=7, n=1) + _GROUP.format(id=7, n=2)
        env = _config(tmp_path, "keyword_groups.yaml", groups)
        args, code = ["explain", "열이 나요"], 2
        expected = [str(tmp_path / "config" / "keyword_groups.yaml"), "duplicate group_id [7]"]
    elif case == "missing key":
        env = _config(tmp_path, "keyword_groups.yaml", "groups:\n  - {group_id: 1, group_name: g, keywords: [열]}\n")
        args, code = ["explain", "열이 나요"], 2
        expected = [str(tmp_path / "config" / "keyword_groups.yaml"), "groups[0].display_name: field required"]
    elif case == "s3 without credentials":
        env = {"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
        env |= {"AWS_EC2_METADATA_DISABLED": "true"}
        args, code = ["status", "--lake", "s3://cafelake-no-such-bucket/lake"], 3
        expected = ["s3://cafelake-no-such-bucket/lake", "no AWS credentials found", "AWS_PROFILE"]
    elif case == "s3 without an endpoint":  # nothing listens on port 9 of loopback
        env = {"CAFELAKE_S3_ENDPOINT": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}
        args, code = ["status", "--lake", "s3://cafelake-test/lake"], 3
        expected = ["the S3 endpoint does not answer", "CAFELAKE_S3_ENDPOINT"]
    elif case == "unreadable Parquet":  # a query skips such a file with a warning; these commands name it
        path = _garbage_parquet(tmp_path, "_quarantine")
        args, env, code = ["quarantine", "--lake", lake], {}, 3
        expected = [path, "rerun the stage that writes it, or remove the file"]
    elif case == "invalid SQL":
        args, env, code = ["query", "SELECT post_date\nFROM v_daily_posts WHERE (", "--lake", lake], {}, 2
        expected = ["invalid SQL at line 2, column"]
    elif case == "unknown view":
        _mart(lake)
        args, env, code = ["query", "--view", "v_nope", "--lake", lake], {}, 2
        expected = ["unknown view 'v_nope'", "v_daily_posts", "v_top_tokens"]
    else:
        args, env, code = ["cleanse", "--ingest-dt", "2026-13-01", "--lake", lake], {}, 2
        expected = ["--ingest-dt 2026-13-01: not a date", "YYYY-MM-DD"]
    res = _cafelake(*args, env=env, drop=_NO_AWS if "credentials" in case else ())
    assert res.returncode == code, res.stderr[-3000:]
    assert res.stderr.startswith(f"cafelake {args[0]}: ") and res.stderr.count("\n") == 1, res.stderr[-3000:]
    assert all(part in res.stderr for part in expected), res.stderr
    assert "Traceback" not in res.stderr and "\x1b" not in res.stderr


@pytest.mark.parametrize("how", [["--debug"], ["-v", "--debug"], []])
def test_debug_shows_the_traceback_before_the_one_line(tmp_path, how):
    env = {} if how else {"CAFELAKE_DEBUG": "1"}
    res = _cafelake(*how, "cleanse", "--ingest-dt", "2026-13-01", "--lake", str(tmp_path / "lake"), env=env)
    assert res.returncode == 2
    assert "Traceback (most recent call last)" in res.stderr and "UsageError" in res.stderr
    assert res.stderr.splitlines()[-1].startswith("cafelake cleanse: --ingest-dt 2026-13-01: not a date")


def test_version_and_a_short_root_help():
    version = _cafelake("--version")
    assert version.returncode == 0 and version.stdout.strip() == "cafelake 0.1.0"
    root = _cafelake("--help")
    assert root.returncode == 0 and "cafelake demo" in root.stdout and "cafelake status" in root.stdout
    assert "imported only when" not in root.stdout  # the module's notes for developers stay out of it
    for option in ("--version", "--verbose", "--log-format", "--debug"):
        assert option in root.stdout


def test_option_metavars_name_what_to_give_not_python_types():
    import typer

    for name, text in COMMANDS.items():
        _register(name, text)

    def paths(command, prefix=()):
        yield prefix
        for name, sub in getattr(command, "commands", {}).items():
            yield from paths(sub, (*prefix, name))

    runner = CliRunner()
    every = list(paths(typer.main.get_command(app)))
    assert len(every) > len(COMMANDS)  # the groups' own commands too (athena apply, stopwords suggest ...)
    for path in every:
        res = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert res.exit_code == 0, res.output
        found = sorted(set(re.findall(r"<(?:bool|int|str|float|path|text|list\[\w+\])>", res.stdout)))
        assert found == [], f"cafelake {' '.join(path)} --help shows {found}"
    cleanse = runner.invoke(app, ["cleanse", "--help"], env={"COLUMNS": "200"}).stdout
    assert re.search(r"--full\s+Rebuild", cleanse) and re.search(r"--ingest-dt\s+YYYY-MM-DD", cleanse)


def test_logging_goes_to_stderr_as_text_or_json_lines(capsys):
    import json
    import logging

    from cafelake.cli import LogFormat, configure_logging

    log = logging.getLogger("cafelake.collect.runner")
    configure_logging(0, LogFormat.text)
    log.info("not shown by default")
    log.warning("board 1/2: page 3 skipped")
    configure_logging(1, LogFormat.json)
    log.info("scrape run %s: %d articles", "r1", 5)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "WARNING cafelake.collect.runner: board 1/2: page 3 skipped" and len(err) == 2
    line = json.loads(err[1])
    assert (line["level"], line["logger"], line["message"]) == (
        "info",
        "cafelake.collect.runner",
        "scrape run r1: 5 articles",
    )
    assert line["time"].endswith("Z")
    configure_logging(0, LogFormat.text)
