"""The pipeline state machine, alarms, topic and dashboard."""

from __future__ import annotations

import json

from infra_helpers import ALARM_EMAIL, BOARDS, policy_statements, state_machine_definition

from cafelake.alerts.notify import LATEST_RISING_SQL
from cafelake.schemas import CATALOG_TABLES


def _next(states, name):
    return states[name].get("Next")


def test_pipeline_order_scrape_loop_crawl_cleanse_tokenize_compact_views(synth):
    d = state_machine_definition(synth)
    states = d["States"]
    views = [v.name for v in synth.stack.views]
    boards = next(s for s in states.values() if s["Type"] == "Choice" and s["Choices"][0]["Variable"] == "$.board")
    assert {c["StringEquals"] for c in boards["Choices"]} == {b["name"] for b in BOARDS}
    for choice in boards["Choices"]:
        scrape = choice["Next"]
        assert states[scrape]["Resource"].endswith(":states:::lambda:invoke")
        payload = states[scrape]["Parameters"]["Payload"]
        board = next(b for b in BOARDS if b["name"] == choice["StringEquals"])
        assert (payload["source"], payload["club_id"], payload["menu_id"], payload["backfill.$"]) == (
            board.get("source", "naver_cafe"),
            board["club_id"],
            board["menu_id"],
            "$.backfill",
        )
        more = states[_next(states, scrape)]
        wait = more["Choices"][0]["Next"]  # loops while the scraper says continue...
        assert "continue" in json.dumps(more["Choices"][0])
        # ...through a wait as long as the source asked for (Retry-After outlives an invocation)
        assert states[wait]["Type"] == "Wait" and states[wait]["SecondsPath"] == "$.scrape.result.wait_seconds"
        assert _next(states, wait) == scrape
        assert states[more["Default"]]["Resource"].endswith("aws-sdk:glue:getCrawler")
    # last crawl -> (crawled today? skip) | start crawler -> wait -> READY? -> cleanse -> tokenize -> views
    start = next(k for k, s in states.items() if s.get("Resource", "").endswith("aws-sdk:glue:startCrawler"))
    needed = states[states[more["Default"]]["Next"]]
    assert needed["Choices"][0]["Next"] == start and "$.backfill" in json.dumps(needed["Choices"][0])
    today = states[states[needed["Default"]]["Next"]]
    assert "$$.Execution.StartTime" in json.dumps(states[needed["Default"]])
    assert today["Default"] == start
    crawl_done = next(
        s for s in states.values() if s["Type"] == "Choice" and s["Choices"][0].get("Variable") == "$.crawler.state"
    )
    succeeded = states[crawl_done["Choices"][0]["Next"]]  # READY: did the crawl succeed?
    failed = states[succeeded["Choices"][0]["Next"]]
    assert failed["Type"] == "Pass" and states[failed["Next"]]["Resource"].endswith(":states:::sns:publish")
    assert {c["StringEquals"] for c in succeeded["Choices"][0]["And"][1]["Or"]} == {"FAILED", "CANCELLED"}
    cleanse = succeeded["Default"]
    assert today["Choices"][0]["Next"] == cleanse
    assert states[cleanse]["Parameters"]["JobName"] == "cafelake-cleanse"
    tokenize = _next(states, cleanse)
    assert states[tokenize]["Parameters"]["JobName"] == "cafelake-tokenize"
    compact = _next(states, tokenize)  # closed months made one file per table, after the daily run
    assert states[compact]["Parameters"]["JobName"] == "cafelake-compact"
    assert "Arguments" not in states[compact]["Parameters"]  # no --full: it rewrites closed months only
    step, seen = _next(states, compact), []
    while states[step]["Type"] == "Task":
        assert states[step]["Resource"].endswith("athena:startQueryExecution.sync")
        assert states[step]["Parameters"]["WorkGroup"] == "<ref>"  # the stack's workgroup (test_query)
        seen.append(states[step]["Parameters"]["QueryString"])
        step = _next(states, step)
    assert seen == [v.sql for v in synth.stack.views] and len(seen) == len(views)
    # then the alert step, unless the run was views-only (a deploy's)
    alert = states[step]
    assert alert["Type"] == "Choice" and alert["Choices"][0] == {
        "Variable": "$.viewsOnly",
        "BooleanEquals": True,
        "Next": alert["Choices"][0]["Next"],
    }
    assert states[alert["Choices"][0]["Next"]]["Type"] == "Succeed"
    rising = states[alert["Default"]]
    assert rising["Resource"].endswith("athena:startQueryExecution.sync")
    assert rising["Parameters"]["QueryString"] == LATEST_RISING_SQL and rising["ResultPath"] == "$.rising"
    send = states[rising["Next"]]
    assert send["Resource"].endswith(":states:::lambda:invoke")
    assert send["Parameters"]["Payload"] == {
        "results.$": "$.rising.QueryExecution.ResultConfiguration.OutputLocation",
        "topic": "<ref>",
    }
    assert states[send["Next"]]["Type"] == "Succeed"
    assert {c["ErrorEquals"][0] for c in (*rising["Catch"], *send["Catch"])} == {"States.ALL"}


def test_backfill_runs_jobs_full_and_views_only_mode(synth):
    states = state_machine_definition(synth)["States"]
    for job in ("cafelake-cleanse", "cafelake-tokenize"):
        (task,) = [s for s in states.values() if s.get("Parameters", {}).get("JobName") == job]
        assert task["Resource"].endswith("glue:startJobRun.sync")
        assert task["Parameters"]["Arguments"] == {"--full.$": "States.Format('{}', $.backfill)"}
    mode = states["Views only?"]
    first_view = mode["Choices"][0]["Next"]
    assert states[first_view]["Resource"].endswith("athena:startQueryExecution.sync")


def test_every_task_retries_or_is_caught_into_the_failure_notice(synth):
    states = state_machine_definition(synth)["States"]
    notify = next(k for k, s in states.items() if s.get("Resource", "").endswith(":states:::sns:publish"))
    assert states[_next(states, notify)]["Type"] == "Fail"
    for name, state in states.items():
        if state["Type"] != "Task" or name == notify:
            continue
        assert any(c["ErrorEquals"] == ["States.ALL"] and c["Next"] == notify for c in state.get("Catch", [])), name
        if "startJobRun" in state["Resource"] or "lambda:invoke" in state["Resource"]:
            assert state.get("Retry"), name


def test_state_machine_logs_everything_encrypted_and_traces(synth):
    sm = synth.one("AWS::StepFunctions::StateMachine")["Properties"]
    assert sm["TracingConfiguration"] == {"Enabled": True}
    assert sm["LoggingConfiguration"]["Level"] == "ALL"
    assert sm["LoggingConfiguration"]["IncludeExecutionData"] is True
    for group in synth.resources("AWS::Logs::LogGroup").values():
        assert "KmsKeyId" in group["Properties"]


def test_alarms_publish_to_an_encrypted_topic_with_email(synth):
    ((topic_id, topic),) = synth.resources("AWS::SNS::Topic").items()
    assert "KmsMasterKeyId" in topic["Properties"]
    synth.template.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": ALARM_EMAIL})
    alarms = [a["Properties"] for a in synth.resources("AWS::CloudWatch::Alarm").values()]
    metrics = {a["MetricName"] for a in alarms}
    assert {"ExecutionsFailed", "ExecutionsTimedOut", "Errors"} <= metrics
    assert sum(a["MetricName"] == "Errors" for a in alarms) == len(BOARDS)
    for alarm in alarms:
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]
    rules = {
        r["Properties"]["EventPattern"]["detail-type"][0]: r["Properties"]
        for r in synth.resources("AWS::Events::Rule").values()
    }
    assert set(rules) == {"Glue Job State Change", "Glue Crawler State Change"}
    assert set(rules["Glue Job State Change"]["EventPattern"]["detail"]["jobName"]) == {
        "cafelake-cleanse",
        "cafelake-tokenize",
        "cafelake-compact",
    }
    # a failed crawl alarms even when no execution started it
    assert rules["Glue Crawler State Change"]["EventPattern"]["detail"] == {
        "crawlerName": [synth.one("AWS::Glue::Crawler")["Properties"]["Name"]],
        "state": ["Failed"],
    }
    for rule in rules.values():
        assert rule["Targets"][0]["Arn"] == {"Ref": topic_id}
        assert rule["Targets"][0]["RoleArn"]["Fn::GetAtt"][0].startswith("OrchestrationEventsPublisher")


def test_dashboard_shows_run_metrics(synth):
    body = json.dumps(synth.one("AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"])
    for needle in (
        "ArticlesFetched",
        "Quarantined",
        "glue.driver.aggregate.elapsedTime",
        "ExecutionsSucceeded",
        "cafelake-cleanse",
        "cafelake-tokenize",
        "cafelake-compact",
    ):
        assert needle in body, needle
    # the run metrics carry dimensions (board, service, stage): a `{cafelake}` schema would match none
    assert 'Namespace="cafelake"' in body.replace("\\", ""), body[:2000]
    assert "RecordsQuarantined" in body and "{cafelake}" not in body


def test_a_busy_board_is_retried_before_the_scrape_fails(synth):
    """BoardBusy (another invocation holds the board's lease) is retried for longer than an invocation
    can last (15 minutes), and before the generic task-failure retrier could claim it."""
    from cafelake.collect.lease import BoardBusy

    states = state_machine_definition(synth)["States"]
    scrapes = [
        s
        for s in states.values()
        if s.get("Resource", "").endswith(":states:::lambda:invoke") and "club_id" in s["Parameters"]["Payload"]
    ]
    assert len(scrapes) == len(BOARDS)
    for state in scrapes:
        errors = [r["ErrorEquals"] for r in state["Retry"]]
        busy = next(r for r in state["Retry"] if r["ErrorEquals"] == [BoardBusy.__name__])
        assert errors.index([BoardBusy.__name__]) < errors.index(["States.TaskFailed"])
        waits = [busy["IntervalSeconds"] * busy["BackoffRate"] ** i for i in range(busy["MaxAttempts"])]
        assert sum(waits) > 2 * 15 * 60


def _text(value) -> str:
    """An IAM resource as text: Fn::Join parts concatenated, other intrinsics as <LogicalId>."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        return "".join(_text(p) for p in value["Fn::Join"][1])
    ref = value.get("Ref") or value.get("Fn::GetAtt", [""])[0]
    return f"<{ref}>"


def _statements(synth, prefix):
    for st in policy_statements(synth, prefix):
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        yield actions, [_text(r) for r in resources]


def test_the_state_machine_reads_no_bucket_beyond_the_lake_and_deletes_nothing(synth):
    """CDK's Athena task would grant s3:GetObject/ListBucket/CreateBucket on '*' and Glue deletes: the views'
    grants are written out, on the results bucket, the two zones the views read, and the views."""
    lake = ("<StorageAthenaResults", "<StorageCleansed", "<StorageTokenized")
    s3_seen = set()
    for actions, resources in _statements(synth, "OrchestrationPipelineRole"):
        for action in actions:
            service = action.split(":")[0]
            assert not (resources == ["*"] and service in ("s3", "glue", "athena", "lakeformation")), action
            assert not (service in ("s3", "glue") and "Delete" in action), action
            assert action not in ("s3:CreateBucket", "s3:*", "glue:*"), action
        if any(a.startswith("s3:") for a in actions):
            assert all(r.startswith(lake) for r in resources), resources
            s3_seen |= {p for p in lake for r in resources if r.startswith(p)}
            if any(a.startswith(("s3:Put", "s3:Abort")) for a in actions):
                assert len(resources) == 1 and resources[0].startswith("<StorageAthenaResults")
                assert resources[0].endswith(">/results/*")
    assert s3_seen == set(lake)


def test_the_views_are_the_only_tables_the_state_machine_may_create_or_replace(synth):
    views = {v.name for v in synth.stack.views}
    tables = {t.name for t in CATALOG_TABLES}
    granted: dict[str, set[str]] = {}
    for actions, resources in _statements(synth, "OrchestrationPipelineRole"):
        for action in (a for a in actions if a.startswith("glue:") and "Crawler" not in a and "Job" not in a):
            granted.setdefault(action, set()).update(r.rsplit("/", 1)[1] for r in resources if ":table/" in r)
    assert set(granted) == {
        "glue:GetDatabase",
        "glue:GetDatabases",
        "glue:GetTable",
        "glue:GetTables",
        "glue:CreateTable",
        "glue:UpdateTable",
    }
    assert granted["glue:CreateTable"] == granted["glue:UpdateTable"] == views  # CREATE OR REPLACE VIEW
    assert granted["glue:GetTable"] == views | tables  # what the views read, and the views themselves
