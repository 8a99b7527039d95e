"""The one stack: storage, catalog, jobs, queries, collection, orchestration (and QuickSight)."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from cafelake.athena.deploy import STACK_NAME, WORKGROUP_OUTPUT

from . import nag
from .assets import GlueArtifacts
from .catalog import Catalog
from .collection import Collection
from .jobs import Jobs
from .orchestration import Orchestration
from .query import Query, views
from .settings import REPO_ROOT, Settings
from .storage import Storage
from .views_on_deploy import ViewsOnDeploy


class CafeLakeStack(cdk.Stack):
    def __init__(self, scope: Construct, cid: str, *, settings: Settings, artifacts: GlueArtifacts, **kwargs) -> None:
        super().__init__(scope, cid, description="cafelake: a serverless data lake for community Q&A boards", **kwargs)
        self.settings = settings
        self.storage = Storage(self, "Storage", retain=settings.retain_data)
        self.collection = Collection(self, "Collection", settings=settings, storage=self.storage)
        self.jobs = Jobs(
            self,
            "Jobs",
            settings=settings,
            storage=self.storage,
            artifacts=artifacts,
            pseudonym_key=self.collection.pseudonym_key,
        )
        self.catalog = Catalog(
            self, "Catalog", storage=self.storage, security_configuration_name=self.jobs.security_configuration_name
        )
        self.query = Query(
            self, "Query", storage=self.storage, bytes_scanned_cutoff_mb=settings.bytes_scanned_cutoff_mb
        )
        self.views = views(self.catalog.database_name, self.storage)
        self.orchestration = Orchestration(
            self,
            "Orchestration",
            settings=settings,
            storage=self.storage,
            catalog=self.catalog,
            jobs=self.jobs,
            query=self.query,
            scrapers=self.collection.functions,
            views=self.views,
        )
        self.schedules = self.collection.schedule(self.orchestration.state_machine)
        self.views_on_deploy = ViewsOnDeploy(
            self,
            "ViewsOnDeploy",
            settings=settings,
            state_machine=self.orchestration.state_machine,
            views=self.views,
            key=self.storage.key,
            after=(*self.catalog.tables.values(), self.query.workgroup),
        )
        if settings.quicksight:
            from .quicksight import QuickSight

            self.quicksight = QuickSight(
                self,
                "QuickSight",
                principal_arn=settings.quicksight_principal_arn,
                workgroup=self.query.workgroup_name,
                database=self.catalog.database_name,
                views=self.views,
                storage=self.storage,
                results_prefix=self.query.results_prefix,
                service_role=settings.quicksight_service_role,
                viewer_arns=settings.quicksight_viewer_arns,
            )
            # Created once the views they read exist (the custom resource waits for them).
            self.quicksight.node.add_dependency(self.views_on_deploy.resource)
        for name, value in {
            "RawBucket": self.storage.raw.bucket_name,
            "CleansedBucket": self.storage.cleansed.bucket_name,
            "TokenizedBucket": self.storage.tokenized.bucket_name,
            "StateMachineArn": self.orchestration.state_machine.state_machine_arn,
            "MemberSessionSecretArn": self.collection.member_session.secret_arn,
            "AlarmTopicArn": self.orchestration.topic.topic_arn,
            WORKGROUP_OUTPUT: self.query.workgroup_name,  # `cafelake athena apply` reads it
        }.items():
            cdk.CfnOutput(self, name, value=value)
        nag.acknowledge(self)


def build(app: cdk.App, *, root: Path = REPO_ROOT, artifacts: GlueArtifacts | None = None) -> CafeLakeStack:
    """The stack, env-agnostic (no lookups, so synth needs no credentials), checked by cdk-nag."""
    settings = Settings.from_context(app.node, root=root)
    stack = CafeLakeStack(
        app, STACK_NAME, settings=settings, artifacts=artifacts if artifacts is not None else GlueArtifacts.load(root)
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stack
