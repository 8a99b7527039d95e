"""A function invoked as the Lambda Python runtime invokes it, in an interpreter with only boto3."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from cafelake_rehearsal.lambda_runtime import CompiledModule, Function, LambdaRuntime, compiled_modules, unrehearsed

HANDLER = """import importlib.util, os, boto3
def handler(event, context):
    if event.get("fail"):
        raise ValueError("the event must name a board")
    return {"event": event, "left_ms": context.get_remaining_time_in_millis(), "name": context.function_name,
            "boto3": boto3.__version__, "requests": importlib.util.find_spec("requests") is not None,
            "cafelake": importlib.util.find_spec("cafelake") is not None, "board": os.environ["BOARD"],
            "region": (os.environ["AWS_REGION"], os.environ["AWS_DEFAULT_REGION"])}
"""


def _package(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def _function(code: bytes, handler: str = "handler.handler") -> Function:
    return Function(
        name="scraper",
        arn="arn:aws:lambda:ap-northeast-2:123456789012:function:scraper",
        handler=handler,
        runtime="python3.14",
        code=code,
        environment={"BOARD": "baby-health"},
        timeout=900,
        memory=512,
    )


@pytest.fixture
def runtime(envs, tmp_path):
    return LambdaRuntime(envs, workdir=tmp_path, environment={})


@pytest.mark.slow
def test_the_handler_string_names_the_function_called_with_the_event_and_a_context(runtime):
    done = runtime.invoke(_function(_package({"handler.py": HANDLER})), {"board": "baby-health"})
    assert not done.error, done.payload
    got = done.payload
    assert got["event"] == {"board": "baby-health"} and got["name"] == "scraper" and got["board"] == "baby-health"
    assert 890_000 < got["left_ms"] <= 900_000
    assert (got["boto3"], got["requests"], got["cafelake"]) == ("1.44.5", False, False)  # only what the runtime has
    assert got["region"] == ["ap-northeast-2", "ap-northeast-2"]  # the function's, as the runtime sets it


def test_only_a_python_runtime_is_run(runtime):
    node = Function(
        name="framework",
        arn="arn:aws:lambda:ap-northeast-2:123456789012:function:framework",
        handler="framework.onEvent",
        runtime="nodejs24.x",
        code=b"",
        environment={},
        timeout=900,
        memory=128,
    )
    with pytest.raises(NotImplementedError, match=re.escape("nodejs24.x is not rehearsed")):
        runtime.invoke(node, {})


@pytest.mark.slow
def test_time_already_used_shortens_the_context(runtime):
    runtime.time_used_next = 898
    assert runtime.invoke(_function(_package({"handler.py": HANDLER})), {}).payload["left_ms"] <= 2_000
    assert runtime.invoke(_function(_package({"handler.py": HANDLER})), {}).payload["left_ms"] > 890_000


@pytest.mark.slow
def test_errors_come_back_as_the_runtime_reports_them(runtime):
    failed = runtime.invoke(_function(_package({"handler.py": HANDLER})), {"fail": True})
    assert failed.error and failed.payload["errorType"] == "ValueError"
    assert failed.payload["errorMessage"] == "the event must name a board"
    missing = runtime.invoke(_function(_package({"handler.py": HANDLER}), handler="nowhere.handler"), {})
    assert missing.error and missing.payload["errorType"] == "Runtime.ImportModuleError"


def test_compiled_modules_and_the_ones_the_rehearsal_could_not_run(tmp_path):
    for rel in (
        "charset_normalizer/md.cpython-314-aarch64-linux-gnu.so",
        "charset_normalizer/md.py",
        "fast/core.cpython-314-aarch64-linux-gnu.so",
        "other/x.cpython-39-x86_64-linux-gnu.so",
        "81d243bd2c585b0f4821__mypyc.cpython-314-aarch64-linux-gnu.so",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    found = {c.module: c for c in compiled_modules(tmp_path)}
    assert found["charset_normalizer.md"] == CompiledModule(
        "charset_normalizer.md", "charset_normalizer/md.cpython-314-aarch64-linux-gnu.so", True, True
    )
    assert not found["fast.core"].fallback and not found["other.x"].loads_on_runtime
    imported = {
        "charset_normalizer.md": str(tmp_path / "charset_normalizer/md.py"),
        "fast.core": str(tmp_path / "fast/core.cpython-311-x86_64-linux-gnu.so"),
    }
    assert [c.module for c in unrehearsed(found.values(), imported)] == ["fast.core"]
    assert unrehearsed(found.values(), {}) == []  # nothing imported: nothing run differently
