"""The QuickSight analysis and dashboard `Definition`, generated from the report's visuals (`cafelake.report.visuals`).

Plain dicts in CloudFormation's own spelling (`AWS::QuickSight::Dashboard` `DashboardVersionDefinition`, the
same shape as the analysis's `AnalysisDefinition`): the typed CDK property classes of this schema run to some
700 nested types, while a dict reads like the AWS reference and is checked against CloudFormation's schema by
cfn-lint in the tests. Pure: no CDK here, the data set ARNs come in as strings (tokens at synth).

- One data set identifier per view: the view's name.
- A field's kind follows its column's QuickSight type: DATETIME is a date dimension (granularity from the
  visual), INTEGER/DECIMAL on an axis a numerical dimension, anything else categorical; values are numerical
  measures aggregated as the visual says. A `rolling_mean` is an analysis calculated field (windowAvg).
- The period: two date parameters (`PeriodFrom`, `PeriodTo`; by default the last year up to today in Korea
  time) with a date picker for each on every sheet that has a dated visual, and for each data set with
  `post_date` a filter group whose time-range filter reads them, on that data set's visuals of every sheet.
  So one period drives all sheets. Visuals of views without `post_date` cover the whole history and say so.
- A visual's fixed selections (`where`) and its top-N of lines are filters on that visual alone; a top-N of
  bars is the chart's own items limit; `by_group` visuals follow the `Group` parameter, set with a dropdown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cafelake.report.visuals import DEFAULT_GROUP, GROUP_COLUMN, Condition, Sheet, Visual, missing_columns

PERIOD_COLUMN = "post_date"
PERIOD_FROM, PERIOD_TO, GROUP_PARAMETER = "PeriodFrom", "PeriodTo", "Group"
PERIOD_DEFAULTS = {PERIOD_FROM: "addDateTime(-1, 'YYYY', truncDate('DD', now()))", PERIOD_TO: "truncDate('DD', now())"}
TIMEZONE = "Asia/Seoul"  # the board's clock: post_date is a KST day, and `now()` in the defaults is read in it
NUMERIC = ("INTEGER", "DECIMAL")
GRID_WIDTH, ROW_SPAN = 36, 12  # QuickSight's grid is 36 columns wide: two visuals a row
WHOLE_HISTORY = "Whole history: the period does not apply · 전체 기간 (기간 필터 미적용)"

Json = dict[str, Any]


def definition(
    visuals: Iterable[Visual],
    sheets: Iterable[Sheet],
    data_set_arns: Mapping[str, str],
    columns: Mapping[str, Mapping[str, str]],
) -> Json:
    """The definition of the visuals that have a dashboard sheet. `columns`: view -> {column: QuickSight type}.

    Raises ValueError naming every field a visual takes from a column its data set does not have.
    """
    shown = [v for v in visuals if v.sheet is not None]
    if problems := missing_columns(shown, columns):
        raise ValueError("the dashboard's visuals name columns their data sets lack: " + "; ".join(problems))
    return _Definition(shown, [s for s in sheets if any(v.sheet == s.key for v in shown)], columns).build(
        {view: data_set_arns[view] for view in dict.fromkeys(v.view for v in shown)}
    )


class _Definition:
    def __init__(self, visuals: list[Visual], sheets: list[Sheet], columns: Mapping[str, Mapping[str, str]]) -> None:
        self.visuals, self.sheets, self.columns = visuals, sheets, columns

    def build(self, data_set_arns: Mapping[str, str]) -> Json:
        out: Json = {
            "DataSetIdentifierDeclarations": [
                {"Identifier": view, "DataSetArn": arn} for view, arn in data_set_arns.items()
            ],
            "ParameterDeclarations": self._parameters(),
            "FilterGroups": self._period_filters() + [g for v in self.visuals for g in self._visual_filters(v)],
            "Sheets": [self._sheet(s) for s in self.sheets],
            "Options": {"Timezone": TIMEZONE, "WeekStart": "MONDAY"},  # the report's weeks start on Monday too
        }
        if calculated := [self._rolling_mean_field(v) for v in self.visuals if v.rolling_mean]:
            out["CalculatedFields"] = calculated
        return out

    # --- what is dated, and the parameters ------------------------------------------------------------
    def dated(self, visual: Visual) -> bool:
        return PERIOD_COLUMN in self.columns[visual.view]

    def _parameters(self) -> list[Json]:
        params: list[Json] = [
            {
                "DateTimeParameterDeclaration": {
                    "Name": name,
                    "TimeGranularity": "DAY",
                    "DefaultValues": {"RollingDate": {"Expression": expression}},
                }
            }
            for name, expression in PERIOD_DEFAULTS.items()
        ]
        if any(v.by_group for v in self.visuals):
            params.append(
                {
                    "StringParameterDeclaration": {
                        "Name": GROUP_PARAMETER,
                        "ParameterValueType": "SINGLE_VALUED",
                        "DefaultValues": {"StaticValues": [DEFAULT_GROUP]},
                    }
                }
            )
        return params

    # --- filters ----------------------------------------------------------------------------------------
    def _period_filters(self) -> list[Json]:
        """One filter group per dated data set, on its visuals of every sheet, reading the two parameters."""
        groups = []
        for view in dict.fromkeys(v.view for v in self.visuals if self.dated(v)):
            scope = [
                {
                    "SheetId": s.key,
                    "Scope": "SELECTED_VISUALS",
                    "VisualIds": [v.slug for v in self.visuals if v.view == view and v.sheet == s.key],
                }
                for s in self.sheets
                if any(v.view == view and v.sheet == s.key for v in self.visuals)
            ]
            groups.append(
                _group(
                    f"period-{view}",
                    scope,
                    [
                        {
                            "TimeRangeFilter": {
                                "FilterId": f"period-{view}-{PERIOD_COLUMN}",
                                "Column": _column(view, PERIOD_COLUMN),
                                "RangeMinimumValue": {"Parameter": PERIOD_FROM},
                                "RangeMaximumValue": {"Parameter": PERIOD_TO},
                                "IncludeMinimum": True,
                                "IncludeMaximum": True,
                                "NullOption": "NON_NULLS_ONLY",
                                "TimeGranularity": "DAY",
                            }
                        }
                    ],
                )
            )
        return groups

    def _visual_filters(self, visual: Visual) -> list[Json]:
        filters = [_condition_filter(visual, cond) for cond in visual.where]
        if visual.by_group:
            filters.append(
                {
                    "CategoryFilter": {
                        "FilterId": f"{visual.slug}-group",
                        "Column": _column(visual.view, GROUP_COLUMN),
                        "Configuration": {
                            "CustomFilterConfiguration": {
                                "MatchOperator": "EQUALS",
                                "ParameterName": GROUP_PARAMETER,
                                "NullOption": "NON_NULLS_ONLY",
                            }
                        },
                    }
                }
            )
        if visual.top and visual.series:  # the top lines: a top-N of the series by the value
            filters.append(
                {
                    "TopBottomFilter": {
                        "FilterId": f"{visual.slug}-top",
                        "Column": _column(visual.view, visual.series),
                        "Limit": visual.top,
                        "AggregationSortConfigurations": [
                            {
                                "Column": _column(visual.view, visual.value),
                                "SortDirection": "DESC",
                                "AggregationFunction": {
                                    "NumericalAggregationFunction": _aggregation(visual.aggregation)
                                },
                            }
                        ],
                    }
                }
            )
        if not filters:
            return []
        scope = [{"SheetId": visual.sheet, "Scope": "SELECTED_VISUALS", "VisualIds": [visual.slug]}]
        return [_group(f"{visual.slug}-selection", scope, filters)]

    # --- sheets and visuals -----------------------------------------------------------------------------
    def _sheet(self, sheet: Sheet) -> Json:
        visuals = [v for v in self.visuals if v.sheet == sheet.key]
        controls: list[Json] = []
        if any(self.dated(v) for v in visuals):
            controls += [
                {
                    "DateTimePicker": {
                        "ParameterControlId": f"{sheet.key}-{name}",
                        "Title": title,
                        "SourceParameterName": name,
                    }
                }
                for name, title in ((PERIOD_FROM, "From · 시작일"), (PERIOD_TO, "To · 종료일"))
            ]
        if grouped := [v for v in visuals if v.by_group]:
            controls.append(
                {
                    "Dropdown": {
                        "ParameterControlId": f"{sheet.key}-{GROUP_PARAMETER}",
                        "Title": "Keyword group · 키워드 그룹",
                        "SourceParameterName": GROUP_PARAMETER,
                        "Type": "SINGLE_SELECT",
                        "SelectableValues": {"LinkToDataSetColumn": _column(grouped[0].view, GROUP_COLUMN)},
                    }
                }
            )
        half = GRID_WIDTH // 2
        return {
            "SheetId": sheet.key,
            "Name": sheet.title,
            "Title": sheet.title,
            **({"ParameterControls": controls} if controls else {}),
            "Visuals": [self._visual(v) for v in visuals],
            "Layouts": [
                {
                    "Configuration": {
                        "GridLayout": {
                            "Elements": [
                                {
                                    "ElementId": v.slug,
                                    "ElementType": "VISUAL",
                                    "ColumnIndex": half * (i % 2),
                                    "ColumnSpan": half,
                                    "RowIndex": ROW_SPAN * (i // 2),
                                    "RowSpan": ROW_SPAN,
                                }
                                for i, v in enumerate(visuals)
                            ]
                        }
                    }
                }
            ],
        }

    def _visual(self, visual: Visual) -> Json:
        common: Json = {
            "VisualId": visual.slug,
            "VisualContentAltText": visual.title,
            "Title": {"Visibility": "VISIBLE", "FormatText": {"PlainText": visual.title}},
        }
        if not self.dated(visual):
            common["Subtitle"] = {"Visibility": "VISIBLE", "FormatText": {"PlainText": WHOLE_HISTORY}}
        x = self._dimension(visual, visual.x)
        value = self._measure(visual, visual.value)
        if visual.kind == "heatmap":
            series = {"Columns": [self._dimension(visual, visual.series)]} if visual.series else {}
            return {
                "HeatMapVisual": {
                    **common,
                    "ChartConfiguration": {
                        "FieldWells": {"HeatMapAggregatedFieldWells": {"Rows": [x], **series, "Values": [value]}},
                        "SortConfiguration": {
                            "HeatMapRowSort": [_sort(visual, visual.x, "ASC")],
                            "HeatMapColumnSort": [_sort(visual, visual.series, "ASC")],
                        },
                    },
                }
            }
        if visual.kind == "line":
            values = [value] + ([self._rolling_mean(visual)] if visual.rolling_mean else [])
            return {
                "LineChartVisual": {
                    **common,
                    "ChartConfiguration": {
                        "Type": "LINE",
                        "FieldWells": {
                            "LineChartAggregatedFieldWells": {"Category": [x], **self._colors(visual), "Values": values}
                        },
                        "SortConfiguration": {"CategorySort": [_sort(visual, visual.x, "ASC")]},
                    },
                }
            }
        sort = (
            {
                "CategorySort": [_sort(visual, visual.value, "DESC")],
                "CategoryItemsLimit": {"ItemsLimit": visual.top, "OtherCategories": "EXCLUDE"},
            }
            if visual.top
            else {"CategorySort": [_sort(visual, visual.x, "ASC")]}
        )
        chart: Json = {
            "Orientation": "HORIZONTAL" if visual.kind == "hbar" else "VERTICAL",
            "FieldWells": {
                "BarChartAggregatedFieldWells": {"Category": [x], **self._colors(visual), "Values": [value]}
            },
            "SortConfiguration": sort,
        }
        if visual.tooltip:
            chart["Tooltip"] = self._tooltip(visual)
        return {"BarChartVisual": {**common, "ChartConfiguration": chart}}

    def _colors(self, visual: Visual) -> Json:
        return {"Colors": [self._dimension(visual, visual.series)]} if visual.series else {}

    def _dimension(self, visual: Visual, column: str) -> Json:
        field = {"FieldId": _field_id(visual, column), "Column": _column(visual.view, column)}
        kind = self.columns[visual.view][column]
        if kind == "DATETIME":
            return {"DateDimensionField": {**field, "DateGranularity": visual.granularity or "DAY"}}
        return {"NumericalDimensionField" if kind in NUMERIC else "CategoricalDimensionField": field}

    def _measure(self, visual: Visual, column: str) -> Json:
        if self.columns[visual.view][column] not in NUMERIC:
            raise ValueError(f"{visual.slug}: the value {column} of {visual.view} is not a number")
        return {
            "NumericalMeasureField": {
                "FieldId": _field_id(visual, column),
                "Column": _column(visual.view, column),
                "AggregationFunction": _aggregation(visual.aggregation),
            }
        }

    def _tooltip(self, visual: Visual) -> Json:
        items: list[Json] = [
            {"FieldTooltipItem": {"FieldId": _field_id(visual, c), "Visibility": "VISIBLE"}}
            for c in (visual.x, visual.value)
        ]
        items += [
            {
                "ColumnTooltipItem": {
                    "Column": _column(visual.view, c),
                    "Visibility": "VISIBLE",
                    "Aggregation": {"NumericalAggregationFunction": _aggregation("SUM")},
                }
            }
            for c in visual.tooltip
        ]
        return {
            "TooltipVisibility": "VISIBLE",
            "SelectedTooltipType": "DETAILED",
            "FieldBasedTooltip": {
                "AggregationVisibility": "HIDDEN",
                "TooltipTitleType": "PRIMARY_VALUE",
                "TooltipFields": items,
            },
        }

    # --- the trailing mean ------------------------------------------------------------------------------
    @staticmethod
    def _rolling_mean_name(visual: Visual) -> str:
        return f"{visual.value}_{visual.rolling_mean}d_mean"

    def _rolling_mean_field(self, visual: Visual) -> Json:
        """The mean of the value over the day and the days before it, as the report's rolling mean (an analysis
        calculated field: windowAvg works on the aggregated rows of the visual, one per day)."""
        expression = (
            f"windowAvg({visual.aggregation.lower()}({{{visual.value}}}), [{{{visual.x}}} ASC], "
            f"{visual.rolling_mean - 1}, 0)"
        )
        return {"DataSetIdentifier": visual.view, "Name": self._rolling_mean_name(visual), "Expression": expression}

    def _rolling_mean(self, visual: Visual) -> Json:
        name = self._rolling_mean_name(visual)  # aggregated already: no aggregation function of its own
        return {"NumericalMeasureField": {"FieldId": _field_id(visual, name), "Column": _column(visual.view, name)}}


def _group(group_id: str, sheets: list[Json], filters: list[Json]) -> Json:
    return {
        "FilterGroupId": group_id,
        "CrossDataset": "SINGLE_DATASET",
        "Status": "ENABLED",
        "Filters": filters,
        "ScopeConfiguration": {"SelectedSheets": {"SheetVisualScopingConfigurations": sheets}},
    }


def _condition_filter(visual: Visual, cond: Condition) -> Json:
    fid, column = f"{visual.slug}-{cond.column}", _column(visual.view, cond.column)
    if (values := cond.values()) is not None:
        return {
            "CategoryFilter": {
                "FilterId": fid,
                "Column": column,
                "Configuration": {
                    "FilterListConfiguration": {
                        "MatchOperator": "CONTAINS",
                        "CategoryValues": list(values),
                        "NullOption": "NON_NULLS_ONLY",
                    }
                },
            }
        }
    bounds: Json = {"FilterId": fid, "Column": column, "NullOption": "NON_NULLS_ONLY"}
    if cond.at_least is not None:
        bounds |= {"RangeMinimum": {"StaticValue": cond.at_least}, "IncludeMinimum": True}
    if cond.at_most is not None:
        bounds |= {"RangeMaximum": {"StaticValue": cond.at_most}, "IncludeMaximum": True}
    return {"NumericRangeFilter": bounds}


def _column(view: str, column: str) -> Json:
    return {"DataSetIdentifier": view, "ColumnName": column}


def _field_id(visual: Visual, column: str) -> str:
    return f"{visual.slug}.{column}"


def _aggregation(name: str) -> Json:
    return {"SimpleNumericalAggregation": name}


def _sort(visual: Visual, column: str | None, direction: str) -> Json:
    return {"FieldSort": {"FieldId": _field_id(visual, column), "Direction": direction}}
