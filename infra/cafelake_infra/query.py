"""The Athena workgroup analysts, views and QuickSight query through, and the views' SQL.

The workgroup's name is the stack's (`names.per_stack`): a fixed `cafelake` could not be created
again after a `cdk destroy` that kept it. It holds no data (results are in the results bucket, which
`retainData` keeps), so it is deleted with the stack, saved queries included.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_athena as athena
from constructs import Construct

from cafelake.athena import deploy

from .names import per_stack
from .storage import Storage

MB = 1024 * 1024
RESULTS_PREFIX = "results/"


@dataclass(frozen=True)
class View:
    name: str
    sql: str


def views(database: str, storage: Storage) -> tuple[View, ...]:
    """The views' statements, in creation order, exactly as `cafelake athena apply` runs them."""
    return tuple(
        View(name.removeprefix("view:"), sql)
        for name, sql in deploy.statements(
            database, storage.cleansed.s3_url_for_object(), storage.tokenized.s3_url_for_object(), tables=False
        )
    )


def views_fingerprint(items: tuple[View, ...]) -> str:
    """Changes whenever a view's SQL does, so a deploy re-creates the views only then."""
    digest = hashlib.sha256()
    for v in items:
        digest.update(f"{v.name}\0{v.sql}\0".encode())
    return digest.hexdigest()[:16]


class Query(Construct):
    """Engine v3, enforced settings (a client cannot turn off encryption or the cutoff)."""

    def __init__(self, scope: Construct, cid: str, *, storage: Storage, bytes_scanned_cutoff_mb: int) -> None:
        super().__init__(scope, cid)
        self.workgroup_name = per_stack(self)
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=self.workgroup_name,
            description="cafelake: lake queries, views and dashboards",
            recursive_delete_option=True,
            state="ENABLED",
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=bytes_scanned_cutoff_mb * MB,
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=storage.athena_results.s3_url_for_object(RESULTS_PREFIX),
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=storage.key.key_arn
                    ),
                ),
            ),
        )
        self.workgroup.apply_removal_policy(RemovalPolicy.DESTROY)
        self.results_bucket = storage.athena_results
        self.results_prefix = RESULTS_PREFIX
