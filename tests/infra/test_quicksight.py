"""QuickSight: off by default; when on, a data source, one data set per view with its columns, and the analysis
and dashboard of the report's visuals, shared with the configured principal and viewers only."""

from __future__ import annotations

import copy
import json
import re

import pytest
import sqlglot
from infra_helpers import QS_PRINCIPAL, QS_SERVICE_ROLE, QS_VIEWERS, ROOT, cfn_lint_findings
from sqlglot import exp

from cafelake.report.visuals import SHEETS, VISUALS

DATED = "post_date"


def test_off_by_default(synth):
    for kind in ("DataSource", "DataSet", "Analysis", "Dashboard"):
        assert not synth.resources(f"AWS::QuickSight::{kind}"), kind


def _select_names(sql: str) -> list[str]:
    """The output column names of a CREATE VIEW ... AS SELECT, as sqlglot parses them."""
    create = sqlglot.parse_one(sql, read="athena")
    query = create.expression
    select = query if isinstance(query, exp.Select) else query.find(exp.Select)
    return select.named_selects


@pytest.fixture(scope="module")
def probe(quicksight_synth) -> dict:
    return quicksight_synth.raw


def test_one_spice_data_set_per_view_with_the_views_columns(synth, probe):
    raw = probe["Resources"]
    (source,) = [r["Properties"] for r in raw.values() if r["Type"] == "AWS::QuickSight::DataSource"]
    assert source["Type"] == "ATHENA"
    (workgroup,) = [r["Properties"] for r in raw.values() if r["Type"] == "AWS::Athena::WorkGroup"]
    assert source["DataSourceParameters"]["AthenaParameters"]["WorkGroup"] == workgroup["Name"]
    assert source["Permissions"][0]["Principal"] == QS_PRINCIPAL
    data_sets = {
        r["Properties"]["Name"]: r["Properties"] for r in raw.values() if r["Type"] == "AWS::QuickSight::DataSet"
    }
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


def test_every_data_set_refreshes_in_full_daily_after_the_evening_runs(probe):
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


def test_date_and_count_columns_get_quicksight_types():
    from cafelake_infra.quicksight import quicksight_type

    assert [
        quicksight_type(t)
        for t in ("VARCHAR", "BIGINT", "DOUBLE", "DATE", "TIMESTAMP WITH TIME ZONE", "DECIMAL(18,3)", "BOOLEAN")
    ] == ["STRING", "INTEGER", "DECIMAL", "DATETIME", "DATETIME", "DECIMAL", "BOOLEAN"]
    with pytest.raises(TypeError, match="flatten"):
        quicksight_type("VARCHAR[]")


def test_the_deploy_creates_data_sets_only_after_the_views_exist_and_quicksight_may_read(probe):
    """Each data set (its first SPICE import runs at creation) waits for the custom resource that returns
    once the views-only execution succeeded, and for the grants to QuickSight's service role."""
    raw = probe["Resources"]
    (views,) = [k for k, r in raw.items() if r["Type"] == "Custom::Views"]
    (policy,) = [
        k for k, r in raw.items() if r["Type"] == "AWS::IAM::Policy" and r["Properties"]["Roles"] == [QS_SERVICE_ROLE]
    ]
    for key, res in raw.items():
        if res["Type"] in ("AWS::QuickSight::DataSet", "AWS::QuickSight::DataSource"):
            assert {views, policy} <= set(res["DependsOn"]), key


def test_quicksights_service_role_reads_the_zones_and_writes_only_query_results(probe):
    raw = probe["Resources"]
    (policy,) = [
        r["Properties"]["PolicyDocument"]["Statement"]
        for r in raw.values()
        if r["Type"] == "AWS::IAM::Policy" and r["Properties"]["Roles"] == [QS_SERVICE_ROLE]
    ]
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
        "StorageAthenaResults"
    }
    (key,) = [k for k, r in raw.items() if r["Type"] == "AWS::KMS::Key"]
    assert keys == {json.dumps({"Fn::GetAtt": [key, "Arn"]})}


# --- the analysis and the dashboard -------------------------------------------------------------------------
def _one(probe: dict, kind: str) -> tuple[str, dict]:
    (found,) = [(k, r) for k, r in probe["Resources"].items() if r["Type"] == f"AWS::QuickSight::{kind}"]
    return found


def _walk(node, key: str):
    """Every value stored under `key`, anywhere in a JSON tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, key)


def _data_set_columns(probe: dict, definition: dict) -> dict[str, dict[str, str]]:
    """Data set identifier -> {column: type}, read from the data set resources the declarations point at, plus
    the definition's calculated fields (type None)."""
    out = {}
    for decl in definition["DataSetIdentifierDeclarations"]:
        logical_id = decl["DataSetArn"]["Fn::GetAtt"][0]
        (table,) = probe["Resources"][logical_id]["Properties"]["PhysicalTableMap"].values()
        out[decl["Identifier"]] = {c["Name"]: c["Type"] for c in table["RelationalTable"]["InputColumns"]}
    for calc in definition.get("CalculatedFields", []):
        out[calc["DataSetIdentifier"]][calc["Name"]] = None
    return out


def test_the_analysis_and_the_dashboard_hold_the_reports_visuals_on_their_sheets(probe):
    analysis, dashboard = _one(probe, "Analysis")[1]["Properties"], _one(probe, "Dashboard")[1]["Properties"]
    assert analysis["Definition"] == dashboard["Definition"]
    assert analysis["ValidationStrategy"] == dashboard["ValidationStrategy"] == {"Mode": "STRICT"}
    sheets = dashboard["Definition"]["Sheets"]
    assert [s["SheetId"] for s in sheets] == [s.key for s in SHEETS]
    shown = {s["SheetId"]: [next(iter(v.values()))["VisualId"] for v in s["Visuals"]] for s in sheets}
    assert shown == {s.key: [v.slug for v in VISUALS if v.sheet == s.key] for s in SHEETS}
    titles = {
        v["VisualId"]: v["Title"]["FormatText"]["PlainText"]
        for s in sheets
        for v in (next(iter(x.values())) for x in s["Visuals"])
    }
    assert titles == {v.slug: v.title for v in VISUALS if v.sheet}
    assert all(re.search("[가-힣]", s["Name"]) and re.search("[A-Za-z]", s["Name"]) for s in sheets)
    kinds = {next(iter(v.values()))["VisualId"]: next(iter(v)) for s in sheets for v in s["Visuals"]}
    assert kinds == {
        "daily_trend": "LineChartVisual",
        "posts_by_hour": "BarChartVisual",
        "authors_by_post_count": "BarChartVisual",
        "cohort_retention": "HeatMapVisual",
        "top_tokens": "BarChartVisual",
        "top_tfidf": "BarChartVisual",
        "group_top_tokens": "BarChartVisual",
        "group_daily_trend": "LineChartVisual",
        "group_cooccurrence": "HeatMapVisual",
        "rising_groups": "LineChartVisual",
        "age_by_group": "HeatMapVisual",
        "skin_body_parts": "HeatMapVisual",
    }


def test_every_column_the_definition_names_exists_in_its_data_set_with_a_fitting_type(probe):
    """Read from the synthesized template alone: each column reference (field wells, sorts, filters, controls)
    against the InputColumns of the data set its identifier declares."""
    definition = _one(probe, "Dashboard")[1]["Properties"]["Definition"]
    columns = _data_set_columns(probe, definition)
    refs = [c for c in _walk(definition, "Column") if "ColumnName" in c] + list(
        _walk(definition, "LinkToDataSetColumn")
    )
    assert len(refs) > 30
    assert [r for r in refs if r["ColumnName"] not in columns[r["DataSetIdentifier"]]] == []
    fitting = {
        "DateDimensionField": {"DATETIME"},
        "NumericalDimensionField": {"INTEGER", "DECIMAL"},
        "CategoricalDimensionField": {"STRING"},
        "NumericalMeasureField": {"INTEGER", "DECIMAL", None},
    }
    for kind, types in fitting.items():
        for field in _walk(definition, kind):
            col = field["Column"]
            assert columns[col["DataSetIdentifier"]][col["ColumnName"]] in types, (kind, col)


def test_one_period_drives_every_dated_visual_on_every_sheet(probe):
    definition = _one(probe, "Dashboard")[1]["Properties"]["Definition"]
    columns = _data_set_columns(probe, definition)
    params = {next(iter(p.values()))["Name"]: p for p in definition["ParameterDeclarations"]}
    assert {"PeriodFrom", "PeriodTo"} <= set(params)
    dated = {v.slug: v.view for v in VISUALS if v.sheet and DATED in columns[v.view]}
    assert set(dated) == {"daily_trend", "posts_by_hour", "top_tokens", "group_daily_trend"}
    covered = {}
    for group in definition["FilterGroups"]:
        for f in group["Filters"]:
            if "TimeRangeFilter" in f:
                trf = f["TimeRangeFilter"]
                assert (trf["RangeMinimumValue"], trf["RangeMaximumValue"]) == (
                    {"Parameter": "PeriodFrom"},
                    {"Parameter": "PeriodTo"},
                )
                assert trf["Column"]["ColumnName"] == DATED
                for scope in group["ScopeConfiguration"]["SelectedSheets"]["SheetVisualScopingConfigurations"]:
                    covered |= {vid: trf["Column"]["DataSetIdentifier"] for vid in scope["VisualIds"]}
    assert covered == dated
    for sheet in definition["Sheets"]:
        pickers = {
            c["DateTimePicker"]["SourceParameterName"]
            for c in sheet.get("ParameterControls", [])
            if "DateTimePicker" in c
        }
        visuals = [next(iter(v.values())) for v in sheet["Visuals"]]
        assert pickers == ({"PeriodFrom", "PeriodTo"} if any(v["VisualId"] in dated for v in visuals) else set())
        for v in visuals:  # the others say they show the whole history
            assert ("Subtitle" in v) == (v["VisualId"] not in dated), v["VisualId"]


def test_fixed_selections_limits_and_the_group_control_follow_the_description(probe):
    definition = _one(probe, "Dashboard")[1]["Properties"]["Definition"]
    by_visual = {}
    for group in definition["FilterGroups"]:
        (scope,) = group["ScopeConfiguration"]["SelectedSheets"]["SheetVisualScopingConfigurations"]
        if not group["FilterGroupId"].startswith("period-"):
            (vid,) = scope["VisualIds"]
            by_visual[vid] = group["Filters"]
    tfidf = {next(iter(f.values()))["Column"]["ColumnName"]: f for f in by_visual["top_tfidf"]}
    assert tfidf["scope"]["CategoryFilter"]["Configuration"]["FilterListConfiguration"]["CategoryValues"] == ["all"]
    assert tfidf["ranking"]["CategoryFilter"]["Configuration"]["FilterListConfiguration"]["CategoryValues"] == ["mean"]
    (authors,) = by_visual["authors_by_post_count"]
    assert authors["NumericRangeFilter"]["RangeMinimum"] == {"StaticValue": 2}
    (group_filter,) = by_visual["group_top_tokens"]
    assert group_filter["CategoryFilter"]["Configuration"]["CustomFilterConfiguration"]["ParameterName"] == "Group"
    (top_groups,) = by_visual["group_daily_trend"]
    assert top_groups["TopBottomFilter"]["Limit"] == 5
    params = {next(iter(p.values()))["Name"]: next(iter(p.values())) for p in definition["ParameterDeclarations"]}
    assert params["Group"]["DefaultValues"] == {"StaticValues": ["skin"]}
    bars = {
        next(iter(v.values()))["VisualId"]: next(iter(v.values()))
        for s in definition["Sheets"]
        for v in s["Visuals"]
        if "BarChartVisual" in v
    }
    assert bars["top_tokens"]["ChartConfiguration"]["SortConfiguration"]["CategoryItemsLimit"]["ItemsLimit"] == 20
    (groups_sheet,) = [s for s in definition["Sheets"] if s["SheetId"] == "groups"]
    assert [c["Dropdown"]["SourceParameterName"] for c in groups_sheet["ParameterControls"] if "Dropdown" in c] == [
        "Group"
    ]


def test_shared_with_the_principal_as_owner_and_the_viewers_as_readers_only(probe):
    from cafelake_infra.dashboard import ANALYSIS_OWNER_ACTIONS, DASHBOARD_OWNER_ACTIONS, DASHBOARD_READER_ACTIONS

    analysis, dashboard = _one(probe, "Analysis")[1]["Properties"], _one(probe, "Dashboard")[1]["Properties"]
    assert analysis["Permissions"] == [{"Principal": QS_PRINCIPAL, "Actions": list(ANALYSIS_OWNER_ACTIONS)}]
    granted = {p["Principal"]: set(p["Actions"]) for p in dashboard["Permissions"]}
    assert granted == {
        QS_PRINCIPAL: set(DASHBOARD_OWNER_ACTIONS),
        **{v: set(DASHBOARD_READER_ACTIONS) for v in QS_VIEWERS},
    }
    assert {
        "quicksight:UpdateDashboardPublishedVersion",
        "quicksight:UpdateDashboardPermissions",
        "quicksight:DeleteDashboard",
    } <= granted[QS_PRINCIPAL]
    for viewer in QS_VIEWERS:
        assert not [a for a in granted[viewer] if re.search("Update|Delete|Permissions", a)]
    # nothing public: no link sharing, no namespace-wide grant anywhere in QuickSight
    for kind in ("Analysis", "Dashboard", "DataSet", "DataSource"):
        for res in (r for r in probe["Resources"].values() if r["Type"] == f"AWS::QuickSight::{kind}"):
            assert "LinkSharingConfiguration" not in res["Properties"]
            assert {p["Principal"] for p in res["Properties"]["Permissions"]} <= {QS_PRINCIPAL, *QS_VIEWERS}


@pytest.mark.parametrize("kind", ["Analysis", "Dashboard"])
def test_cfn_lint_rejects_a_definition_quicksight_would_not_take(probe, tmp_path, kind):
    """cfn-lint reads the definition against CloudFormation's schema (tests/infra/test_checks.py runs it on the
    QuickSight template and finds nothing): a property the schema does not know, deep in a visual, and a
    granularity QuickSight does not have are both errors."""
    template = copy.deepcopy(probe)
    logical_id, _ = _one(template, kind)
    sheets = template["Resources"][logical_id]["Properties"]["Definition"]["Sheets"]
    line = sheets[0]["Visuals"][0]["LineChartVisual"]["ChartConfiguration"]
    line["SmoothLines"] = True
    line["FieldWells"]["LineChartAggregatedFieldWells"]["Category"][0]["DateDimensionField"]["DateGranularity"] = (
        "FORTNIGHT"
    )
    found = cfn_lint_findings(template, tmp_path / "planted.json")
    assert {"E3002", "E3030"} <= set(found), found


def test_the_guide_lists_every_visual_of_the_dashboard_and_says_which_stay_in_the_report():
    guide = (ROOT / "docs" / "quicksight.md").read_text(encoding="utf-8")
    for visual in VISUALS:
        if visual.sheet:
            assert f"{visual.title} (`{visual.slug}`) | `{visual.view}`" in guide, visual.slug
        else:
            assert f"*{visual.title_en}* is only in the report" in guide, visual.slug
    for sheet in SHEETS:
        assert f"| {sheet.title} |" in guide, sheet.key
