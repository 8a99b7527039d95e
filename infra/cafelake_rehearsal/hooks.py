"""Where the rehearsal takes over from moto, each at the narrowest point, and what each stands in for.

moto keeps the state of every service and its Step Functions interpreter walks the synthesized
definition; these hooks replace only what moto fakes or cannot do here (patched -> stands in for).
Two more stand-ins live in their own modules: S3's region check on the moto server (`s3_region`)
and the CDK Provider framework's onEvent function, which CloudFormation calls (`custom_resources`).

- `LambdaFunction._invoke_lambda` (moto would start Docker) -> the Lambda runtime: the function's
  package run by `LambdaRuntime`.
- `FakeJob.start_job_run`, `FakeJobRun.as_dict` -> a Glue job run: `GlueRunner` runs it to the end;
  the run reports SUCCEEDED, FAILED or TIMEOUT, its ErrorMessage and its ExecutionTime.
- `FakeCrawler.start_crawler`, `FakeCrawler.as_dict` -> a crawl: RUNNING for the first GetCrawler
  after the start, then READY with `LastCrawl.Status` SUCCEEDED, or FAILED with an ErrorMessage
  (`Crawls.fail_next`, or an S3 target that does not exist).
- `WaitFunction._wait_interval`, and the `time` a Retry's interval sleeps on -> time: a Wait state
  or a retry interval is recorded with its seconds (`Services.waits`, `Services.retry_waits`) and
  takes none.
- `StepFunctionsParserBackend.start_execution` -> StartExecution without a name: Step Functions names
  the execution with a UUID; moto names it "None" and refuses the next such start as already existing
  (the deploy's handler and `cafelake aws smoke` start executions without names).
- `ExecutionWorker._get_evaluation_environment` -> the context object: `$$.Execution.StartTime` is
  ISO-8601 text, as Step Functions gives it (moto hands over a datetime, which
  `States.StringSplit` cannot split).
- `state_task_factory.state_task_service_for` -> the `athena:startQueryExecution.sync` integration
  (on moto's unsupported list): `AthenaStandIn`; the `.sync` pattern of Glue and Athena without
  the moto 5.2.5 defect below; and an `aws-sdk:*` task's timestamps as ISO-8601 text (moto leaves
  Python datetimes, which its own DescribeExecution then cannot serialise).

moto 5.2.5's `.sync` evaluation ends by calling `interrupt_all()` on a callback endpoint that
exists only for services that also support `.waitForTaskToken`, so any Glue `startJobRun.sync`
fails with "'NoneType' object has no attribute 'interrupt_all'". `_SyncTask` evaluates `.sync`
the same way without that clean-up (nothing to interrupt) for the services the template uses.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from unittest import mock

from moto.awslambda.models import LambdaFunction
from moto.glue.exceptions import CrawlerRunningException
from moto.glue.models import FakeCrawler, FakeJob, FakeJobRun
from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import StatesErrorNameType
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task_factory
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import ResourceCondition
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (
    StateTaskServiceAwsSdk,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (
    StateTaskServiceCallback,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_glue import (
    StateTaskServiceGlue,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

from .athena import AthenaStandIn
from .glue import GlueRunner, JobRun, RunResult
from .lambda_runtime import Function, LambdaRuntime

ATHENA_PARAMETERS = {
    "startqueryexecution": {
        "QueryString",
        "ClientRequestToken",
        "QueryExecutionContext",
        "ResultConfiguration",
        "WorkGroup",
        "ExecutionParameters",
        "ResultReuseConfiguration",
    }
}


@dataclass
class Crawl:
    start_time: datetime
    status: str  # RUNNING, then SUCCEEDED or FAILED
    outcome: str
    error: str | None
    polls_left: int


@dataclass
class Crawls:
    """The crawlers' runs. A crawl checks that its S3 targets exist (the rehearsal cannot infer raw
    tables, and nothing downstream reads them: the jobs read S3, the zone tables are declared)."""

    s3: Any
    polls: int = 1
    runs: dict[str, list[Crawl]] = field(default_factory=dict)
    _fail: str | None = None

    def fail_next(self, message: str) -> None:
        """The next crawl ends FAILED with this ErrorMessage (as a crawl with a broken classifier would)."""
        self._fail = message

    def start(self, crawler: FakeCrawler) -> None:
        crawls = self.runs.setdefault(crawler.name, [])
        if crawls and crawls[-1].status == "RUNNING":
            raise CrawlerRunningException(f"Crawler with name {crawler.name} has already started")
        error, self._fail = self._fail, None
        for target in crawler.targets.get("S3Targets", []):
            bucket = target["Path"].removeprefix("s3://").split("/", 1)[0]
            try:
                self.s3.head_bucket(Bucket=bucket)
            except self.s3.exceptions.ClientError:
                error = error or f"S3 target {target['Path']} does not exist"
        crawls.append(Crawl(datetime.now(UTC), "RUNNING", "FAILED" if error else "SUCCEEDED", error, self.polls))

    def describe(self, name: str) -> tuple[str, dict | None]:
        """(State, LastCrawl) as GetCrawler answers them; each look at a running crawl moves it on."""
        crawls = self.runs.get(name, [])
        if not crawls:
            return "READY", None
        crawl = crawls[-1]
        if crawl.status == "RUNNING":
            if crawl.polls_left > 0:
                crawl.polls_left -= 1
                return "RUNNING", None if len(crawls) == 1 else self._last(crawls[-2], name)
            crawl.status = crawl.outcome
        return "READY", self._last(crawl, name)

    @staticmethod
    def _last(crawl: Crawl, name: str) -> dict:
        last = {
            "Status": crawl.status,
            "StartTime": crawl.start_time,
            "LogGroup": "/aws-glue/crawlers",
            "LogStream": name,
            "MessagePrefix": f"rehearsal-{crawl.start_time:%H%M%S%f}",
        }
        if crawl.error:
            last["ErrorMessage"] = crawl.error
        return last


@dataclass
class Services:
    glue: GlueRunner
    lambdas: LambdaRuntime
    athena: AthenaStandIn
    crawls: Crawls
    waits: list[int] = field(default_factory=list)
    retry_waits: list[float] = field(default_factory=list)
    job_runs: dict[str, tuple[JobRun, RunResult]] = field(default_factory=dict)


class _SyncTask(StateTaskServiceCallback):
    """`.sync` as moto evaluates it, minus the clean-up of a callback endpoint that was never made."""

    def _eval_integration_pattern(
        self, env: Any, resource_runtime_part: Any, normalised_parameters: dict, state_credentials: Any
    ) -> None:
        if (
            self.resource.condition != ResourceCondition.Sync
            or ResourceCondition.WaitForTaskToken in self._supported_integration_patterns
        ):
            return super()._eval_integration_pattern(
                env, resource_runtime_part, normalised_parameters, state_credentials
            )
        self.timeout.eval(env=env)
        timeout_seconds = env.stack.pop()
        resolver = self._build_sync_resolver(
            env=env,
            resource_runtime_part=resource_runtime_part,
            normalised_parameters=normalised_parameters,
            state_credentials=state_credentials,
        )
        outcome = self._eval_sync(
            env=env,
            timeout_seconds=timeout_seconds,
            callback_endpoint=None,
            heartbeat_endpoint=None,
            sync_resolver=resolver,
        )
        env.stack.append(iso_timestamps(outcome))  # a job run's StartedOn, ...: see iso_timestamps
        return None


class GlueTask(_SyncTask, StateTaskServiceGlue):
    pass


def iso_timestamps(value: Any) -> Any:
    """Every datetime in a response as ISO-8601 UTC text (`2026-12-07T19:05:42.826Z`), which is how Step
    Functions hands an aws-sdk task's timestamps to the next state. For an optimised integration's
    output (a Glue run's `StartedOn`) its exact form is not rehearsed: the state machine reads only the
    run's Id, state and ExecutionTime."""
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo else value
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    if isinstance(value, dict):
        return {k: iso_timestamps(v) for k, v in value.items()}
    if isinstance(value, list):
        return [iso_timestamps(v) for v in value]
    return value


class AwsSdkTask(StateTaskServiceAwsSdk):
    def _eval_service_task(
        self, env: Any, resource_runtime_part: Any, normalised_parameters: dict, state_credentials: Any
    ) -> None:
        super()._eval_service_task(env, resource_runtime_part, normalised_parameters, state_credentials)
        env.stack.append(iso_timestamps(env.stack.pop()))


class AthenaTask(_SyncTask):
    """The Athena integration, `startQueryExecution` and its `.sync`, on `AthenaStandIn`."""

    standin: AthenaStandIn

    def __init__(self) -> None:
        super().__init__(supported_integration_patterns={ResourceCondition.Sync})

    def _get_supported_parameters(self) -> set[str] | None:
        return ATHENA_PARAMETERS.get(self.resource.api_action.lower())

    def _eval_service_task(
        self, env: Any, resource_runtime_part: Any, normalised_parameters: dict, state_credentials: Any
    ) -> None:
        env.stack.append({"QueryExecutionId": self.standin.start(normalised_parameters)})

    def _build_sync_resolver(
        self, env: Any, resource_runtime_part: Any, normalised_parameters: dict, state_credentials: Any
    ) -> Any:
        qid = env.stack.pop()["QueryExecutionId"]

        def resolve() -> dict:
            execution = self.standin.get(qid)
            if execution["Status"]["State"] == "SUCCEEDED":
                return {"QueryExecution": execution}
            raise FailureEventException(
                FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=StatesErrorNameType.StatesTaskFailed),
                    event_type=HistoryEventType.TaskFailed,
                    event_details=EventDetails(
                        taskFailedEventDetails=TaskFailedEventDetails(
                            resource=self._get_sfn_resource(),
                            resourceType=self._get_sfn_resource_type(),
                            error=StatesErrorNameType.StatesTaskFailed.to_name(),
                            cause=to_json_str({"QueryExecution": execution}),
                        )
                    ),
                )
            )

        return resolve


@contextmanager
def installed(services: Services) -> Iterator[Services]:
    """The hooks of the module docstring, for the duration of the block."""
    original_service_for = state_task_factory.state_task_service_for
    original_start_job_run = FakeJob.start_job_run
    original_run_as_dict = FakeJobRun.as_dict
    original_crawler_as_dict = FakeCrawler.as_dict
    original_environment = ExecutionWorker._get_evaluation_environment
    original_start_execution = StepFunctionsParserBackend.start_execution

    def start_execution(
        backend: StepFunctionsParserBackend,
        state_machine_arn: str,
        name: str | None = None,
        execution_input: str | None = None,
        trace_header: str | None = None,
    ) -> Any:
        return original_start_execution(
            backend, state_machine_arn, name or str(uuid.uuid4()), execution_input, trace_header
        )

    def evaluation_environment(worker: ExecutionWorker) -> Any:
        env = original_environment(worker)
        execution = env.states.context_object.context_object_data["Execution"]
        execution["StartTime"] = iso_timestamps(execution["StartTime"])
        return env

    def service_for(service_name: str) -> Any:
        if service_name == "athena":
            task = AthenaTask()
            task.standin = services.athena
            return task
        if service_name == "glue":
            return GlueTask()
        if service_name == "aws-sdk":
            return AwsSdkTask()
        return original_service_for(service_name)

    def invoke_lambda(fn: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
        function = Function(
            name=fn.function_name,
            arn=fn.function_arn,
            handler=fn.handler,
            runtime=fn.run_time,
            code=fn.code_bytes,
            environment=dict(fn.environment_vars or {}),
            timeout=int(fn.timeout),
            memory=int(fn.memory_size),
        )
        done = services.lambdas.invoke(function, event if event is not None else {})
        return json.dumps(done.payload), done.error, done.log

    def start_job_run(job: FakeJob, **kwargs: Any) -> str:
        run_id = original_start_job_run(job, **kwargs)
        fake = next(r for r in job.job_runs if r.job_run_id == run_id)
        run = JobRun(
            job_name=job.name,
            run_id=run_id,
            script_location=job.command["ScriptLocation"],
            arguments=dict(fake.arguments or {}),
            glue_version=job.glue_version,
            timeout_minutes=fake.timeout,
        )
        result = services.glue.run(run)
        fake.status = result.state
        services.job_runs[run_id] = (run, result)
        return run_id

    def job_run_as_dict(run: FakeJobRun) -> dict:
        data = original_run_as_dict(run)
        if run.job_run_id in services.job_runs:
            job, result = services.job_runs[run.job_run_id]
            data.update(ExecutionTime=max(1, round(result.seconds)), GlueVersion=job.glue_version)
            if result.error:
                data["ErrorMessage"] = result.error
        return data

    def crawler_as_dict(crawler: FakeCrawler) -> dict:
        data = original_crawler_as_dict(crawler)
        data["State"], last = services.crawls.describe(crawler.name)
        data.pop("LastCrawl", None)
        if last:
            data["LastCrawl"] = last
        return data

    with ExitStack() as stack:
        for target, name, value in (
            (state_task_factory, "state_task_service_for", service_for),
            (LambdaFunction, "_invoke_lambda", invoke_lambda),
            (FakeJob, "start_job_run", start_job_run),
            (FakeJobRun, "as_dict", job_run_as_dict),
            (FakeCrawler, "start_crawler", lambda crawler: services.crawls.start(crawler)),
            (FakeCrawler, "as_dict", crawler_as_dict),
            (ExecutionWorker, "_get_evaluation_environment", evaluation_environment),
            (StepFunctionsParserBackend, "start_execution", start_execution),
            (retrier_decl, "time", SimpleNamespace(sleep=services.retry_waits.append)),
            (WaitFunction, "_wait_interval", lambda _self, env, wait_seconds: services.waits.append(wait_seconds)),
        ):
            stack.enter_context(mock.patch.object(target, name, value))
        yield services
