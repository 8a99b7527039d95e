"""Stage run counts to CloudWatch, for the Glue job adapters (the pipeline dashboard).

An adapter concern kept out of the stages: they return summaries; the jobs publish them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NAMESPACE = "cafelake"
# summary field -> metric name (the dashboard graphs RecordsQuarantined beside the scraper's Quarantined)
CLEANSE_METRICS = {"records_in": "RecordsIn", "cleansed": "RecordsCleansed", "quarantined": "RecordsQuarantined",
                   "duplicates": "RecordsDuplicate", "seconds": "StageSeconds"}
TOKENIZE_METRICS = {"posts_in": "PostsIn", "posts_tokenized": "PostsTokenized", "posts_reused": "PostsReused",
                    "tokens": "TokensWritten", "seconds": "StageSeconds"}


def publish(stage: str, summary: Mapping[str, Any], names: Mapping[str, str], *, namespace: str = NAMESPACE,
            client: Any = None) -> list[dict]:
    """Put one datum per mapped summary field, dimensioned by stage; returns what was sent."""
    if client is None:
        import boto3

        client = boto3.client("cloudwatch")
    data = [{"MetricName": metric, "Dimensions": [{"Name": "stage", "Value": stage}],
             "Unit": "Seconds" if field == "seconds" else "Count", "Value": float(summary[field])}
            for field, metric in names.items() if summary.get(field) is not None]
    if data:
        client.put_metric_data(Namespace=namespace, MetricData=data)
    return data
