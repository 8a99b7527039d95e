"""QuickSight (optional, context `cafelake:quicksight`): an Athena data source, one SPICE data set per
view, and the analysis and dashboard of the report's pictures (`dashboard.py`), owned by the principal
from `cafelake:quicksightPrincipalArn`.

A data set must declare its columns and their types. They are not copied by hand: they come from
`view_columns.json`, generated from the views' SQL by the local engine and held to it by a test, so
synth reads a file and starts no query engine.

SPICE holds a copy, so each data set gets a daily full refresh after the evening pipeline
runs (the default boards scrape until 23:00 KST); without one it would keep its first import.

QuickSight reads Athena, and through it S3, as its service role (`cafelake:quicksightServiceRole`,
by default the `aws-quicksight-service-role-v0` QuickSight creates). The stack grants that role
what the data sets need, before they are created: read of the cleansed and tokenized buckets,
read and put of the Athena results prefix, and the KMS key that encrypts all three.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_quicksight as qs
from constructs import Construct

from . import view_columns
from .dashboard import Dashboard
from .query import View
from .storage import Storage

DATA_SOURCE_ACTIONS = (
    "quicksight:DescribeDataSource",
    "quicksight:DescribeDataSourcePermissions",
    "quicksight:PassDataSource",
    "quicksight:UpdateDataSource",
    "quicksight:DeleteDataSource",
    "quicksight:UpdateDataSourcePermissions",
)
DATA_SET_ACTIONS = (
    "quicksight:DescribeDataSet",
    "quicksight:DescribeDataSetPermissions",
    "quicksight:PassDataSet",
    "quicksight:DescribeIngestion",
    "quicksight:ListIngestions",
    "quicksight:UpdateDataSet",
    "quicksight:DeleteDataSet",
    "quicksight:CreateIngestion",
    "quicksight:CancelIngestion",
    "quicksight:UpdateDataSetPermissions",
)

REFRESH_TIME, REFRESH_TIMEZONE = "00:30", "Asia/Seoul"

# DuckDB type (its first word) -> QuickSight input column type.
_TYPES = {
    "VARCHAR": "STRING",
    "BIGINT": "INTEGER",
    "INTEGER": "INTEGER",
    "HUGEINT": "INTEGER",
    "SMALLINT": "INTEGER",
    "DOUBLE": "DECIMAL",
    "FLOAT": "DECIMAL",
    "DECIMAL": "DECIMAL",
    "DATE": "DATETIME",
    "TIMESTAMP": "DATETIME",
    "BOOLEAN": "BOOLEAN",
}


def quicksight_type(duck_type: str) -> str:
    base = duck_type.split("(")[0].split(" ")[0].upper()
    try:
        return _TYPES[base]
    except KeyError:
        raise TypeError(f"no QuickSight column type for {duck_type!r} (flatten it in the view)") from None


def data_set_columns(names: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """View name -> [(column, QuickSight type)], from the committed columns of the views."""
    committed = view_columns.load()
    if missing := [n for n in names if n not in committed]:
        raise LookupError(
            f"no committed columns for the views {missing}: regenerate "
            f"{view_columns.COLUMNS_FILE.name} (python infra/cafelake_infra/view_columns.py)"
        )
    return {name: [(col, quicksight_type(typ)) for col, typ in committed[name]] for name in names}


def table_key(view: str) -> str:
    """A PhysicalTableMap key: letters, digits and '-' only."""
    return view.replace("_", "-")


class QuickSight(Construct):
    def __init__(
        self,
        scope: Construct,
        cid: str,
        *,
        principal_arn: str,
        workgroup: str,
        database: str,
        views: tuple[View, ...],
        storage: Storage,
        results_prefix: str,
        service_role: str,
        viewer_arns: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, cid)
        account = Stack.of(self).account
        self.service_role = iam.Role.from_role_name(self, "ServiceRole", service_role)
        grants = self._grant_service_role(storage, results_prefix)
        self.data_source = qs.CfnDataSource(
            self,
            "Athena",
            aws_account_id=account,
            data_source_id="cafelake-athena",
            name="cafelake",
            type="ATHENA",
            data_source_parameters=qs.CfnDataSource.DataSourceParametersProperty(
                athena_parameters=qs.CfnDataSource.AthenaParametersProperty(work_group=workgroup)
            ),
            permissions=[
                qs.CfnDataSource.ResourcePermissionProperty(principal=principal_arn, actions=list(DATA_SOURCE_ACTIONS))
            ],
        )
        self.data_sets: dict[str, qs.CfnDataSet] = {}
        self.refresh_schedules: dict[str, qs.CfnRefreshSchedule] = {}
        columns = data_set_columns([v.name for v in views])
        for name, cols in columns.items():
            self.data_sets[name] = qs.CfnDataSet(
                self,
                f"DataSet-{name}",
                aws_account_id=account,
                data_set_id=f"cafelake-{name}",
                name=name,
                import_mode="SPICE",
                physical_table_map={
                    table_key(name): qs.CfnDataSet.PhysicalTableProperty(
                        relational_table=qs.CfnDataSet.RelationalTableProperty(
                            data_source_arn=self.data_source.attr_arn,
                            catalog="AwsDataCatalog",
                            schema=database,
                            name=name,
                            input_columns=[qs.CfnDataSet.InputColumnProperty(name=c, type=t) for c, t in cols],
                        )
                    )
                },
                permissions=[
                    qs.CfnDataSet.ResourcePermissionProperty(principal=principal_arn, actions=list(DATA_SET_ACTIONS))
                ],
            )
            self.refresh_schedules[name] = self._daily_refresh(name, self.data_sets[name])
        for grant in grants:  # QuickSight uses the role as soon as a source or a SPICE import exists
            grant.apply_before(self.data_source, *self.data_sets.values())
        self.dashboard = Dashboard(
            self,
            "Dashboard",
            account=account,
            data_sets=self.data_sets,
            columns={name: dict(cols) for name, cols in columns.items()},
            owner_arn=principal_arn,
            viewer_arns=viewer_arns,
        )

    def _grant_service_role(self, storage: Storage, results_prefix: str) -> list[iam.Grant]:
        """What QuickSight's role needs to run the views through Athena: read the two zones, read and write
        query results under the workgroup's prefix (never delete), use the key that encrypts them."""
        role, results = self.service_role, storage.athena_results
        return [
            storage.cleansed.grant_read(role),
            storage.tokenized.grant_read(role),
            results.grant_read(role, f"{results_prefix}*"),
            results.grant_put(role, f"{results_prefix}*"),
            storage.key.grant(role, "kms:Decrypt", "kms:GenerateDataKey"),
        ]

    def _daily_refresh(self, name: str, data_set: qs.CfnDataSet) -> qs.CfnRefreshSchedule:
        """A full SPICE refresh every day: the views are small, and a full one also picks up edits."""
        schedule = qs.CfnRefreshSchedule(
            self,
            f"Refresh-{name}",
            aws_account_id=data_set.aws_account_id,
            data_set_id=data_set.data_set_id,
            schedule=qs.CfnRefreshSchedule.RefreshScheduleMapProperty(
                schedule_id="daily",
                refresh_type="FULL_REFRESH",
                schedule_frequency=qs.CfnRefreshSchedule.ScheduleFrequencyProperty(
                    interval="DAILY", time_of_the_day=REFRESH_TIME, time_zone=REFRESH_TIMEZONE
                ),
            ),
        )
        schedule.add_dependency(data_set)  # the id is a plain string: order the creation explicitly
        return schedule
