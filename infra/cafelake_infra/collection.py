"""Collection: one scraper function per board, its secrets, and one schedule per board.

Two invocations of the same board never fetch at once: each takes the board's lease (an S3
conditional write beside the board's state, `cafelake.collect.lease`) and a second one fails
with `BoardBusy`, which the state machine retries. No reserved concurrency is needed for that:
reserving any takes from the account's unreserved pool, which may not drop below 10, so on a
new account (quota 10) it fails the deploy; `cafelake:scraperReservedConcurrency` opts in.

The scraper's role may put and read its board's raw objects, never delete them: the raw
bucket is versioned and is the only copy of what was fetched (the lease is given back by an
overwrite, and every other write is a put at a deterministic key).
"""

from __future__ import annotations

from aws_cdk import AssetHashType, BundlingOptions, Duration, RemovalPolicy, TimeZone
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from cafelake import raw, sources

from .assets import SCRAPER_DIR, ScraperBundling, require
from .jobs import METRICS_NAMESPACE
from .settings import Board, Settings
from .storage import Storage

RUNTIME = lambda_.Runtime.PYTHON_3_14
TIMEOUT = Duration.minutes(15)
# The scraper stops this long before the Lambda timeout, saves its checkpoint and answers
# `continue: true`; the state machine then invokes it again.
BUDGET_MARGIN_S = 60
LOG_RETENTION = logs.RetentionDays.THREE_MONTHS


class Collection(Construct):
    def __init__(self, scope: Construct, cid: str, *, settings: Settings, storage: Storage) -> None:
        super().__init__(scope, cid)
        removal = RemovalPolicy.RETAIN if settings.retain_data else RemovalPolicy.DESTROY
        self.settings = settings
        helps = dict.fromkeys(sources.listing(b.source).session_help for b in settings.boards)
        self.member_session = secretsmanager.Secret(
            self,
            "MemberSession",
            encryption_key=storage.key,
            removal_policy=removal,
            description="cafelake: " + " | ".join(helps),
            secret_object_value={},
        )
        # The HMAC key behind author_key: generated here, never seen by a person, never rotated
        # (a new key would give every author a new pseudonym and break the author views).
        self.pseudonym_key = secretsmanager.Secret(
            self,
            "PseudonymKey",
            encryption_key=storage.key,
            removal_policy=removal,
            description="cafelake: HMAC key that pseudonymises author ids",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
        )

        require(settings.root, SCRAPER_DIR / "handler.py", "the scraper Lambda's handler is needed to deploy it")
        self.code = lambda_.Code.from_asset(
            str(settings.root / SCRAPER_DIR),
            asset_hash_type=AssetHashType.OUTPUT,
            bundling=BundlingOptions(image=RUNTIME.bundling_image, local=ScraperBundling(settings.root)),
        )
        self.functions: dict[str, lambda_.Function] = {b.name: self._function(b, storage) for b in settings.boards}

    def _function(self, board: Board, storage: Storage) -> lambda_.Function:
        log_group = logs.LogGroup(
            self,
            f"{board.ident}Logs",
            encryption_key=storage.key,
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.DESTROY,
        )
        role = iam.Role(
            self,
            f"{board.ident}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"cafelake scraper for board {board.name}",
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )
        for prefix in self.raw_prefixes(board):
            storage.raw.grant_read(role, f"{prefix}/*")
            storage.raw.grant_put(role, f"{prefix}/*")
        self.member_session.grant_read(role)
        fn = lambda_.Function(
            self,
            f"{board.ident}Scraper",
            description=f"cafelake scraper: board {board.name} "
            f"({board.source}, club {board.club_id}, menu {board.menu_id})",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler="handler.handler",
            code=self.code,
            role=role,
            memory_size=512,
            timeout=TIMEOUT,
            reserved_concurrent_executions=self.settings.scraper_reserved_concurrency,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            retry_attempts=0,
            environment={
                "CAFELAKE_RAW_URI": storage.raw.s3_url_for_object(),
                "CAFELAKE_COOKIE_SECRET": self.member_session.secret_arn,
                "CAFELAKE_BUDGET_MARGIN_S": str(BUDGET_MARGIN_S),
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                **({"CAFELAKE_USER_AGENT": self.settings.user_agent} if self.settings.user_agent else {}),
            },
        )
        return fn

    @staticmethod
    def raw_prefixes(board: Board) -> tuple[str, ...]:
        """Only this board's raw objects, state and quarantine, and the scrape run summaries."""
        return (
            raw.board_prefix(board.source, board.club_id, board.menu_id),
            raw.state_key(board.source, board.club_id, board.menu_id).rsplit("/", 1)[0],
            "_quarantine/" + raw.board_prefix(board.source, board.club_id, board.menu_id),
            "_runs/scrape",
        )

    def schedule(self, state_machine: sfn.IStateMachine) -> dict[str, scheduler.Schedule]:
        """One schedule per board, in the board's time zone, each starting a normal (incremental) run."""
        return {
            b.name: scheduler.Schedule(
                self,
                f"{b.ident}Schedule",
                schedule_name=f"cafelake-{b.name}",
                description=f"cafelake: scheduled run of board {b.name}",
                schedule=scheduler.ScheduleExpression.expression(b.schedule, TimeZone.of(b.timezone)),
                target=targets.StepFunctionsStartExecution(
                    state_machine,
                    retry_attempts=2,
                    max_event_age=Duration.hours(1),
                    input=scheduler.ScheduleTargetInput.from_object({"board": b.name, "backfill": False}),
                ),
            )
            for b in self.settings.boards
        }
