"""Views on deploy: every deploy that changes a view's SQL runs the views-only execution, and waits for it.

A custom resource (CDK's Provider framework) whose handler, `lambdas/deploy_views/deploy_views.py`, starts
the pipeline with `{"viewsOnly": true}` and polls the execution until it ends: the resource is created
only once the views exist, so what depends on it (the QuickSight data sets) never meets a missing view,
and a failed execution fails the deploy. The handler waits at most its 15-minute timeout (the eleven
views take seconds).
"""

from __future__ import annotations

from aws_cdk import ArnFormat, CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import custom_resources as cr
from constructs import Construct, IConstruct

from .assets import require
from .collection import LOG_RETENTION, RUNTIME
from .query import View, views_fingerprint
from .settings import Settings

HANDLER_DIR = "lambdas/deploy_views"
TIMEOUT = Duration.minutes(15)


class ViewsOnDeploy(Construct):
    def __init__(
        self,
        scope: Construct,
        cid: str,
        *,
        settings: Settings,
        state_machine: sfn.StateMachine,
        views: tuple[View, ...],
        key: kms.IKey,
        after: tuple[IConstruct, ...],
    ) -> None:
        super().__init__(scope, cid)
        require(settings.root, f"{HANDLER_DIR}/deploy_views.py", "the views-on-deploy handler is needed to deploy")
        log_group = logs.LogGroup(
            self, "Logs", encryption_key=key, retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="cafelake: runs the views-only execution on deploy and waits for it",
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["states:StartExecution"], resources=[state_machine.state_machine_arn])
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution"],
                resources=[
                    Stack.of(self).format_arn(
                        service="states",
                        resource="execution",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        resource_name=f"{state_machine.state_machine_name}:*",
                    )
                ],
            )
        )
        self.handler = lambda_.Function(
            self,
            "Handler",
            description="cafelake: create the views on deploy and wait for them",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler="deploy_views.handler",
            code=lambda_.Code.from_asset(str(settings.root / HANDLER_DIR), exclude=["__pycache__", "*.pyc"]),
            role=self.role,
            timeout=TIMEOUT,
            log_group=log_group,
        )
        provider = cr.Provider(self, "Provider", on_event_handler=self.handler)
        self.resource = CustomResource(
            self,
            "Views",
            service_token=provider.service_token,
            resource_type="Custom::Views",
            properties={"StateMachineArn": state_machine.state_machine_arn, "Fingerprint": views_fingerprint(views)},
        )
        for dependency in after:
            self.resource.node.add_dependency(dependency)
