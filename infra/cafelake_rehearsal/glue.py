"""A Glue job run, run as Glue 5.0 runs it: its modules installed by pip, its script from S3.

What Glue documents ("Using Python libraries with AWS Glue") and this follows:
- The job's Python is 3.11 and already holds Glue's own modules (`glue5_provided.txt`: the
  versions of the docs' "Python modules already provided" table that matter here), nothing of the
  project.
- Every entry of `--additional-python-modules` is installed with pip at the job's start, with the
  job's `--python-modules-installer-option` passed to pip. An S3 object is downloaded and handed to
  pip under its key's name (so pip sees `<sha256>.whl` if that is the key); a "zip of wheels"
  (`*.gluewheels.zip`, Glue 5.0) is unpacked and its `wheels/requirements.txt` installed from the
  wheels beside it; anything else is a requirement (`name==version`). How Glue words the pip call
  is not documented; this is the reading of the documented behaviour.
- The script is fetched from `ScriptLocation` and run as a file under its key's name (its folder is
  then first on `sys.path`, so a script named like a standard-library module shadows it), with
  the job's arguments (DefaultArguments overridden by the run's) plus Glue's own (`--JOB_ID`,
  `--JOB_RUN_ID`, `--JOB_NAME`). A non-zero exit is a FAILED run.

- The job's region is in its environment as `AWS_DEFAULT_REGION`, and `AWS_REGION` is not set:
  Glue documents neither, but a Glue job's `os.environ` as printed by a job (Glue 3.0) holds
  `AWS_DEFAULT_REGION` and no `AWS_REGION`, and the lineage settings SageMaker Unified Studio's
  tooling gives Glue >= 5.0 jobs capture `AWS_DEFAULT_REGION` beside Glue's own variables
  (`GLUE_VERSION`, `GLUE_COMMAND_CRITERIA`, ...). See docs/deploy.md, section 8, "Region".

What the rehearsal adds: the local AWS (`AWS_ENDPOINT_URL`, `CAFELAKE_S3_ENDPOINT`, credentials)
in the job's environment, and no network for pip: the machine's pip configuration is ignored and
any index points at a closed local port, so a job that needed an index fails as it would without
internet. The installed environment is cached by its inputs (see environments.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .environments import EnvironmentBuildFailed, Environments, digest, python

GLUE_VERSION = "5.0"
PROVIDED = Path(__file__).with_name("glue5_provided.txt")
ZIP_OF_WHEELS = ".gluewheels.zip"
NO_INDEX_URL = "http://127.0.0.1:9/simple"  # nothing listens there: an index lookup fails fast
MODULES = "--additional-python-modules"
INSTALLER_OPTION = "--python-modules-installer-option"


@dataclass(frozen=True)
class JobRun:
    job_name: str
    run_id: str
    script_location: str
    arguments: Mapping[str, str]  # DefaultArguments overridden by the run's Arguments
    glue_version: str
    timeout_minutes: int | None = None


@dataclass(frozen=True)
class RunResult:
    state: str  # SUCCEEDED | FAILED | TIMEOUT
    seconds: float
    error: str | None
    log: Path
    install_seconds: float = 0.0
    environment: Path | None = None  # the Python the script ran in


def split_s3(url: str) -> tuple[str, str]:
    if not url.startswith("s3://"):
        raise ValueError(f"not an s3:// URL: {url!r}")
    bucket, _, key = url[len("s3://") :].partition("/")
    return bucket, key


def glue_argv(run: JobRun) -> list[str]:
    """What the script gets after its own name: Glue's arguments, then the job's."""
    argv = [
        "--JOB_ID",
        f"j_{hashlib.sha256(run.job_name.encode()).hexdigest()[:16]}",
        "--JOB_RUN_ID",
        run.run_id,
        "--JOB_NAME",
        run.job_name,
    ]
    for name, value in sorted(run.arguments.items()):
        argv += [name, value]
    return argv


class GlueRunner:
    def __init__(
        self, envs: Environments, s3: Any, *, workdir: Path, environment: Mapping[str, str], region: str
    ) -> None:
        self.envs, self.s3, self.workdir, self.region = envs, s3, workdir, region
        self.environment = dict(environment)  # what the rehearsal adds to the job's environment (endpoint, credentials)

    def _download(self, url: str, folder: Path) -> Path:
        bucket, key = split_s3(url)
        path = folder / key.rsplit("/", 1)[-1]
        folder.mkdir(parents=True, exist_ok=True)
        self.s3.download_file(bucket, key, str(path))
        return path

    def pip_arguments(self, modules: str, folder: Path) -> tuple[list[str], list[str]]:
        """(pip's arguments, the inputs' fingerprints) for a --additional-python-modules value."""
        args, inputs = [], []
        for entry in (e.strip() for e in modules.split(",") if e.strip()):
            if not entry.startswith("s3://"):
                args.append(entry)
                inputs.append(entry)
                continue
            path = self._download(entry, folder)
            inputs.append(f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()}")
            if path.name.endswith(ZIP_OF_WHEELS):
                unpacked = folder / path.name.removesuffix(".zip")
                with zipfile.ZipFile(path) as zf:
                    zf.extractall(unpacked)
                args += ["-r", str(unpacked / "wheels" / "requirements.txt"), "--find-links", str(unpacked / "wheels")]
            else:
                args.append(str(path))
        return args, inputs

    def environment_for(self, run: JobRun, folder: Path) -> Path:
        """Glue 5.0's Python plus the job's modules, installed as Glue installs them."""
        base = self.envs.base("glue5", PROVIDED)
        modules = run.arguments.get(MODULES, "")
        if not modules:
            return base
        options = shlex.split(run.arguments.get(INSTALLER_OPTION, ""))
        pip_args, inputs = self.pip_arguments(modules, folder / "modules")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        env.update(
            PIP_CONFIG_FILE=os.devnull,
            PIP_INDEX_URL=NO_INDEX_URL,
            PIP_NO_CACHE_DIR="1",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            PIP_RETRIES="0",
            PIP_TIMEOUT="5",
        )

        def install(target: Path) -> None:
            cmd = [str(python(target)), "-m", "pip", "install", *pip_args, *options]
            done = subprocess.run(cmd, capture_output=True, text=True, env=env)
            (folder / "pip.log").write_text(f"$ {shlex.join(cmd)}\n{done.stdout}\n{done.stderr}")
            if done.returncode != 0:
                raise EnvironmentBuildFailed(
                    "LAUNCH ERROR | Python Module Installer indicates modules that failed to install: "
                    + (done.stderr.strip().splitlines() or ["(no output)"])[-1]
                )

        return self.envs.derived(base, f"glue5-{run.job_name}", digest(*inputs, shlex.join(options)), install)

    def run(self, run: JobRun) -> RunResult:
        folder = self.workdir / run.run_id
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / "output.log"
        if run.glue_version != GLUE_VERSION:
            log.write_text(f"rehearsed Glue version is {GLUE_VERSION}, the job asks for {run.glue_version}\n")
            return RunResult("FAILED", 0.0, f"GlueVersion {run.glue_version} is not rehearsed", log)
        start = time.monotonic()
        try:
            env_dir = self.environment_for(run, folder)
        except EnvironmentBuildFailed as err:
            log.write_text(str(err))
            return RunResult("FAILED", time.monotonic() - start, str(err), log, time.monotonic() - start)
        installed = time.monotonic() - start
        script = self._download(run.script_location, folder / "script")
        process_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            "LANG": "C.UTF-8",
            "AWS_DEFAULT_REGION": self.region,
            "PYSPARK_PYTHON": str(python(env_dir)),
            "SPARK_LOCAL_IP": "127.0.0.1",
            **({"JAVA_HOME": os.environ["JAVA_HOME"]} if "JAVA_HOME" in os.environ else {}),
            **self.environment,
        }
        timeout = 60 * run.timeout_minutes if run.timeout_minutes else None
        cmd = [str(python(env_dir)), "-s", str(script), *glue_argv(run)]
        try:
            done = subprocess.run(
                cmd, cwd=script.parent, env=process_env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            log.write_text(f"$ {shlex.join(cmd)}\ntimed out after {timeout} s\n")
            return RunResult(
                "TIMEOUT", time.monotonic() - start, f"Job run timed out after {timeout} s", log, installed, env_dir
            )
        log.write_text(f"$ {shlex.join(cmd)}\n{done.stdout}\n{done.stderr}")
        if done.returncode == 0:
            return RunResult("SUCCEEDED", time.monotonic() - start, None, log, installed, env_dir)
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return RunResult("FAILED", time.monotonic() - start, last, log, installed, env_dir)

    @staticmethod
    def versions(env_dir: Path | None, names: tuple[str, ...]) -> dict[str, str]:
        """The installed versions of these distributions in a job's environment."""
        if env_dir is None:
            return {}
        code = "import importlib.metadata as m, json, sys; print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))"
        done = subprocess.run(
            [str(python(env_dir)), "-s", "-c", code, *names], capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout)
