"""The synthesized state machine executed by moto's Step Functions interpreter (not read, run).

The definition is taken from the template as CloudFormation would create it (intrinsics resolved
to the moto resources created here); moto's interpreter walks it. The scraper Lambda is answered by
moto's Docker-free Lambda (it echoes its event: nothing more to fetch); the crawler is moto's, whose
crawl is made to end as the test says (moto's own names: FAILED, or COMPLETED for a success).
"""

from __future__ import annotations

import io
import json
import time
import zipfile

import boto3
import pytest
from infra_helpers import BOARDS, resolve
from moto import mock_aws
from moto.moto_api import state_manager

CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


@pytest.fixture
def pipeline(synth, monkeypatch):
    """The pipeline state machine in moto with the resources its tasks name: (its ARN, the crawl outcome to
    set, the messages the alarm topic delivered)."""
    from moto.glue.models import FakeCrawl
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

    outcome = {"status": "COMPLETED"}
    original = FakeCrawl.__init__

    def crawl(self, crawler_name):  # a crawl that ends at once, as the test decides
        original(self, crawler_name)
        self._transitions = [("RUNNING", outcome["status"])]

    monkeypatch.setattr(FakeCrawl, "__init__", crawl)
    monkeypatch.setattr(WaitFunction, "_wait_interval", lambda self, env, wait_seconds: None)  # no 30 s polls
    with mock_aws(config=CONFIG):
        state_manager.set_transition("glue::crawl", {"progression": "immediate"})
        role = boto3.client("iam").create_role(RoleName="pipeline", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        refs: dict[str, str] = {}
        for logical_id in synth.resources("AWS::Lambda::Function"):
            refs[f"{logical_id}.Arn"] = boto3.client("lambda").create_function(
                FunctionName=logical_id,
                Runtime="python3.12",
                Role=role,
                Handler="handler.handler",
                Code={"ZipFile": _zip()},
            )["FunctionArn"]
        queue = boto3.client("sqs").create_queue(QueueName="alarm-mail")["QueueUrl"]
        queue_arn = boto3.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
        for logical_id in synth.resources("AWS::SNS::Topic"):  # the alarm topic, read through a queue
            refs[logical_id] = boto3.client("sns").create_topic(Name=logical_id)["TopicArn"]
            boto3.client("sns").subscribe(
                TopicArn=refs[logical_id],
                Protocol="sqs",
                ReturnSubscriptionArn=True,
                Endpoint=queue_arn["Attributes"]["QueueArn"],
                Attributes={"RawMessageDelivery": "true"},
            )
        for logical_id in synth.raw["Resources"]:
            refs.setdefault(logical_id, logical_id.lower())  # bucket names and the like: any name will do
        crawler = synth.one("AWS::Glue::Crawler")["Properties"]
        boto3.client("glue").create_crawler(
            Name=crawler["Name"], Role=role, DatabaseName="cafelake", Targets={"S3Targets": [{"Path": "s3://raw/"}]}
        )
        sm = synth.one("AWS::StepFunctions::StateMachine")["Properties"]
        arn = boto3.client("stepfunctions").create_state_machine(
            name="pipeline", roleArn=role, definition=resolve(sm["DefinitionString"], refs)
        )["stateMachineArn"]
        yield arn, outcome, lambda: _received(queue)


def _run(arn: str, payload: dict, *, until: str | None = None) -> tuple[dict, list[dict]]:
    """Start an execution and wait until it ends, or (then stop it) until it enters the state `until`."""
    sfn = boto3.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
    deadline = time.monotonic() + 60
    while (done := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        if until and until in _entered(sfn.get_execution_history(executionArn=execution)["events"]):
            sfn.stop_execution(executionArn=execution)
            break
        assert time.monotonic() < deadline, "the execution did not end"
        time.sleep(0.2)
    return done, sfn.get_execution_history(executionArn=execution)["events"]


def _entered(events: list[dict]) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def _received(queue: str) -> list[dict]:
    """The messages the alarm topic delivered (what its e-mail subscriber would read)."""
    got = boto3.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in got]


def test_a_failed_crawl_fails_the_execution_through_the_notice_and_never_reaches_cleanse(pipeline):
    arn, outcome, received = pipeline
    outcome["status"] = "FAILED"
    done, events = _run(arn, {"board": BOARDS[0]["name"]})
    entered = _entered(events)
    assert done["status"] == "FAILED" and done["error"] == "PipelineFailed"
    assert "Crawl raw" in entered and "Cleanse" not in entered
    assert entered[-2:] == ["Notify failure", "Failed"]
    (notice,) = received()
    assert notice["error"] == {"Error": "Glue.CrawlFailed", "Cause": "crawler cafelake-raw ended its last crawl FAILED"}


def test_a_successful_crawl_goes_on_to_cleanse(pipeline):
    """The control: the same execution with a crawl that succeeds goes on to the cleanse job (and is
    stopped there: moto has no such job to run)."""
    arn, outcome, received = pipeline
    outcome["status"] = "COMPLETED"
    _, events = _run(arn, {"board": BOARDS[0]["name"]}, until="Cleanse")
    entered = _entered(events)
    assert entered.index("Crawl raw") < entered.index("Cleanse")
    assert "Crawl failed" not in entered
    assert not [n for n in received() if n["error"]["Error"] == "Glue.CrawlFailed"]
