"""Alert Lambda: after the daily run, send each keyword group newly rising to the alarm topic, once.

The state machine's step before it runs `cafelake.alerts.notify.LATEST_RISING_SQL` in Athena (the rising
groups of the latest complete week, from `v_rising_groups`); the event names that query's CSV result and
the topic: `{"results": "s3://bucket/prefix/<query id>.csv", "topic": "<SNS topic ARN>"}`. Each row not
yet in the lake's alert ledger (`_alerts/<week>/<group>.json` in the tokenized zone) is published, its
subject and body in Korean and English, and recorded (`publish_new`); the answer counts the rows and
names the groups sent. Environment: CAFELAKE_TOKENIZED_URI (the ledger's zone), read by
`cafelake.environment`. Only boto3 and the core package are needed.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import boto3

from cafelake.alerts.notify import Alert, publish_new
from cafelake.environment import Environment
from cafelake.errors import UsageError
from cafelake.lake import Lake


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    results, topic = event.get("results"), event.get("topic")
    if not (isinstance(results, str) and results.startswith("s3://") and topic):
        raise UsageError(f"the event must name the query's results (s3://…) and the topic, got {event!r}")
    bucket, _, key = results[len("s3://") :].partition("/")
    text = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    alerts = [Alert.from_row(row) for row in csv.DictReader(io.StringIO(text))]
    sns = boto3.client("sns")

    def publish(subject: str, body: str) -> None:
        sns.publish(TopicArn=topic, Subject=subject, Message=body)

    sent = publish_new(alerts, Lake.from_settings(Environment.read()), publish)
    return {"rising": len(alerts), "sent": [f"{a.group_name}@{a.week_start}" for a in sent]}
