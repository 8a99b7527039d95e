"""One rehearsed deployment of a cloud assembly, and its runs.

`Rehearsal` is a local AWS account: moto's backends served on 127.0.0.1 (for the Glue and Lambda
processes, behind S3's region check: `s3_region`) and in this process (for moto's Step Functions
interpreter, with state machines executed), with the hooks of `hooks.py` running Lambda, Glue, the
crawler and Athena as AWS would. `deploy()` does what `cdk deploy` does: publishes the assets to
the bootstrap bucket and creates the resources in dependency order, the custom resource through
its provider (`custom_resources`: our handler starts the views-only execution and waits for it).
A scheduled run starts an execution with the input the board's EventBridge schedule sends.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from moto.server import ThreadedMotoServer
from moto.sns.models import sns_backends

from cafelake.lake import Lake

from .assembly import Assembly
from .assets import Published, publish
from .athena import AthenaStandIn
from .custom_resources import ProviderFramework
from .environments import Environments
from .glue import GlueRunner
from .hooks import Crawls, Services, installed
from .intrinsics import Resolver
from .lambda_runtime import LambdaRuntime
from .provision import Provisioned, Provisioner
from .s3_region import RegionCheck
from .s3_region import install as install_region_check

ACCOUNT = "123456789012"  # moto's account
REGION = "ap-northeast-2"  # Seoul, the docs' suggestion (and not us-east-1, every SDK's and pyarrow's fallback)
# The functions' and jobs' credentials: in AWS their roles' (the Lambda runtime sets these variables; a Glue
# job's environment has none, its SDKs ask the metadata service), here any, since moto checks none.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "rehearsal", "AWS_SECRET_ACCESS_KEY": "rehearsal", "AWS_SESSION_TOKEN": "rehearsal"}
BOOTSTRAP_QUALIFIER = "hnb659fds"  # the CDK's default, which the synthesizer's asset bucket names
TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Execution:
    arn: str
    status: str
    input: dict
    output: Any
    error: str | None
    cause: str | None
    history: list[dict]
    seconds: float

    def entered(self) -> list[str]:
        """The names of the states entered, in order."""
        return [e["stateEnteredEventDetails"]["name"] for e in self.history if "stateEnteredEventDetails" in e]


@dataclass
class Rehearsal:
    assembly: Assembly
    workdir: Path
    envs: Environments
    naver_base_url: str
    account: str = ACCOUNT
    region: str = REGION
    seed: int = 0
    # The one setting the rehearsal adds to the scraper's environment: a real run asks at most once a
    # second (the default); the rehearsal's board is served on loopback.
    scraper_rate_limit: str = "0"
    published: list[Published] = field(default_factory=list)
    provisioned: Provisioned | None = None
    framework: ProviderFramework | None = None
    region_check: RegionCheck | None = None
    timings: dict[str, float] = field(default_factory=dict)

    # --- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> Rehearsal:
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._mock.start()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
        self._server.start()
        self.region_check = install_region_check(self._server, self.account)
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self.resolver = Resolver(
            self.assembly.template,
            account=self.account,
            region=self.region,
            stack_name=self.assembly.stack,
            seed=self.seed,
        )
        # What the rehearsal adds to every function's and job's environment: the local AWS.
        env = {**CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint, "CAFELAKE_S3_ENDPOINT": self.endpoint}
        self.services = Services(
            glue=GlueRunner(
                self.envs, self.client("s3"), workdir=self.workdir / "glue", environment=env, region=self.region
            ),
            lambdas=LambdaRuntime(
                self.envs,
                workdir=self.workdir / "lambda",
                environment={
                    **env,
                    "CAFELAKE_NAVER_BASE_URL": self.naver_base_url,
                    "CAFELAKE_RATE_LIMIT": self.scraper_rate_limit,
                },
            ),
            athena=AthenaStandIn(
                self.client("glue"), self.client("athena"), self.client("s3"), self.endpoint, self.region
            ),
            crawls=Crawls(self.client("s3")),
        )
        self._hooks = installed(self.services)
        self._hooks.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._hooks.__exit__(*exc)
        self._server.stop()
        self._mock.stop()

    def client(self, service: str) -> Any:
        """A client of the rehearsal's account (served in this process)."""
        return boto3.client(
            service, region_name=self.region, aws_access_key_id="rehearsal", aws_secret_access_key="rehearsal"
        )

    # --- deploy ---------------------------------------------------------------------------
    def deploy(self) -> None:
        start = time.monotonic()
        s3 = self.client("s3")
        s3.create_bucket(
            Bucket=f"cdk-{BOOTSTRAP_QUALIFIER}-assets-{self.account}-{self.region}",
            CreateBucketConfiguration={"LocationConstraint": self.region},
        )  # what `cdk bootstrap` makes
        self.published = publish(self.assembly, s3, account=self.account, region=self.region)
        self.timings["publish assets"] = time.monotonic() - start
        start = time.monotonic()
        self.framework = ProviderFramework(self.resolver, self.client("lambda"))
        custom_seconds = 0.0

        def custom(lid: str, rtype: str, properties: dict) -> tuple[str, dict[str, str]]:
            nonlocal custom_seconds
            began = time.monotonic()
            try:
                return self.framework.create(lid, rtype, properties)
            finally:
                custom_seconds += time.monotonic() - began

        self.provisioned = Provisioner(self.resolver, self.client, seed=self.seed, custom=custom).create_all()
        self.timings["create resources"] = time.monotonic() - start - custom_seconds
        self.timings["custom resource: views on deploy (started, waited for)"] = custom_seconds

    # --- what the template says -------------------------------------------------------------
    def properties(self, rtype: str, name: str | None = None) -> dict:
        """The resolved properties of the one resource of this type (with this name)."""
        found = [self.resolver.resolve(r["Properties"]) for r in self.resolver.of_type(rtype).values()]
        if name is not None:
            found = [p for p in found if name in (p.get("Name"), p.get("StateMachineName"))]
        if len(found) != 1:
            raise LookupError(f"{len(found)} resources of type {rtype} named {name!r}")
        return found[0]

    def schedule(self, board: str) -> tuple[str, dict]:
        """(target ARN, input) of the board's EventBridge schedule."""
        for res in self.resolver.of_type("AWS::Scheduler::Schedule").values():
            target = self.resolver.resolve(res["Properties"]["Target"])
            payload = json.loads(target["Input"])
            if payload.get("board") == board:
                return target["Arn"], payload
        raise LookupError(f"no schedule for board {board!r}")

    def scraper(self, board: str) -> dict:
        """The resolved properties of the function the state machine invokes to scrape this board."""
        definition = json.loads(self.properties("AWS::StepFunctions::StateMachine")["DefinitionString"])
        (arn,) = {
            s["Parameters"]["FunctionName"]
            for s in definition["States"].values()
            if s.get("Parameters", {}).get("Payload", {}).get("name") == board
        }
        (lid,) = (
            lid
            for lid in self.resolver.of_type("AWS::Lambda::Function")
            if arn in (self.resolver.get_att(lid, "Arn"), self.resolver.ref(lid))
        )
        return self.resolver.resolve(self.resolver.resources[lid]["Properties"])

    def job_argument(self, job: str, name: str) -> str:
        return self.properties("AWS::Glue::Job", job)["DefaultArguments"][name]

    def lake(self) -> Lake:
        """The lake as the jobs see it: the zone buckets of their arguments."""
        roots = {z: self.job_argument("cafelake-tokenize", f"--{z}_uri") for z in ("raw", "cleansed", "tokenized")}
        return Lake(root=roots["tokenized"], zone_roots=roots, endpoint_url=self.endpoint, region=self.region)

    def secret_value(self, arn: str) -> str:
        return self.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]

    # --- runs -------------------------------------------------------------------------------
    def run_schedule(self, board: str, timeout: float = 900) -> Execution:
        """Start the execution the board's schedule starts, and wait for its end."""
        arn, payload = self.schedule(board)
        return self.wait(self._start_execution(stateMachineArn=arn, input=json.dumps(payload)), timeout)

    def state_machine_arn(self) -> str:
        (lid,) = self.resolver.of_type("AWS::StepFunctions::StateMachine")
        return self.resolver.ref(lid)

    def start(self, payload: dict) -> str:
        """Start an execution by hand, as `aws stepfunctions start-execution` would."""
        return self._start_execution(stateMachineArn=self.state_machine_arn(), input=json.dumps(payload))

    def _start_execution(self, **params: Any) -> str:
        return self.client("stepfunctions").start_execution(**params)["executionArn"]

    def wait(self, execution_arn: str, timeout: float = 900) -> Execution:
        sfn = self.client("stepfunctions")
        start = time.monotonic()
        while True:
            desc = sfn.describe_execution(executionArn=execution_arn)
            if desc["status"] in TERMINAL:
                break
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"{execution_arn} still {desc['status']} after {timeout} s")
            time.sleep(0.2)
        history = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
        return Execution(
            execution_arn,
            desc["status"],
            json.loads(desc["input"]),
            json.loads(desc["output"]) if desc.get("output") else None,
            desc.get("error"),
            desc.get("cause"),
            history,
            time.monotonic() - start,
        )

    def notifications(self, topic_arn: str) -> list[dict]:
        """What the topic published (moto keeps every message), oldest first."""
        topic = sns_backends[self.account][self.region].topics[topic_arn]
        return [{"id": mid, "message": msg, "subject": subject} for mid, msg, subject, *_ in topic.sent_notifications]

    def topic_arn(self) -> str:
        (lid,) = self.resolver.of_type("AWS::SNS::Topic")
        return self.resolver.ref(lid)
