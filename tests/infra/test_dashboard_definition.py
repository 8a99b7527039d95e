"""The dashboard definition generator on its own (no CDK): what it refuses, and what it leaves out."""

from __future__ import annotations

import dataclasses

import pytest

from cafelake.report.visuals import BY_SLUG, SHEETS, VISUALS, Sheet


@pytest.fixture(scope="module")
def columns() -> dict[str, dict[str, str]]:
    from cafelake_infra.quicksight import data_set_columns

    return {view: dict(cols) for view, cols in data_set_columns(sorted({v.view for v in VISUALS})).items()}


def _definition(visuals, columns, sheets=SHEETS):
    from cafelake_infra.dashboard_definition import definition

    return definition(visuals, sheets, {v.view: f"arn:aws:quicksight:::dataset/{v.view}" for v in visuals}, columns)


def test_a_visual_naming_a_column_its_data_set_lacks_stops_the_synth(columns):
    drifted = dataclasses.replace(BY_SLUG["top_tokens"], tooltip=("readers",))
    with pytest.raises(ValueError, match="top_tokens: v_top_tokens has no column readers"):
        _definition([*VISUALS[:4], drifted], columns)


def test_a_value_that_is_not_a_number_is_refused(columns):
    texty = dataclasses.replace(BY_SLUG["top_tokens"], value="token_pos")
    with pytest.raises(ValueError, match="the value token_pos of v_top_tokens is not a number"):
        _definition([texty], columns)


def test_report_only_visuals_and_empty_sheets_stay_out(columns):
    got = _definition(VISUALS, columns, sheets=(*SHEETS, Sheet("spare", "Spare", "여분")))
    ids = [next(iter(v.values()))["VisualId"] for s in got["Sheets"] for v in s["Visuals"]]
    assert "rising_tokens" not in ids and len(ids) == len([v for v in VISUALS if v.sheet])
    assert "spare" not in [s["SheetId"] for s in got["Sheets"]]
    assert [d["Identifier"] for d in got["DataSetIdentifierDeclarations"]] == list(
        dict.fromkeys(v.view for v in VISUALS if v.sheet)
    )


def test_the_trailing_mean_is_the_reports_window(columns):
    """The report's 7-day mean is the day and the six before it: windowAvg from 6 rows back to the current one."""
    got = _definition([BY_SLUG["daily_trend"]], columns)
    assert got["CalculatedFields"] == [
        {
            "DataSetIdentifier": "v_daily_posts",
            "Name": "posts_7d_mean",
            "Expression": "windowAvg(sum({posts}), [{post_date} ASC], 6, 0)",
        }
    ]
    (sheet,) = got["Sheets"]
    values = sheet["Visuals"][0]["LineChartVisual"]["ChartConfiguration"]["FieldWells"][
        "LineChartAggregatedFieldWells"
    ]["Values"]
    assert [v["NumericalMeasureField"]["Column"]["ColumnName"] for v in values] == ["posts", "posts_7d_mean"]


def test_the_body_parts_heatmap_keeps_only_the_skin_groups(columns):
    """A `one_of` condition is one category filter listing every value, scoped to its visual."""
    from cafelake.report.visuals import SKIN_GROUPS

    got = _definition([BY_SLUG["skin_body_parts"]], columns)
    filters = [f for g in got["FilterGroups"] for f in g["Filters"] if "CategoryFilter" in f]
    (skin,) = [f["CategoryFilter"] for f in filters if f["CategoryFilter"]["FilterId"] == "skin_body_parts-group_name"]
    assert skin["Column"] == {"DataSetIdentifier": "v_group_body_parts", "ColumnName": "group_name"}
    config = skin["Configuration"]["FilterListConfiguration"]
    assert config["CategoryValues"] == list(SKIN_GROUPS) and config["MatchOperator"] == "CONTAINS"
