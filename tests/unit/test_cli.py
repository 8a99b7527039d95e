"""The console script: every stage is reachable and documented, and errors read as one line."""

from __future__ import annotations

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
