"""A Lambda function invoked as the Lambda Python runtime invokes it.

The function's deployment package (the zip the template's `Code` points at) is unpacked into a
task root; a clean interpreter that holds only what the runtime provides (`lambda_runtime.txt`:
boto3 and botocore) imports the module the handler string names, with the task root first on
`sys.path` (as `/var/task` is), and calls the handler with the event and a context whose
remaining time counts down from the function's timeout. Its environment is the function's own
(from the template) plus what the runtime sets (`AWS_REGION` and `AWS_DEFAULT_REGION`, the
function's region; `AWS_LAMBDA_FUNCTION_NAME`, `_HANDLER`, ...) and what the rehearsal points
elsewhere (the AWS endpoint, the Naver base URL). Only a Python runtime is run. Errors come back
as the runtime reports them (`errorType`, `errorMessage`, `Runtime.ImportModuleError` for an
import that fails).

Not rehearsed: the real runtime is Python 3.14 on arm64; this machine has Python 3.11 on x86_64.
A compiled module built for the runtime (`*.cpython-314-aarch64-linux-gnu.so`) cannot load here,
so `compiled_modules` lists every one the bundle carries, and `unrehearsed` names those that have
no pure-Python fallback and were imported anyway: only then would the rehearsal have run code the
runtime does not.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import time
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .environments import Environments, python

PROVIDED = Path(__file__).with_name("lambda_runtime.txt")
# The extension suffixes CPython 3.14 on arm64 Linux loads, most specific first.
RUNTIME_SUFFIXES = (".cpython-314-aarch64-linux-gnu.so", ".abi3.so", ".so")
_EXTENSION = re.compile(r"^(?P<stem>[^.]+)(?P<suffix>(\.[^.]+)?\.(so|pyd))$")

# Runs in the clean interpreter (`python -c`), so the current folder, the task root, comes first on
# sys.path as /var/task does; it imports nothing but the standard library before the handler.
BOOTSTRAP = r"""
import importlib, json, os, sys, time, traceback, uuid
deadline = (time.monotonic() + float(os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"])
            - float(os.environ["REHEARSAL_TIME_USED"]))

class Context:
    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
    invoked_function_arn = os.environ["REHEARSAL_FUNCTION_ARN"]
    memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
    aws_request_id = os.environ["REHEARSAL_REQUEST_ID"]
    log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
    log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
    def get_remaining_time_in_millis(self):
        return max(0, int((deadline - time.monotonic()) * 1000))

def error(kind, message, exc=None):
    return {"ok": False, "payload": {"errorMessage": message, "errorType": kind, "requestId": Context.aws_request_id,
            "stackTrace": traceback.format_tb(exc.__traceback__) if exc else []}}

module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
with open(sys.argv[1], encoding="utf-8") as f:
    event = json.load(f)
try:
    handler = getattr(importlib.import_module(module_name), function_name)
except Exception as exc:
    result = error("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}", exc)
else:
    try:
        payload = handler(event, Context())
    except Exception as exc:
        result = error(type(exc).__name__, str(exc), exc)
    else:
        try:
            result = {"ok": True, "payload": json.loads(json.dumps(payload))}
        except (TypeError, ValueError) as exc:
            result = error("Runtime.MarshalError", f"Unable to marshal response: {exc}", exc)
result["modules"] = {n: getattr(m, "__file__", None) for n, m in list(sys.modules.items())}
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(result, f)
"""


@dataclass(frozen=True)
class Function:
    name: str
    arn: str
    handler: str
    runtime: str
    code: bytes  # the deployment package, a zip
    environment: Mapping[str, str]
    timeout: int
    memory: int


@dataclass(frozen=True)
class Invocation:
    payload: Any
    error: bool
    seconds: float
    log: str
    modules: Mapping[str, str | None]  # what the invocation imported: name -> file


@dataclass(frozen=True)
class CompiledModule:
    module: str
    path: str  # relative to the task root
    loads_on_runtime: bool  # the real runtime (3.14, arm64) would import this file
    fallback: bool  # a pure-Python module of the same name is beside it


def compiled_modules(task_root: Path) -> list[CompiledModule]:
    """Every compiled extension module in a deployment package."""
    out = []
    for path in sorted(task_root.rglob("*")):
        match = _EXTENSION.match(path.name)
        if not match or not path.is_file():
            continue
        rel = path.relative_to(task_root)
        module = ".".join((*rel.parent.parts, match["stem"]))
        fallback = path.with_name(match["stem"] + ".py").exists() or (path.parent / match["stem"]).is_dir()
        out.append(CompiledModule(module, rel.as_posix(), match["suffix"] in RUNTIME_SUFFIXES, fallback))
    return out


def unrehearsed(compiled: Iterable[CompiledModule], imported: Mapping[str, str | None]) -> list[CompiledModule]:
    """Compiled modules the runtime would load that an invocation here imported other than from a
    pure-Python fallback: the rehearsal cannot have run them as the runtime does. (A compiled module
    nobody imported, or one whose `.py` twin was imported instead, is fine: see the module docstring.)"""
    return [
        c
        for c in compiled
        if c.loads_on_runtime and c.module in imported and not (imported[c.module] or "").endswith(".py")
    ]


class LambdaRuntime:
    def __init__(self, envs: Environments, *, workdir: Path, environment: Mapping[str, str]) -> None:
        self.envs, self.workdir = envs, workdir
        self.environment = dict(environment)  # added to every function's: endpoint, credentials, redirects
        self.invocations: list[tuple[Function, Invocation]] = []
        # Seconds of the next invocation's timeout already gone when its handler is called. The scrape
        # loop continues only when an invocation runs out of time, which takes 14 minutes for real:
        # a rehearsal sets this to see it in seconds.
        self.time_used_next = 0.0

    def task_root(self, fn: Function) -> Path:
        """The deployment package unpacked (once per code version), as /var/task."""
        root = self.workdir / f"{fn.name}-{hashlib.sha256(fn.code).hexdigest()[:12]}"
        if not root.is_dir():
            tmp = root.with_name(root.name + ".tmp")
            with zipfile.ZipFile(io.BytesIO(fn.code)) as zf:
                zf.extractall(tmp)
            tmp.rename(root)
        return root

    def invoke(self, fn: Function, event: Any) -> Invocation:
        if not fn.runtime.startswith("python"):
            raise NotImplementedError(f"function {fn.name}: runtime {fn.runtime} is not rehearsed (only Python)")
        env_dir = self.envs.base("lambda-python", PROVIDED)
        root = self.task_root(fn)
        request = str(uuid.uuid4())
        used, self.time_used_next = self.time_used_next, 0.0
        io_dir = self.workdir / "io" / request
        io_dir.mkdir(parents=True)
        (io_dir / "event.json").write_text(json.dumps(event), encoding="utf-8")
        region = fn.arn.split(":")[3]
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "HOME": str(io_dir),
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "LAMBDA_TASK_ROOT": str(root),
            "PYTHONPATH": str(root),
            "_HANDLER": fn.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": fn.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(fn.timeout),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"rehearsal/{request}",
            "REHEARSAL_FUNCTION_ARN": fn.arn,
            "REHEARSAL_REQUEST_ID": request,
            "REHEARSAL_TIME_USED": str(used),
            **self.environment,
            **fn.environment,
        }
        start = time.monotonic()
        cmd = [str(python(env_dir)), "-s", "-c", BOOTSTRAP, str(io_dir / "event.json"), str(io_dir / "result.json")]
        try:
            done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=fn.timeout - used)
        except subprocess.TimeoutExpired as exc:
            log = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            result = {
                "ok": False,
                "modules": {},
                "payload": {
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"Task timed out after {fn.timeout:.2f} seconds",
                },
            }
        else:
            log = done.stdout + done.stderr
            out = io_dir / "result.json"
            result = (
                json.loads(out.read_text(encoding="utf-8"))
                if out.exists()
                else {
                    "ok": False,
                    "modules": {},
                    "payload": {"errorType": "Runtime.ExitError", "errorMessage": f"exited with {done.returncode}"},
                }
            )
        invocation = Invocation(result["payload"], not result["ok"], time.monotonic() - start, log, result["modules"])
        self.invocations.append((fn, invocation))
        (io_dir / "log.txt").write_text(log, encoding="utf-8")
        return invocation

    def compiled_findings(self) -> tuple[list[CompiledModule], list[CompiledModule]]:
        """(every compiled module of the invoked packages, those the rehearsal could not run as the runtime would)."""
        compiled: list[CompiledModule] = []
        bad: list[CompiledModule] = []
        seen: set[Path] = set()
        for fn, inv in self.invocations:
            root = self.task_root(fn)
            found = compiled_modules(root)
            if root not in seen:
                compiled += found
                seen.add(root)
            bad += [c for c in unrehearsed(found, inv.modules) if c not in bad]
        return compiled, bad
