"""The alert function: after the daily run, each keyword group newly rising goes to the alarm topic, once.

The state machine runs `cafelake.alerts.notify.LATEST_RISING_SQL` in Athena and invokes this function with
the query's result object and the topic (`lambdas/alerts/send_alerts.py`). Its role may read the workgroup's
results, read and write the alert ledger (`_alerts/` in the tokenized zone, conditional puts) and publish
to the topic; nothing else.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import AssetHashType, BundlingOptions, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from cafelake.alerts.notify import LEDGER_PREFIX

from .assets import CoreBundling, require
from .collection import LOG_RETENTION, RUNTIME
from .query import Query
from .settings import Settings
from .storage import Storage

HANDLER_DIR = Path("lambdas/alerts")
TIMEOUT = Duration.minutes(2)


class AlertFunction(Construct):
    def __init__(
        self, scope: Construct, cid: str, *, settings: Settings, storage: Storage, query: Query, topic: sns.ITopic
    ) -> None:
        super().__init__(scope, cid)
        require(settings.root, HANDLER_DIR / "send_alerts.py", "the alert Lambda's handler is needed to deploy it")
        log_group = logs.LogGroup(
            self, "Logs", encryption_key=storage.key, retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="cafelake: sends each newly rising keyword group to the alarm topic once",
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[query.results_bucket.arn_for_objects(f"{query.results_prefix}*")],
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[storage.tokenized.arn_for_objects(f"{LEDGER_PREFIX}/*")],
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[storage.key.key_arn])
        )
        topic.grant_publish(self.role)
        self.function = lambda_.Function(
            self,
            "Handler",
            description="cafelake: publish each newly rising keyword group once",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler="send_alerts.handler",
            code=lambda_.Code.from_asset(
                str(settings.root / HANDLER_DIR),
                asset_hash_type=AssetHashType.OUTPUT,
                bundling=BundlingOptions(image=RUNTIME.bundling_image, local=CoreBundling(settings.root, HANDLER_DIR)),
            ),
            role=self.role,
            timeout=TIMEOUT,
            memory_size=256,
            log_group=log_group,
            retry_attempts=0,
            environment={"CAFELAKE_TOKENIZED_URI": storage.tokenized.s3_url_for_object()},
        )
