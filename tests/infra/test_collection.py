"""Scraper functions (one per board, never two at once), secrets, and one schedule per board."""

from __future__ import annotations

import json

import pytest
from infra_helpers import BOARDS, ROOT, cdk_context, policy_statements


def _functions(synth):
    return {
        k: f["Properties"] for k, f in synth.resources("AWS::Lambda::Function").items() if k.startswith("Collection")
    }


def test_one_arm64_function_per_board_without_reserved_concurrency(synth):
    """Reserving any concurrency fails the deploy on an account whose quota is 10 (the unreserved pool
    may not drop below 10): the board lease keeps one invocation per board instead."""
    from aws_cdk import aws_lambda as lambda_

    functions = _functions(synth)
    assert len(functions) == len(BOARDS)
    newest = max((r for r in dir(lambda_.Runtime) if r.startswith("PYTHON_3_")), key=lambda r: int(r.rsplit("_", 1)[1]))
    for fn in functions.values():
        assert fn["Runtime"] == getattr(lambda_.Runtime, newest).name
        assert fn["Architectures"] == ["arm64"]
        assert "ReservedConcurrentExecutions" not in fn
        assert fn["Handler"] == "handler.handler"
        assert fn["TracingConfig"] == {"Mode": "Active"}
        env = fn["Environment"]["Variables"]
        assert env["CAFELAKE_RAW_URI"]["Fn::Join"][1][1]["Ref"].startswith("StorageRaw")
        assert env["CAFELAKE_COOKIE_SECRET"]["Ref"].startswith("CollectionMemberSession")


def _probe_functions(tmp_path, **context) -> dict[str, dict]:
    """The scraper functions of a Collection alone, built from cdk.json context plus `context`."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from cafelake_infra.collection import Collection
    from cafelake_infra.settings import Settings
    from cafelake_infra.storage import Storage

    app = cdk.App(outdir=str(tmp_path), context=cdk_context(**{"cafelake:boards": BOARDS}, **context))
    stack = cdk.Stack(app, "Probe")
    Collection(
        stack,
        "Collection",
        settings=Settings.from_context(app.node, root=ROOT),
        storage=Storage(stack, "Storage", retain=False),
    )
    return Template.from_stack(stack).find_resources("AWS::Lambda::Function")


def test_reserved_concurrency_is_opt_in_through_context(tmp_path):
    functions = [
        f["Properties"]
        for k, f in _probe_functions(tmp_path, **{"cafelake:scraperReservedConcurrency": 1}).items()
        if k.startswith("Collection")
    ]
    assert len(functions) == len(BOARDS) and all(f["ReservedConcurrentExecutions"] == 1 for f in functions)


def test_user_agent_comes_from_context_only_when_set(synth, tmp_path):
    committed = cdk_context().get("cafelake:userAgent") or None
    for fn in _functions(synth).values():
        assert fn["Environment"]["Variables"].get("CAFELAKE_USER_AGENT") == committed
    agent = "cafelake/1.0 (+mailto:ops@example.com; baby-health study)"
    functions = [
        f for k, f in _probe_functions(tmp_path, **{"cafelake:userAgent": agent}).items() if k.startswith("Collection")
    ]
    assert len(functions) == len(BOARDS)
    assert all(f["Properties"]["Environment"]["Variables"]["CAFELAKE_USER_AGENT"] == agent for f in functions)


def test_a_user_agent_that_is_not_one_header_line_is_refused(tmp_path):
    from cafelake_infra.settings import SettingsError

    with pytest.raises(SettingsError, match="cafelake:userAgent"):
        _probe_functions(tmp_path, **{"cafelake:userAgent": "cafelake/1.0\r\nX-Evil: 1"})


def test_scraper_reaches_only_its_own_board_in_raw(synth):
    for board in BOARDS:
        ident = "".join(p.capitalize() for p in board["name"].split("-"))
        text = json.dumps(policy_statements(synth, f"Collection{ident}Role"))
        assert f"naver_cafe/club_id={board['club_id']}/menu_id={board['menu_id']}" in text
        others = [b for b in BOARDS if b is not board]
        assert not any(f"menu_id={b['menu_id']}/" in text for b in others)
        assert "StorageCleansed" not in text and "StorageTokenized" not in text


def test_scraper_puts_and_reads_raw_objects_but_never_deletes(synth):
    """The raw bucket is versioned and the only copy of what was fetched: no scraper role may delete
    an object or a version of it (the board lease is given back by an overwrite)."""
    for board in BOARDS:
        ident = "".join(p.capitalize() for p in board["name"].split("-"))
        actions = {
            a
            for st in policy_statements(synth, f"Collection{ident}Role")
            for a in (st["Action"] if isinstance(st["Action"], list) else [st["Action"]])
        }
        assert {"s3:PutObject", "s3:GetObject*"} <= actions
        assert not [a for a in actions if a.startswith("s3:") and ("Delete" in a or a in ("s3:*", "s3:Put*"))]


def test_secrets_are_encrypted_and_the_pseudonym_key_generated(synth):
    secrets = synth.resources("AWS::SecretsManager::Secret")
    assert len(secrets) == 2
    key = next(iter(synth.resources("AWS::KMS::Key")))
    for secret in secrets.values():
        assert secret["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
    (pseudonym,) = [s for k, s in secrets.items() if k.startswith("CollectionPseudonymKey")]
    generated = pseudonym["Properties"]["GenerateSecretString"]
    assert generated["PasswordLength"] >= 32 and "SecretString" not in pseudonym["Properties"]


def test_one_schedule_per_board_starts_the_pipeline(synth):
    schedules = [s["Properties"] for s in synth.resources("AWS::Scheduler::Schedule").values()]
    assert len(schedules) == len(BOARDS)
    by_board = {json.loads(s["Target"]["Input"])["board"]: s for s in schedules}
    assert set(by_board) == {b["name"] for b in BOARDS}
    for board in BOARDS:
        s = by_board[board["name"]]
        assert s["ScheduleExpression"] == board["schedule"]
        assert s["Name"] == f"cafelake-{board['name']}"
        assert s["ScheduleExpressionTimezone"] == board.get("timezone", "Asia/Seoul")
        assert s["Target"]["Arn"]["Ref"].startswith("OrchestrationPipeline")
        assert json.loads(s["Target"]["Input"])["backfill"] is False


def test_bundler_targets_lambda_platform_without_heavy_dependencies(tmp_path):
    import re

    from infra_helpers import ROOT

    from cafelake_infra.assets import LAMBDA_PLATFORM, LAMBDA_PYTHON, ScraperBundling

    cmd = ScraperBundling(ROOT).pip_command(tmp_path)
    assert cmd[cmd.index("--platform") + 1] == LAMBDA_PLATFORM
    assert cmd[cmd.index("--python-version") + 1] == LAMBDA_PYTHON
    assert "--only-binary=:all:" in cmd
    lines = (ROOT / "lambdas/scraper/requirements.txt").read_text().splitlines()
    names = {
        re.split(r"[=<>\[; ]", ln.strip(), maxsplit=1)[0].lower()
        for ln in lines
        if ln.strip() and not ln.startswith("#")
    }
    assert names and not names & {"pyarrow", "pandas", "numpy", "kiwipiepy"}


def test_bundle_holds_handler_core_and_cached_dependencies(tmp_path):
    """The copy step, from a filled dependency cache (the pip step itself runs in the CLI synth test)."""
    import shutil

    from infra_helpers import ROOT

    from cafelake_infra.assets import ScraperBundling

    root = tmp_path / "repo"
    shutil.copytree(ROOT / "lambdas/scraper", root / "lambdas/scraper")
    shutil.copytree(ROOT / "src/cafelake", root / "src/cafelake")
    bundler = ScraperBundling(root)
    (bundler.cache_dir() / "requests").mkdir(parents=True)
    (bundler.cache_dir() / "requests" / "__init__.py").write_text("")
    out = tmp_path / "out"
    out.mkdir()
    assert bundler.try_bundle(str(out), None) is True
    assert (out / "handler.py").is_file() and (out / "requests" / "__init__.py").is_file()
    assert (out / "cafelake" / "raw.py").is_file() and (out / "cafelake" / "lake.py").is_file()
    assert not (out / "requirements.txt").exists()
    assert not list(out.rglob("__pycache__"))
