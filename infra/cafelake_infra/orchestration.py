"""The pipeline state machine, its alarms, the alarm topic and the run dashboard.

One execution = one board: scrape (looping while the scraper answers `continue`, after
waiting the `wait_seconds` the source asked for) -> crawl raw -> cleanse -> tokenize -> compact
(closed months made one file per table) -> refresh views -> send the groups newly rising (once
each). Input: {"board": name, "backfill": bool} (backfill: the scraper walks the whole board and
cleanse and tokenize run with --full true), or
{"viewsOnly": true} to re-create the views alone (what a deploy does; it sends no alert).
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from cafelake.alerts.notify import LATEST_RISING_SQL
from cafelake.collect.lease import BoardBusy

from .alerts import AlertFunction
from .catalog import Catalog
from .jobs import METRICS_NAMESPACE, Jobs
from .query import Query, View
from .settings import Board, Settings
from .storage import Storage

# A first backfill of a busy board takes most of a day (66,300 requests at one a second).
EXECUTION_TIMEOUT = Duration.hours(48)
CRAWLER_POLL = Duration.seconds(30)
# Metric names in the "cafelake" namespace: the scraper emits ArticlesFetched and Quarantined;
# RecordsQuarantined is the name the Glue jobs publish under (their roles may put metrics there).
FETCHED_METRICS = ("ArticlesFetched",)
QUARANTINED_METRICS = ("Quarantined", "RecordsQuarantined")
# A crawl's LastCrawl.Status when it did not succeed, and the error the pipeline then fails with.
CRAWL_FAILURES = ("FAILED", "CANCELLED")
CRAWL_FAILED = "Glue.CrawlFailed"
# The scraper's error type when another invocation holds the board's lease.
BOARD_BUSY = BoardBusy.__name__


class Orchestration(Construct):
    def __init__(
        self,
        scope: Construct,
        cid: str,
        *,
        settings: Settings,
        storage: Storage,
        catalog: Catalog,
        jobs: Jobs,
        query: Query,
        scrapers: dict[str, lambda_.Function],
        views: tuple[View, ...],
    ) -> None:
        super().__init__(scope, cid)
        self._allow_alarm_services(storage)
        self.events_role = iam.Role(
            self,
            "EventsPublisher",
            assumed_by=iam.ServicePrincipal("events.amazonaws.com"),
            description="cafelake: EventBridge rules publish alarms to the topic",
        )
        self.topic = sns.Topic(self, "Alarms", display_name="cafelake alarms", master_key=storage.key, enforce_ssl=True)
        if settings.alarm_email:
            self.topic.add_subscription(subs.EmailSubscription(settings.alarm_email))

        failed = self._failure_branch()
        self.alerts = AlertFunction(self, "Alerts", settings=settings, storage=storage, query=query, topic=self.topic)
        refresh = self._refresh_views(catalog, query, views, failed, then=self._alert(catalog, query, failed))
        cleanse = self._job("Cleanse", jobs, "cleanse", failed)
        crawl = self._crawl(catalog, failed, then=cleanse)
        tokenize = self._job("Tokenize", jobs, "tokenize", failed)
        # then the closed months of every table become one file each (idempotent: nothing to do most days)
        cleanse.next(tokenize).next(self._job("Compact", jobs, "compact", failed, backfill=False)).next(refresh)

        board_choice = sfn.Choice(self, "Which board?")
        for board in settings.boards:
            scrape = self._scrape(board, scrapers[board.name], failed)
            # The source's Retry-After outlives an invocation: the next one must not come sooner.
            wait = sfn.Wait(
                self,
                f"{board.ident}: wait as the source asked",
                time=sfn.WaitTime.seconds_path("$.scrape.result.wait_seconds"),
            )
            more = sfn.Choice(self, f"{board.ident}: more to fetch?")
            more.when(
                sfn.Condition.and_(
                    sfn.Condition.is_present("$.scrape.result.continue"),
                    sfn.Condition.boolean_equals("$.scrape.result.continue", True),
                ),
                wait,
            )
            more.otherwise(crawl)
            scrape.next(more)
            wait.next(scrape)
            board_choice.when(sfn.Condition.string_equals("$.board", board.name), scrape)
        board_choice.otherwise(
            sfn.Fail(
                self,
                "Unknown board",
                error="UnknownBoard",
                cause=f"input.board must be one of {[b.name for b in settings.boards]}",
            )
        )

        # Fill in defaults so a hand-started execution may omit backfill/viewsOnly.
        defaults = sfn.Pass(
            self,
            "Defaults",
            result=sfn.Result.from_object({"backfill": False, "viewsOnly": False}),
            result_path="$.defaults",
        )
        merge = sfn.Pass(
            self,
            "Apply input",
            parameters={"args.$": "States.JsonMerge($.defaults, $$.Execution.Input, false)"},
            output_path="$.args",
        )
        mode = (
            sfn.Choice(self, "Views only?")
            .when(sfn.Condition.boolean_equals("$.viewsOnly", True), refresh)
            .otherwise(board_choice)
        )
        definition = defaults.next(merge).next(mode)

        self.log_group = logs.LogGroup(
            self,
            "ExecutionLogs",
            encryption_key=storage.key,
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "Pipeline",
            state_machine_name="cafelake-pipeline",
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            timeout=EXECUTION_TIMEOUT,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
            comment="cafelake: scrape -> crawl raw -> cleanse -> tokenize -> compact -> refresh views -> alert",
        )
        # Athena writes the view statements' results with the workgroup's enforced SSE-KMS key.
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[storage.key.key_arn])
        )
        if views:
            self._grant_views(catalog, query, views, storage)

        self._alarms(scrapers)
        self._glue_failure_rules(jobs, catalog)
        self.dashboard = self._dashboard(jobs, scrapers)

    # --- states ----------------------------------------------------------------------
    def _failure_branch(self) -> sfn.IChainable:
        notify = tasks.SnsPublish(
            self,
            "Notify failure",
            topic=self.topic,
            subject="cafelake pipeline failed",
            message=sfn.TaskInput.from_object(
                {
                    "execution": sfn.JsonPath.execution_id,
                    "input": sfn.JsonPath.object_at("$$.Execution.Input"),
                    "error": sfn.JsonPath.object_at("$.error"),
                }
            ),
            result_path=sfn.JsonPath.DISCARD,
        )
        return notify.next(sfn.Fail(self, "Failed", error="PipelineFailed", cause="see the notification"))

    def _catch(self, task: sfn.TaskStateBase, failed: sfn.IChainable) -> sfn.TaskStateBase:
        task.add_catch(failed, errors=[sfn.Errors.ALL], result_path="$.error")
        return task

    def _scrape(self, board: Board, fn: lambda_.IFunction, failed: sfn.IChainable) -> tasks.LambdaInvoke:
        """The scraper's event is the board's configuration (what its handler reads) plus the mode."""
        task = tasks.LambdaInvoke(
            self,
            f"{board.ident}: scrape",
            lambda_function=fn,
            payload=sfn.TaskInput.from_object(
                {
                    "name": board.name,
                    "source": board.source,
                    "club_id": board.club_id,
                    "menu_id": board.menu_id,
                    "backfill.$": "$.backfill",
                }
            ),
            result_selector={"result.$": "$.Payload"},
            result_path="$.scrape",
            retry_on_service_exceptions=True,
        )
        # Another invocation of this board holds its lease (an overlapping execution of the same board):
        # it ends within the Lambda timeout, and these retries wait about two hours in all.
        task.add_retry(errors=[BOARD_BUSY], interval=Duration.seconds(60), max_attempts=10, backoff_rate=1.5)
        # Throttled: the account's concurrency is spent (or the opt-in reserved concurrency is).
        task.add_retry(
            errors=["Lambda.TooManyRequestsException"], interval=Duration.seconds(30), max_attempts=6, backoff_rate=2
        )
        task.add_retry(errors=[sfn.Errors.TASKS_FAILED], interval=Duration.seconds(30), max_attempts=2, backoff_rate=2)
        return self._catch(task, failed)

    def _crawl(self, catalog: Catalog, failed: sfn.IChainable, then: sfn.IChainable) -> sfn.IChainable:
        """Crawl the raw zone at most once per UTC day (and on every backfill), then go on to `then`.

        Raw folders are `ingest_dt=<UTC date>` and the crawler only looks at new folders, so a
        second crawl on the same day finds nothing new but is still billed (10-minute minimum).
        """
        last = self._catch(
            tasks.CallAwsService(
                self,
                "Last crawl",
                service="glue",
                action="getCrawler",
                parameters={"Name": catalog.crawler_name},
                iam_resources=[catalog.crawler_arn],
                result_selector={"crawler.$": "$.Crawler"},
                result_path="$.lastCrawl",
            ),
            failed,
        )
        started = "$.lastCrawl.crawler.LastCrawl.StartTime"
        dates = sfn.Pass(
            self,
            "Crawl dates",
            parameters={
                "today.$": "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)",
                "last.$": f"States.ArrayGetItem(States.StringSplit({started}, 'T'), 0)",
            },
            result_path="$.crawlDates",
        )
        start = tasks.CallAwsService(
            self,
            "Crawl raw",
            service="glue",
            action="startCrawler",
            parameters={"Name": catalog.crawler_name},
            iam_resources=[catalog.crawler_arn],
            result_path=sfn.JsonPath.DISCARD,
        )
        wait = sfn.Wait(self, "Wait for crawler", time=sfn.WaitTime.duration(CRAWLER_POLL))
        # Already running (another board's execution started it): just wait for it.
        start.add_catch(wait, errors=["Glue.CrawlerRunningException"], result_path=sfn.JsonPath.DISCARD)
        self._catch(start, failed)
        # The whole crawler: its LastCrawl is absent until a first crawl ends, and a ResultSelector path that
        # is absent would be a States.Runtime error no Catch can take.
        get = self._catch(
            tasks.CallAwsService(
                self,
                "Crawler state",
                service="glue",
                action="getCrawler",
                parameters={"Name": catalog.crawler_name},
                iam_resources=[catalog.crawler_arn],
                result_selector={"state.$": "$.Crawler.State", "detail.$": "$.Crawler"},
                result_path="$.crawler",
            ),
            failed,
        )
        # A crawl that failed or was cancelled must not pass silently into cleanse: the failure branch
        # publishes it (and the execution fails, which alarms); the crawler's own event alarms too.
        crawl_failed = sfn.Pass(
            self,
            "Crawl failed",
            result_path="$.error",
            parameters={
                "Error": CRAWL_FAILED,
                "Cause.$": "States.Format('crawler {} ended its last crawl {}', "
                "$.crawler.detail.Name, $.crawler.detail.LastCrawl.Status)",
            },
        )
        crawl_failed.next(failed)
        status = "$.crawler.detail.LastCrawl.Status"
        outcome = (
            sfn.Choice(self, "Crawl succeeded?")
            .when(
                sfn.Condition.and_(
                    sfn.Condition.is_present(status),
                    sfn.Condition.or_(*(sfn.Condition.string_equals(status, s) for s in CRAWL_FAILURES)),
                ),
                crawl_failed,
            )
            .otherwise(then)
        )
        # Crawl when in doubt: never crawled, or a start time not in the ISO form compared below.
        needed = (
            sfn.Choice(self, "Crawl needed?")
            .when(
                sfn.Condition.or_(
                    sfn.Condition.boolean_equals("$.backfill", True),
                    sfn.Condition.not_(sfn.Condition.is_present(started)),
                    sfn.Condition.not_(sfn.Condition.is_string(started)),
                ),
                start,
            )
            .otherwise(dates)
        )
        dates.next(
            sfn.Choice(self, "Crawled today?")
            .when(
                sfn.Condition.and_(
                    sfn.Condition.string_equals("$.lastCrawl.crawler.LastCrawl.Status", "SUCCEEDED"),
                    sfn.Condition.string_equals_json_path("$.crawlDates.today", "$.crawlDates.last"),
                ),
                then,
            )
            .otherwise(start)
        )
        start.next(wait)
        wait.next(get)
        get.next(
            sfn.Choice(self, "Crawler done?")
            .when(sfn.Condition.string_equals("$.crawler.state", "READY"), outcome)
            .otherwise(wait)
        )
        last.next(needed)
        return last

    def _job(
        self, label: str, jobs: Jobs, name: str, failed: sfn.IChainable, *, backfill: bool = True
    ) -> tasks.GlueStartJobRun:
        """A Glue job run to its end; `backfill`: the execution's backfill flag passed as the job's --full."""
        full = {"--full": sfn.JsonPath.format("{}", sfn.JsonPath.string_at("$.backfill"))}
        task = tasks.GlueStartJobRun(
            self,
            label,
            glue_job_name=jobs.jobs[name].name,
            integration_pattern=sfn.IntegrationPattern.RUN_JOB,
            arguments=sfn.TaskInput.from_object(full) if backfill else None,
            result_selector={"run_id.$": "$.Id", "state.$": "$.JobRunState", "seconds.$": "$.ExecutionTime"},
            result_path=f"$.{name}",
        )
        # Every job is idempotent (whole days or months are replaced), so one retry is safe.
        task.add_retry(
            errors=["Glue.ConcurrentRunsExceededException"],
            interval=Duration.minutes(2),
            max_attempts=10,
            backoff_rate=1.5,
        )
        task.add_retry(errors=[sfn.Errors.TASKS_FAILED], interval=Duration.minutes(1), max_attempts=1)
        return self._catch(task, failed)

    def _alert(self, catalog: Catalog, query: Query, failed: sfn.IChainable) -> sfn.IChainable:
        """After a board's run (not a views-only one): the rising groups of the latest complete week, queried in
        Athena, then the alert function, which publishes each one not sent before (`lambdas/alerts`)."""
        done = sfn.Succeed(self, "Done")
        rising = self._athena_task("Rising groups", LATEST_RISING_SQL, "$.rising", catalog, query)
        rising.add_retry(
            errors=["Athena.TooManyRequestsException"], interval=Duration.seconds(10), max_attempts=5, backoff_rate=2
        )
        rising.add_catch(failed, errors=[sfn.Errors.ALL], result_path="$.error")
        send = tasks.LambdaInvoke(
            self,
            "Send new alerts",
            lambda_function=self.alerts.function,
            payload=sfn.TaskInput.from_object(
                {
                    "results": sfn.JsonPath.string_at("$.rising.QueryExecution.ResultConfiguration.OutputLocation"),
                    "topic": self.topic.topic_arn,
                }
            ),
            result_selector={"result.$": "$.Payload"},
            result_path="$.alerts",
            retry_on_service_exceptions=True,
        )
        self._catch(send, failed)
        rising.next(send).next(done)
        return (
            sfn.Choice(self, "Alert?")
            .when(sfn.Condition.boolean_equals("$.viewsOnly", True), sfn.Succeed(self, "Views done"))
            .otherwise(rising)
        )

    def _refresh_views(
        self, catalog: Catalog, query: Query, views: tuple[View, ...], failed: sfn.IChainable, then: sfn.IChainable
    ) -> sfn.IChainable:
        done = then
        if not views:
            return done
        steps = []
        for view in views:
            task = self._view_task(view, catalog, query)
            task.add_retry(
                errors=["Athena.TooManyRequestsException"],
                interval=Duration.seconds(10),
                max_attempts=5,
                backoff_rate=2,
            )
            task.add_catch(failed, errors=[sfn.Errors.ALL], result_path="$.error")
            steps.append(task)
        chain = sfn.Chain.start(steps[0])
        for step in steps[1:]:
            chain = chain.next(step)
        return chain.next(done)

    def _view_task(self, view: View, catalog: Catalog, query: Query) -> sfn.CustomState:
        """`athena:startQueryExecution.sync`, written out: CDK's AthenaStartQueryExecution task would also
        grant the state machine s3:GetObject, ListBucket and CreateBucket on every bucket of the account and
        Glue table and database deletes. What the views need is granted once, in `_grant_views`."""
        # Each view's result replaces the last one's here (jsii drops a null ResultPath, so it cannot discard).
        return self._athena_task(f"View {view.name}", view.sql, "$.view", catalog, query)

    def _athena_task(self, label: str, sql: str, result_path: str, catalog: Catalog, query: Query) -> sfn.CustomState:
        return sfn.CustomState(
            self,
            label,
            state_json={
                "Type": "Task",
                "Resource": f"arn:{Aws.PARTITION}:states:::athena:startQueryExecution.sync",
                "Parameters": {
                    "QueryString": sql,
                    "WorkGroup": query.workgroup_name,
                    "QueryExecutionContext": {"Database": catalog.database_name},
                    "ResultConfiguration": {
                        "OutputLocation": query.results_bucket.s3_url_for_object(query.results_prefix)
                    },
                },
                "ResultPath": result_path,
            },
        )

    def _grant_views(self, catalog: Catalog, query: Query, views: tuple[View, ...], storage: Storage) -> None:
        """What `CREATE OR REPLACE VIEW` in the workgroup needs, and nothing on other resources: run and
        watch queries in the workgroup; read the database and its tables; create or replace the views (only
        them, never a delete); write results under the workgroup's prefix; read the two zones the views are
        defined over (the view statements themselves scan nothing)."""
        stack = Stack.of(self)
        add = self.state_machine.add_to_role_policy
        add(
            iam.PolicyStatement(
                actions=["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:StopQueryExecution"],
                resources=[
                    stack.format_arn(service="athena", resource="workgroup", resource_name=query.workgroup_name)
                ],
            )
        )
        add(
            iam.PolicyStatement(
                actions=["athena:GetDataCatalog"],
                resources=[stack.format_arn(service="athena", resource="datacatalog", resource_name="AwsDataCatalog")],
            )
        )
        add(
            iam.PolicyStatement(actions=["glue:GetDatabase", "glue:GetDatabases"], resources=catalog.catalog_arns()[:2])
        )
        view_arns = [catalog.table_arn(v.name) for v in views]
        add(
            iam.PolicyStatement(
                actions=["glue:GetTable", "glue:GetTables"],
                resources=[*catalog.catalog_arns()[:2], *(catalog.table_arn(t) for t in catalog.tables), *view_arns],
            )
        )
        add(
            iam.PolicyStatement(
                actions=["glue:CreateTable", "glue:UpdateTable"], resources=[*catalog.catalog_arns()[:2], *view_arns]
            )
        )
        results = query.results_bucket
        add(
            iam.PolicyStatement(
                actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                resources=[results.bucket_arn],
            )
        )
        add(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                resources=[results.arn_for_objects(f"{query.results_prefix}*")],
            )
        )
        zones = (storage.cleansed, storage.tokenized)
        add(
            iam.PolicyStatement(
                actions=["s3:GetBucketLocation", "s3:ListBucket"], resources=[b.bucket_arn for b in zones]
            )
        )
        add(iam.PolicyStatement(actions=["s3:GetObject"], resources=[b.arn_for_objects("*") for b in zones]))

    # --- alarms, dashboard -------------------------------------------------------------
    def _allow_alarm_services(self, storage: Storage) -> None:
        """CloudWatch alarms publish to the KMS-encrypted topic as the CloudWatch service (an alarm action
        cannot take a role), for alarms of this account only. EventBridge rules publish through a role
        of their own (`_publish_events`), so the events service is not in the key policy at all."""
        storage.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy "*" means this key
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            )
        )

    def _publish_events(self) -> events_targets.SnsTopic:
        """The topic as an EventBridge target, published to with a role (sns:Publish on the topic, the key
        for it), not as the events service: a service-principal grant would put events.amazonaws.com, for
        any account's rules, into the key and topic policies."""
        return events_targets.SnsTopic(self.topic, role=self.events_role)

    def _alarms(self, scrapers: dict[str, lambda_.Function]) -> None:
        action = cw_actions.SnsAction(self.topic)
        sm = self.state_machine
        metrics = {
            "ExecutionsFailed": sm.metric_failed(period=Duration.minutes(5), statistic="Sum"),
            "ExecutionsTimedOut": sm.metric_timed_out(period=Duration.minutes(5), statistic="Sum"),
            "ExecutionsAborted": sm.metric_aborted(period=Duration.minutes(5), statistic="Sum"),
        }
        for name, fn in scrapers.items():
            metrics[f"ScraperErrors-{name}"] = fn.metric_errors(period=Duration.minutes(5), statistic="Sum")
        self.alarms = {}
        for name, metric in metrics.items():
            alarm = cw.Alarm(
                self,
                f"{name}Alarm",
                metric=metric,
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
                alarm_description=f"cafelake: {name} >= 1 in 5 minutes",
            )
            alarm.add_alarm_action(action)
            self.alarms[name] = alarm

    def _glue_failure_rules(self, jobs: Jobs, catalog: Catalog) -> None:
        """Glue has no job- or crawl-failure metric: its state-change events go straight to the topic
        (a crawl that fails outside a pipeline execution too, e.g. one started by hand)."""
        self.glue_failures = events.Rule(
            self,
            "GlueJobFailed",
            description="cafelake: a Glue job run failed",
            event_pattern=events.EventPattern(
                source=["aws.glue"],
                detail_type=["Glue Job State Change"],
                detail={"jobName": [j.name for j in jobs.jobs.values()], "state": ["FAILED", "TIMEOUT", "ERROR"]},
            ),
        )
        self.glue_failures.add_target(self._publish_events())
        self.crawl_failures = events.Rule(
            self,
            "GlueCrawlFailed",
            description="cafelake: the raw crawler failed",
            event_pattern=events.EventPattern(
                source=["aws.glue"],
                detail_type=["Glue Crawler State Change"],
                detail={"crawlerName": [catalog.crawler_name], "state": ["Failed"]},
            ),
        )
        self.crawl_failures.add_target(self._publish_events())

    def _dashboard(self, jobs: Jobs, scrapers: dict[str, lambda_.Function]) -> cw.Dashboard:
        def search(names: tuple[str, ...], label: str) -> cw.MathExpression:
            # SEARCH sums every dimension set (board, service, job) the metrics are published with.
            # A `{namespace}` schema would match only dimensionless metrics: filter on Namespace= instead.
            which = " OR ".join(f'MetricName="{n}"' for n in names)
            return cw.MathExpression(
                expression=f"SUM(SEARCH('Namespace=\"{METRICS_NAMESPACE}\" ({which})', 'Sum', 3600))",
                label=label,
                period=Duration.hours(1),
            )

        sm = self.state_machine
        day = Duration.days(1)
        board = cw.Dashboard(self, "Dashboard", dashboard_name="cafelake", default_interval=Duration.days(7))
        board.add_widgets(
            cw.GraphWidget(title="Articles fetched (per hour)", left=[search(FETCHED_METRICS, "fetched")], width=12),
            cw.GraphWidget(
                title="Records quarantined (per hour)", left=[search(QUARANTINED_METRICS, "quarantined")], width=12
            ),
        )
        board.add_widgets(
            cw.GraphWidget(
                title="Glue job duration (s)",
                width=12,
                left=[
                    cw.Metric(
                        namespace="Glue",
                        metric_name="glue.driver.aggregate.elapsedTime",
                        statistic="Maximum",
                        dimensions_map={"JobName": job.name, "JobRunId": "ALL", "Type": "count"},
                        label=job.name,
                        period=day,
                    ).with_(period=day)
                    for job in jobs.jobs.values()
                ],
            ),
            cw.GraphWidget(
                title="Pipeline executions (per day)",
                width=12,
                left=[
                    sm.metric_succeeded(period=day, statistic="Sum", label="succeeded"),
                    sm.metric_failed(period=day, statistic="Sum", label="failed"),
                    sm.metric_timed_out(period=day, statistic="Sum", label="timed out"),
                ],
            ),
        )
        board.add_widgets(
            cw.GraphWidget(
                title="Scraper duration (ms) and errors",
                width=24,
                left=[
                    fn.metric_duration(statistic="Maximum", period=day, label=f"{name} max duration")
                    for name, fn in scrapers.items()
                ],
                right=[
                    fn.metric_errors(statistic="Sum", period=day, label=f"{name} errors")
                    for name, fn in scrapers.items()
                ],
            )
        )
        return board
