"""Run counts published to CloudWatch by the Glue job adapters (checked on moto)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from cafelake.run_metrics import CLEANSE_METRICS, publish


@mock_aws
def test_publish_puts_one_datum_per_count_dimensioned_by_stage():
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    sent = publish("cleanse", {"records_in": 10, "cleansed": 7, "quarantined": 2, "duplicates": 1,
                               "seconds": 3.5, "run_id": "x"}, CLEANSE_METRICS, client=cw)
    assert len(sent) == 5
    names = {m["MetricName"] for m in cw.list_metrics(Namespace="cafelake")["Metrics"]}
    assert names == {"RecordsIn", "RecordsCleansed", "RecordsQuarantined", "RecordsDuplicate", "StageSeconds"}
    (metric,) = cw.list_metrics(Namespace="cafelake", MetricName="RecordsQuarantined")["Metrics"]
    assert metric["Dimensions"] == [{"Name": "stage", "Value": "cleanse"}]


@mock_aws
def test_nothing_to_publish_sends_nothing():
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    assert publish("cleanse", {"run_id": "x"}, CLEANSE_METRICS, client=cw) == []
    assert cw.list_metrics(Namespace="cafelake")["Metrics"] == []
