"""QuickSight: off by default; when on, a data source and one data set per view, columns derived."""

from __future__ import annotations

import json
import re

import pytest
import sqlglot
from infra_helpers import ROOT, cfn_lint_findings
from sqlglot import exp

PRINCIPAL = "arn:aws:quicksight:us-east-1:123456789012:user/default/analyst"
SERVICE_ROLE = "qs-analysts-role"


def test_off_by_default(synth):
    assert not synth.resources("AWS::QuickSight::DataSource")
    assert not synth.resources("AWS::QuickSight::DataSet")


def _select_names(sql: str) -> list[str]:
    """The output column names of a CREATE VIEW ... AS SELECT, as sqlglot parses them."""
    create = sqlglot.parse_one(sql, read="athena")
    query = create.expression
    select = query if isinstance(query, exp.Select) else query.find(exp.Select)
    return select.named_selects


@pytest.fixture(scope="module")
def quicksight_app(tmp_path_factory):
    """The whole stack with QuickSight on (what `-c cafelake:quicksight=true` deploys)."""
    import aws_cdk as cdk
    from cafelake_infra.assets import GlueArtifacts
    from cafelake_infra.stack import build
    from infra_helpers import BOARDS, cdk_context, glue_artifacts

    app = cdk.App(outdir=str(tmp_path_factory.mktemp("cdk.out")), context=cdk_context(**{
        "cafelake:boards": BOARDS, "cafelake:quicksight": True, "cafelake:quicksightPrincipalArn": PRINCIPAL,
        "cafelake:quicksightServiceRole": SERVICE_ROLE}))
    return build(app, root=ROOT, artifacts=glue_artifacts() or GlueArtifacts())


@pytest.fixture(scope="module")
def probe(quicksight_app) -> dict:
    from aws_cdk.assertions import Template

    return Template.from_stack(quicksight_app).to_json()


def test_one_spice_data_set_per_view_with_the_views_columns(synth, probe):
    raw = probe["Resources"]
    (source,) = [r["Properties"] for r in raw.values() if r["Type"] == "AWS::QuickSight::DataSource"]
    assert source["Type"] == "ATHENA"
    (workgroup,) = [r["Properties"] for r in raw.values() if r["Type"] == "AWS::Athena::WorkGroup"]
    assert source["DataSourceParameters"]["AthenaParameters"]["WorkGroup"] == workgroup["Name"]
    assert source["Permissions"][0]["Principal"] == PRINCIPAL
    data_sets = {r["Properties"]["Name"]: r["Properties"] for r in raw.values()
                 if r["Type"] == "AWS::QuickSight::DataSet"}
    assert set(data_sets) == {v.name for v in synth.stack.views}
    for view in synth.stack.views:
        ds = data_sets[view.name]
        assert ds["ImportMode"] == "SPICE"
        (key,) = ds["PhysicalTableMap"]
        assert re.fullmatch(r"[0-9a-zA-Z-]+", key)
        table = ds["PhysicalTableMap"][key]["RelationalTable"]
        assert (table["Schema"], table["Name"]) == ("cafelake", view.name)
        columns = table["InputColumns"]
        assert [c["Name"] for c in columns] == _select_names(view.sql), view.name
        assert {c["Type"] for c in columns} <= {"STRING", "INTEGER", "DECIMAL", "DATETIME", "BOOLEAN"}


def _minutes_after(hhmm: str, hour: int) -> int:
    """Minutes from `hour`:00 to the next `hhmm`, on a 24-hour clock."""
    h, m = map(int, hhmm.split(":"))
    return (h * 60 + m - hour * 60) % (24 * 60)


def test_every_data_set_refreshes_in_full_daily_after_the_evening_runs(synth, probe):
    raw = probe["Resources"]
    data_sets = {k: r["Properties"] for k, r in raw.items() if r["Type"] == "AWS::QuickSight::DataSet"}
    schedules = [r for r in raw.values() if r["Type"] == "AWS::QuickSight::RefreshSchedule"]
    assert sorted(r["Properties"]["DataSetId"] for r in schedules) == sorted(d["DataSetId"] for d in data_sets.values())
    (board,) = json.loads((ROOT / "cdk.json").read_text())["context"]["cafelake:boards"]
    first, last = map(int, re.fullmatch(r"cron\(0 (\d+)-(\d+) .*\)", board["schedule"]).groups())
    for res in schedules:
        props = res["Properties"]
        (data_set,) = [k for k, d in data_sets.items() if d["DataSetId"] == props["DataSetId"]]
        assert data_set in res["DependsOn"]
        assert props["AwsAccountId"] == data_sets[data_set]["AwsAccountId"]
        assert props["Schedule"]["RefreshType"] == "FULL_REFRESH"
        freq = props["Schedule"]["ScheduleFrequency"]
        assert (freq["Interval"], freq["TimeZone"]) == ("DAILY", board.get("timezone", "Asia/Seoul"))
        # after the last evening run has had half an hour, before the next evening's first run
        assert 30 <= _minutes_after(freq["TimeOfTheDay"], last) < _minutes_after(f"{first:02d}:00", last)


def test_cfn_lint_finds_no_error_in_the_quicksight_resources(probe, tmp_path):
    assert [i for i in cfn_lint_findings(probe, tmp_path / "quicksight.json") if i.startswith("E")] == []


def test_date_and_count_columns_get_quicksight_types():
    from cafelake_infra.quicksight import quicksight_type

    assert [quicksight_type(t) for t in ("VARCHAR", "BIGINT", "DOUBLE", "DATE", "TIMESTAMP WITH TIME ZONE",
                                         "DECIMAL(18,3)", "BOOLEAN")] == [
        "STRING", "INTEGER", "DECIMAL", "DATETIME", "DATETIME", "DECIMAL", "BOOLEAN"]
    with pytest.raises(TypeError, match="flatten"):
        quicksight_type("VARCHAR[]")


def test_the_deploy_creates_data_sets_only_after_the_views_exist_and_quicksight_may_read(probe):
    """Each data set (its first SPICE import runs at creation) waits for the custom resource that returns
    once the views-only execution succeeded, and for the grants to QuickSight's service role."""
    raw = probe["Resources"]
    (views,) = [k for k, r in raw.items() if r["Type"] == "Custom::Views"]
    (policy,) = [k for k, r in raw.items() if r["Type"] == "AWS::IAM::Policy" and r["Properties"]["Roles"] == [
        SERVICE_ROLE]]
    for key, res in raw.items():
        if res["Type"] in ("AWS::QuickSight::DataSet", "AWS::QuickSight::DataSource"):
            assert {views, policy} <= set(res["DependsOn"]), key


def test_quicksights_service_role_reads_the_zones_and_writes_only_query_results(probe):
    raw = probe["Resources"]
    (policy,) = [r["Properties"]["PolicyDocument"]["Statement"] for r in raw.values()
                 if r["Type"] == "AWS::IAM::Policy" and r["Properties"]["Roles"] == [SERVICE_ROLE]]
    reads, writes, keys = set(), set(), set()
    for st in policy:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        resources = json.dumps(st["Resource"])
        if any(a.startswith("kms:") for a in actions):
            keys.add(resources)
            assert {"kms:Decrypt", "kms:GenerateDataKey"} <= set(actions)
            continue
        assert not [a for a in actions if "Delete" in a or a in ("s3:*", "s3:Put*")]
        for bucket in ("StorageAthenaResults", "StorageCleansed", "StorageTokenized", "StorageRaw"):
            if bucket in resources:
                (writes if any(a.startswith("s3:Put") for a in actions) else reads).add(bucket)
        if any(a.startswith("s3:Put") for a in actions):
            assert resources.count("/results/*") == 1 and resources.count("Fn::GetAtt") == 1, resources
    assert reads == {"StorageAthenaResults", "StorageCleansed", "StorageTokenized"} and writes == {
        "StorageAthenaResults"}
    (key,) = [k for k, r in raw.items() if r["Type"] == "AWS::KMS::Key"]
    assert keys == {json.dumps({"Fn::GetAtt": [key, "Arn"]})}


def test_cdk_nag_passes_with_quicksight_on(quicksight_app):
    """cdk-nag runs at every synth: an unacknowledged finding of the QuickSight grants would stop the deploy."""
    from cdk_nag import AwsSolutionsChecks

    report = AwsSolutionsChecks().validate_scope(quicksight_app)
    assert report.success, [v.rule_name for v in report.violations]
