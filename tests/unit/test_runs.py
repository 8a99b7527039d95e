"""The one run record: ids, the `_runs/` writer, metrics under one namespace (CloudWatch checked on moto)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from cafelake.lake import Lake
from cafelake.runs import METRICS, NAMESPACE, RUN_ZONES, new_run_id, publish, read_runs, write_run


def test_run_ids_sort_by_start_and_differ_within_a_second():
    moment = datetime(2026, 11, 20, 3, 4, 5, tzinfo=UTC)
    ids = {new_run_id(moment) for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"20261120T030405Z-[0-9a-f]{8}", i) for i in ids)
    assert new_run_id(datetime(2026, 11, 20, 3, 4, 4, tzinfo=UTC)) < min(ids)


def test_a_run_named_by_its_input_keeps_the_scheme():
    """An import's id ends with its file's digest (the same file is imported once), not with random digits."""
    moment = datetime(2026, 11, 20, 3, 4, 5, tzinfo=UTC)
    assert new_run_id(moment, tag="0123456789abcdef") == "20261120T030405Z-0123456789abcdef"
    for bad in ("short", "0123456789ABCDEF", "0123-4567"):
        with pytest.raises(ValueError, match="8 or more lowercase hex digits"):
            new_run_id(moment, tag=bad)


def test_a_run_is_recorded_hidden_in_its_stage_zone(tmp_path):
    lake = Lake(str(tmp_path))
    started = datetime(2026, 11, 20, 3, 4, 5, 678_000, tzinfo=UTC)
    record = write_run(lake, "cleanse", "r1", {"run_id": "r1", "records_in": 3}, started_at=started)
    stored = json.loads((tmp_path / "cleansed" / "_runs" / "cleanse" / "r1.json").read_text())
    assert stored == record
    assert record["stage"] == "cleanse" and record["started_at"] == "2026-11-20T03:04:05.678Z"
    assert record["records_in"] == 3 and record["finished_at"] >= record["started_at"]
    assert lake.list_keys("cleansed") == []  # hidden from readers
    write_run(lake, "cleanse", "r0", {"records_in": 1}, started_at="2026-11-19T00:00:00.000Z")
    assert [r["run_id"] for r in read_runs(lake, "cleanse")] == ["r0", "r1"]


def test_a_summary_of_another_run_is_refused(tmp_path):
    with pytest.raises(ValueError, match="names run r2"):
        write_run(Lake(str(tmp_path)), "tokenize", "r1", {"run_id": "r2"}, started_at="2026-11-19T00:00:00.000Z")


def test_every_stage_that_records_runs_has_a_zone_and_the_metric_stages_are_among_them():
    assert set(METRICS) <= set(RUN_ZONES)
    assert set(RUN_ZONES.values()) <= {"raw", "cleansed", "tokenized"}


@mock_aws
def test_publish_puts_one_datum_per_count_dimensioned_by_stage():
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    sent = publish(
        "cleanse",
        {"records_in": 10, "cleansed": 7, "quarantined": 2, "duplicates": 1, "seconds": 3.5, "run_id": "x"},
        client=cw,
    )
    assert len(sent) == 5
    names = {m["MetricName"] for m in cw.list_metrics(Namespace=NAMESPACE)["Metrics"]}
    assert names == {"RecordsIn", "RecordsCleansed", "RecordsQuarantined", "RecordsDuplicate", "StageSeconds"}
    (metric,) = cw.list_metrics(Namespace=NAMESPACE, MetricName="RecordsQuarantined")["Metrics"]
    assert metric["Dimensions"] == [{"Name": "stage", "Value": "cleanse"}]


@mock_aws
def test_nothing_to_publish_sends_nothing():
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    assert publish("cleanse", {"run_id": "x"}, client=cw) == []
    assert cw.list_metrics(Namespace=NAMESPACE)["Metrics"] == []
