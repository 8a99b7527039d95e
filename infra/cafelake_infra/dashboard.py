"""The QuickSight analysis and dashboard of the report's pictures (part of the opt-in `cafelake:quicksight`).

Both carry the same `Definition`, generated from `cafelake.report.visuals` by `dashboard_definition`: the
analysis is what the owner edits in QuickSight, the dashboard what readers open. The configured principal
(`cafelake:quicksightPrincipalArn`) owns both; the readers (`cafelake:quicksightViewerArns`, optional) may
only open and query the dashboard. Nothing else is granted: no namespace-wide or link sharing.

Both are validated in STRICT mode, so a definition QuickSight rejects fails the deploy instead of creating
a dashboard with broken visuals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import aws_quicksight as qs
from constructs import Construct

from cafelake.report.visuals import SHEETS, VISUALS

from .dashboard_definition import definition

NAME = "cafelake · 질문 게시판 분석"
ASSET_ID = "cafelake"  # the analysis's and the dashboard's id: the dashboard opens at .../dashboards/cafelake
ANALYSIS_OWNER_ACTIONS = (
    "quicksight:RestoreAnalysis",
    "quicksight:UpdateAnalysisPermissions",
    "quicksight:DeleteAnalysis",
    "quicksight:QueryAnalysis",
    "quicksight:DescribeAnalysisPermissions",
    "quicksight:DescribeAnalysis",
    "quicksight:UpdateAnalysis",
)
DASHBOARD_READER_ACTIONS = (
    "quicksight:DescribeDashboard",
    "quicksight:ListDashboardVersions",
    "quicksight:QueryDashboard",
)
DASHBOARD_OWNER_ACTIONS = (
    *DASHBOARD_READER_ACTIONS,
    "quicksight:UpdateDashboardPermissions",
    "quicksight:UpdateDashboard",
    "quicksight:DeleteDashboard",
    "quicksight:DescribeDashboardPermissions",
    "quicksight:UpdateDashboardPublishedVersion",
)


class Dashboard(Construct):
    def __init__(
        self,
        scope: Construct,
        cid: str,
        *,
        account: str,
        data_sets: Mapping[str, qs.CfnDataSet],
        columns: Mapping[str, Mapping[str, str]],
        owner_arn: str,
        viewer_arns: Sequence[str] = (),
    ) -> None:
        """`data_sets`: view -> its data set; `columns`: view -> {column: QuickSight type}."""
        super().__init__(scope, cid)
        self.definition = definition(VISUALS, SHEETS, {view: ds.attr_arn for view, ds in data_sets.items()}, columns)
        strict = {"mode": "STRICT"}
        self.analysis = qs.CfnAnalysis(
            self,
            "Analysis",
            aws_account_id=account,
            analysis_id=ASSET_ID,
            name=NAME,
            validation_strategy=qs.CfnAnalysis.ValidationStrategyProperty(**strict),
            permissions=[
                qs.CfnAnalysis.ResourcePermissionProperty(principal=owner_arn, actions=list(ANALYSIS_OWNER_ACTIONS))
            ],
        )
        self.dashboard = qs.CfnDashboard(
            self,
            "Dashboard",
            aws_account_id=account,
            dashboard_id=ASSET_ID,
            name=NAME,
            validation_strategy=qs.CfnDashboard.ValidationStrategyProperty(**strict),
            dashboard_publish_options=qs.CfnDashboard.DashboardPublishOptionsProperty(
                ad_hoc_filtering_option=qs.CfnDashboard.AdHocFilteringOptionProperty(availability_status="ENABLED"),
                export_to_csv_option=qs.CfnDashboard.ExportToCSVOptionProperty(availability_status="ENABLED"),
                sheet_controls_option=qs.CfnDashboard.SheetControlsOptionProperty(visibility_state="EXPANDED"),
            ),
            permissions=[
                qs.CfnDashboard.ResourcePermissionProperty(principal=owner_arn, actions=list(DASHBOARD_OWNER_ACTIONS)),
                *(
                    qs.CfnDashboard.ResourcePermissionProperty(principal=arn, actions=list(DASHBOARD_READER_ACTIONS))
                    for arn in viewer_arns
                    if arn != owner_arn
                ),
            ],
        )
        for resource in (self.analysis, self.dashboard):
            resource.add_property_override("Definition", self.definition)
