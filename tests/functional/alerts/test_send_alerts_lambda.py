"""The alert Lambda's cloud path on moto: Athena's CSV result in S3, the ledger in the tokenized bucket, the topic."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from moto.sns.models import sns_backends

from cafelake.errors import UsageError

HANDLER = Path(__file__).resolve().parents[3] / "lambdas" / "alerts" / "send_alerts.py"
CSV = (
    '"week_start","group_name","display_name","posts","expected","score","example_urls"\n'
    '"2026-06-08","hand_foot","수족구","50","22.797218","4.503259",'
    '"https://cafe.naver.com/1/11 https://cafe.naver.com/1/12 https://cafe.naver.com/1/13"\n'
)


@pytest.fixture
def cloud(monkeypatch):
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for bucket in ("results", "tokenized"):
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket="results", Key="results/q1.csv", Body=CSV.encode())
        s3.put_object(Bucket="results", Key="results/q2.csv", Body=CSV.splitlines(keepends=True)[0].encode())
        topic = boto3.client("sns", region_name="us-east-1").create_topic(Name="alarms")["TopicArn"]
        monkeypatch.setenv("CAFELAKE_TOKENIZED_URI", "s3://tokenized")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        spec = importlib.util.spec_from_file_location("send_alerts", HANDLER)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module.handler, topic


def _published(topic: str) -> list[tuple[str, str]]:
    sent = sns_backends["123456789012"]["us-east-1"].topics[topic].sent_notifications
    return [(subject, message) for _, message, subject, *_ in sent]


def test_a_rising_group_is_published_once_over_two_invocations(cloud):
    handler, topic = cloud
    event = {"results": "s3://results/results/q1.csv", "topic": topic}
    assert handler(event, None) == {"rising": 1, "sent": ["hand_foot@2026-06-08"]}
    assert handler(event, None) == {"rising": 1, "sent": []}
    ((subject, message),) = _published(topic)
    assert subject == "[cafelake] 급상승 수족구 / rising: hand_foot (2026-W24)"
    assert "기대값 22.8건" in message and "expected 22.8" in message and "https://cafe.naver.com/1/13" in message
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="tokenized")["Contents"]]
    assert keys == ["_alerts/2026-06-08/hand_foot.json"]


def test_a_week_with_no_rising_group_publishes_nothing(cloud):
    handler, topic = cloud
    assert handler({"results": "s3://results/results/q2.csv", "topic": topic}, None) == {"rising": 0, "sent": []}
    assert _published(topic) == []


def test_an_event_without_results_or_topic_is_a_usage_error(cloud):
    handler, topic = cloud
    with pytest.raises(UsageError, match="must name the query's results"):
        handler({"topic": topic}, None)
