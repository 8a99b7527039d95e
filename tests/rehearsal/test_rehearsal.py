"""The rehearsal, end to end: `cdk synth`'s cloud assembly deployed to a local AWS and run as AWS would run it.

One deployment for the module; its runs follow `cafelake_rehearsal.scenarios` in order (the tests are in
that order too). Each step's time is printed at the end of the session.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from rehearsal_helpers import ROOT, TIMINGS, timed
from typer.testing import CliRunner

from cafelake_rehearsal import scenarios
from cafelake_rehearsal.assembly import Assembly
from cafelake_rehearsal.checks import state_machine_s3_outside
from cafelake_rehearsal.glue import GlueRunner
from cafelake_rehearsal.rehearsal import Execution, Rehearsal

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
SHIPPED = ("numpy", "pandas", "pyarrow")


@dataclass
class Rehearsed:
    r: Rehearsal
    board: str
    source: str
    corpus: object
    first: Execution
    workdir: Path


@pytest.fixture(scope="module")
def assembly(tmp_path_factory) -> Assembly:
    # Always: the jobs run the cafelake wheel inside their zips, so the zips must hold today's code (the build
    # is reproducible, and reuses the third-party wheels it has).
    timed(
        "0 build the Glue jobs' zips of wheels",
        subprocess.run,
        [sys.executable, str(ROOT / "scripts" / "build_glue_artifacts.py")],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return timed(
        "1 cdk synth (pinned CLI, Lambda bundling on)",
        Assembly.synth,
        ROOT,
        tmp_path_factory.mktemp("rehearsal") / "cdk.out",
    )


@pytest.fixture(scope="module")
def rehearsed(assembly, envs, tmp_path_factory):
    board, source, club_id, menu_id = scenarios.board_of(assembly)
    corpus = scenarios.sample_corpus(club_id, menu_id)
    workdir = tmp_path_factory.mktemp("rehearsal-work")
    with scenarios.sample_server(corpus) as server, Rehearsal(assembly, workdir, envs, server.base_url) as r:
        timed("2 deploy: publish assets, create resources, views-only execution", r.deploy)
        TIMINGS.update({f"  2.{i + 1} {k}": v for i, (k, v) in enumerate(r.timings.items())})
        for response in r.framework.responses:
            views = r.client("stepfunctions").describe_execution(executionArn=response.data["ExecutionArn"])
            ran = views["stopDate"] - views["startDate"]
            TIMINGS["      of which the views-only execution"] = ran.total_seconds()
        first = timed(
            "3 first scheduled run (scrape loop, crawl, cleanse, tokenize, compact, views)",
            scenarios.first_run,
            r,
            board,
        )
        for _, (run, result) in r.services.job_runs.items():
            TIMINGS[f"  3 {run.job_name}: install {result.install_seconds:.1f} s of"] = result.seconds
        yield Rehearsed(r, board, source, corpus, first, workdir)


def test_every_asset_is_published_where_the_template_looks_for_it(rehearsed):
    r = rehearsed.r
    assert len(r.published) == len(r.assembly.asset_manifest["files"])
    s3 = r.client("s3")
    for job in ("cafelake-cleanse", "cafelake-tokenize"):
        props = r.properties("AWS::Glue::Job", job)
        modules = props["DefaultArguments"]["--additional-python-modules"].split(",")
        for url in (props["Command"]["ScriptLocation"], *modules):
            bucket, _, key = url.removeprefix("s3://").partition("/")
            s3.head_object(Bucket=bucket, Key=key)
    code = r.scraper(rehearsed.board)["Code"]
    s3.head_object(Bucket=code["S3Bucket"], Key=code["S3Key"])


def test_the_deploy_created_the_views_by_running_the_views_only_execution_and_waiting_for_it(rehearsed):
    """Views on deploy (defect 6): CloudFormation's request reached our handler through the Provider framework,
    the handler ran as the Lambda runtime runs it, started the views-only execution and answered only once it
    had succeeded; every view was created by it, before the first scheduled run."""
    r = rehearsed.r
    (views_lid,) = r.resolver.of_type("Custom::Views")
    (response,) = r.framework.responses
    fingerprint = r.properties("Custom::Views")["Fingerprint"]
    assert response.status == "SUCCESS" and response.physical_id == f"views-{fingerprint}"
    assert r.provisioned.created[views_lid] == "Custom::Views"
    execution = r.wait(response.data["ExecutionArn"])
    assert execution.status == "SUCCEEDED" and execution.input == {"viewsOnly": True}
    views = [s for s in execution.entered() if s.startswith("View ")]
    assert len(views) == len(list((ROOT / "athena_queries" / "views").glob("*.sql")))
    assert "Which board?" not in execution.entered()
    (invocation,) = [inv for fn, inv in r.services.lambdas.invocations if fn.handler == "deploy_views.handler"]
    assert not invocation.error and invocation.payload["Data"]["ExecutionArn"] == execution.arn
    described = r.client("stepfunctions").describe_execution(executionArn=execution.arn)
    assert described["stopDate"] <= response.answered_at  # answered only after the execution had ended
    order = list(r.provisioned.created)
    assert all(order.index(dep) < order.index(views_lid) for dep in r.resolver.dependencies(views_lid))


def test_the_per_stack_names_are_the_ones_the_jobs_crawler_and_state_machine_use(rehearsed):
    """Defect 3: the workgroup and the security configuration are named after the stack and its id; the jobs and
    crawler name the security configuration that was created, the view tasks the workgroup that was created."""
    r = rehearsed.r
    stack_block = r.resolver.stack_id.split("/")[-1].split("-")[0]
    workgroup = r.properties("AWS::Athena::WorkGroup")["Name"]
    assert workgroup == f"{r.assembly.stack}-{stack_block}"
    r.client("athena").get_work_group(WorkGroup=workgroup)
    security = r.properties("AWS::Glue::SecurityConfiguration")["Name"]
    assert security.startswith(f"{r.assembly.stack}-") and security.endswith(f"-{stack_block}")
    glue = r.client("glue")
    glue.get_security_configuration(Name=security)
    for job in ("cafelake-cleanse", "cafelake-tokenize"):
        assert glue.get_job(JobName=job)["Job"]["SecurityConfiguration"] == security
    (crawler,) = r.resolver.of_type("AWS::Glue::Crawler")
    name = r.resolver.ref(crawler)
    assert glue.get_crawler(Name=name)["Crawler"]["CrawlerSecurityConfiguration"] == security
    definition = json.loads(r.properties("AWS::StepFunctions::StateMachine")["DefinitionString"])
    assert {
        s["Parameters"]["WorkGroup"]
        for s in definition["States"].values()
        if s.get("Resource", "").endswith(":athena:startQueryExecution.sync")
    } == {workgroup}


def test_the_scheduled_run_goes_through_every_step(rehearsed):
    first, r = rehearsed.first, rehearsed.r
    assert first.status == "SUCCEEDED", [(run.job_name, res.error) for run, res in r.services.job_runs.values()]
    entered = first.entered()
    scrape = next(s for s in entered if s.endswith(": scrape"))
    assert entered.count(scrape) == 2 and any(s.endswith(": wait as the source asked") for s in entered)
    for state in (
        "Crawl raw",
        "Wait for crawler",
        "Crawler state",
        "Cleanse",
        "Tokenize",
        "Compact",
        "Rising groups",
        "Send new alerts",
        "Done",
    ):
        assert state in entered, state
    views = [s for s in entered if s.startswith("View ")]
    assert len(views) == len(list((ROOT / "athena_queries" / "views").glob("*.sql")))
    # the source's Retry-After, then the crawler's polls: each Wait as long as the definition asks
    assert r.services.waits[-3:] == [scenarios.RETRY_AFTER_S, 30, 30]
    scraper = [inv.payload for fn, inv in r.services.lambdas.invocations if fn.handler == "handler.handler"]
    payloads = scraper[-2:]  # the alert function is invoked after them
    assert payloads[0]["continue"] and payloads[0]["wait_seconds"] == scenarios.RETRY_AFTER_S
    assert payloads[1]["complete"] and payloads[1]["articles_fetched"] == len(rehearsed.corpus)


def test_the_glue_jobs_installed_their_zip_of_wheels_over_glues_own_modules(rehearsed):
    """Defect 1 and 9: pip took each job's .gluewheels.zip (the wheels under their own names), and the
    wheels' numpy, pandas and pyarrow replaced Glue's 1.26.4, 2.2.2 and 17.0.0 in the job's Python."""
    manifest = json.loads((ROOT / "build" / "glue" / "manifest.json").read_text())
    shipped = {a["role"]: a["version"] for a in manifest["artifacts"]}
    runs = list(rehearsed.r.services.job_runs.values())
    assert {run.job_name for run, _ in runs} >= {"cafelake-cleanse", "cafelake-tokenize", "cafelake-compact"}
    for run, result in runs:
        assert result.state == "SUCCEEDED", result.log.read_text()[-3000:]
        assert run.arguments["--additional-python-modules"].endswith(".gluewheels.zip")
        assert GlueRunner.versions(result.environment, SHIPPED) == {n: shipped[n] for n in SHIPPED}


def test_the_scraper_ran_no_compiled_code_the_arm64_runtime_would_run_differently(rehearsed):
    compiled, unrehearsed = rehearsed.r.services.lambdas.compiled_findings()
    assert unrehearsed == []
    assert compiled and all(c.fallback for c in compiled if c.loads_on_runtime and "." in c.module)


def test_the_buckets_hold_what_a_local_run_of_the_board_makes(rehearsed):
    """posts_dim, tokens_fact and every view: the same rows as the CLI's run over a local lake holding what
    the scraper fetched, with the pseudonym key the deployed cleanse job read from Secrets Manager."""
    folder = rehearsed.workdir / "local-lake"
    got = timed("4 local pipeline run (CLI) and comparison", scenarios.local_differences, rehearsed.r, folder)
    assert got == {}
    assert len(scenarios.table_rows(rehearsed.r.lake(), "tokens_fact")) > 0


def test_the_compact_step_left_one_file_per_closed_month_of_every_table(rehearsed):
    """The corpus's posts end before the current KST month: every month of posts and the mart is closed,
    so the compact job made each one a single month file, in both zones' buckets; the quarantine's days
    (ingest dates: today) are in the open month and stay day files."""
    from cafelake.compact import current_month
    from cafelake.schemas import TABLES

    lake = rehearsed.r.lake()
    closed = 0
    for tdef in (t for t in TABLES.values() if t.partitioned):
        for month, files in lake.month_files(tdef).items():
            if month < current_month():
                assert [f.compacted for f in files] == [True], (tdef.name, month, [f.key for f in files])
                closed += 1
            else:
                assert not any(f.compacted for f in files), (tdef.name, month)
    assert closed >= 3 * 6  # three months (late August to October) of posts and five mart tables


def _alerts(r: Rehearsal) -> list[dict]:
    return [n for n in r.notifications(r.topic_arn()) if "rising" in (n["subject"] or "")]


def test_the_first_run_publishes_the_planted_rising_group_to_the_topic(rehearsed):
    """The alert step: Athena's CSV result of the rising-groups query, read by the alert function as the
    Lambda runtime runs it, one notice on the (moto) topic in Korean and English, and the ledger entry."""
    r, wave = rehearsed.r, rehearsed.corpus.outbreak
    (note,) = _alerts(r)
    week = wave.start.isocalendar()
    assert note["subject"] == f"[cafelake] 급상승 수족구 / rising: hand_foot ({week.year}-W{week.week:02d})"
    body = note["message"]
    assert "'수족구' 키워드 그룹의 질문이 급증했습니다." in body and "is rising" in body
    assert f"{wave.start.isoformat()} ~ " in body and "expected" in body and "기대값" in body
    urls = [line[2:] for line in body.splitlines() if line.startswith("- https://")]
    assert len(urls) == 3 and all(f"/{rehearsed.corpus.club_id}/" in u for u in urls)
    (send,) = [inv for fn, inv in r.services.lambdas.invocations if fn.handler == "send_alerts.handler"]
    assert not send.error and send.payload == {"rising": 1, "sent": [f"hand_foot@{wave.start.isoformat()}"]}
    ledger = json.loads(r.lake().get_bytes("tokenized", f"_alerts/{wave.start.isoformat()}/hand_foot.json"))
    assert ledger["status"] == "sent" and ledger["posts"] >= 5


@pytest.fixture(scope="module")
def second(rehearsed) -> scenarios.SecondRun:
    corpus = rehearsed.corpus
    return timed(
        "5 second scheduled run (nothing new)",
        scenarios.second_run,
        rehearsed.r,
        rehearsed.board,
        rehearsed.source,
        corpus.club_id,
        corpus.menu_id,
    )


def test_a_second_run_with_nothing_new_changes_nothing(second):
    assert second.execution.status == "SUCCEEDED", (second.execution.error, second.execution.cause)
    assert second.before and second.changed == [], second.changed
    # one run record each, nothing else: the closed months were compacted by the first run
    assert second.added() == ["cleanse", "compact", "scrape", "tokenize"]
    assert "Crawl raw" not in second.execution.entered()  # crawled today already


def test_a_second_run_publishes_the_rising_group_no_second_time(rehearsed, second):
    assert "Send new alerts" in second.execution.entered()
    assert second.execution.output["alerts"]["result"] == {"rising": 1, "sent": []}
    assert len(_alerts(rehearsed.r)) == 1


def test_an_overlapping_invocation_is_waited_for_through_the_boards_lease(rehearsed, second):
    """Defect 2: one scraper per board without reserved concurrency. The lease is taken with conditional puts on
    the raw bucket; while another invocation holds it the scraper answers BoardBusy and the state machine retries
    (60 s, then longer: recorded, not waited); an invocation takes the lease over once it has run out, the run
    goes on, and the lease is given back."""
    corpus = rehearsed.corpus
    run = timed(
        "5b scheduled run while another invocation holds the lease",
        scenarios.busy_board_run,
        rehearsed.r,
        rehearsed.board,
        rehearsed.source,
        corpus.club_id,
        corpus.menu_id,
    )
    assert run.execution.status == "SUCCEEDED", (run.execution.error, run.execution.cause)
    assert run.busy_answers >= 1 and run.retry_waits == [60 * 1.5**i for i in range(run.busy_answers)]
    assert run.lease["holder"] != scenarios.OTHER_HOLDER and run.lease["released"] is True


def test_the_smoke_command_follows_the_deployed_state_machine(rehearsed, second, monkeypatch):
    from cafelake.cli import _register, app

    monkeypatch.setenv("AWS_DEFAULT_REGION", rehearsed.r.region)
    monkeypatch.setenv("AWS_REGION", rehearsed.r.region)
    _register("aws", "smoke test")
    result = timed(
        "6 cafelake aws smoke against the rehearsal",
        CliRunner().invoke,
        app,
        [
            "aws",
            "smoke",
            "--board",
            rehearsed.board,
            "--state-machine-arn",
            rehearsed.r.state_machine_arn(),
            "--poll",
            "0.2",
            "--timeout",
            "600",
        ],
    )
    assert result.exit_code == 0, result.output
    for step in ("> Cleanse", "< Tokenize", "> Done"):
        assert step in result.output, step
    assert result.output.splitlines()[-1] == "SUCCEEDED"


def test_the_spark_engine_runs_on_the_shipped_numpy_pandas_pyarrow(rehearsed, second):
    """Defect 9: in the job's Python the zip's pyarrow and pandas replace Glue's, and Spark's Arrow
    path (mapInArrow, the collect to Arrow) works on them and writes what the python engine wrote."""
    run = timed(
        "7 tokenize job with --engine spark", scenarios.spark_tokenize, rehearsed.r, rehearsed.workdir / "spark"
    )
    log = run.result.log.read_text()
    assert run.result.state == "SUCCEEDED", log[-3000:]
    assert "--engine spark" in log and "sc.setLogLevel" in log  # a SparkSession started, in the job's Python
    manifest = json.loads((ROOT / "build" / "glue" / "manifest.json").read_text())
    shipped = {a["role"]: a["version"] for a in manifest["artifacts"]}
    assert run.versions == {**{n: shipped[n] for n in SHIPPED}, "pyspark": "3.5.4"}
    assert run.differences == {}


def test_a_failed_glue_run_reaches_the_topic_through_the_catch(rehearsed, second):
    run = timed(
        "8 failed cleanse run (unreadable pseudonym key)", scenarios.failed_glue_run, rehearsed.r, rehearsed.board
    )
    assert run.execution.status == "FAILED" and run.execution.error == "PipelineFailed"
    assert run.job_states == ["FAILED", "FAILED"]  # the catch comes after the one retry, a minute later
    assert rehearsed.r.services.retry_waits[-1] == 60
    (note,) = run.notifications
    message = json.loads(note["message"])
    assert note["subject"] == "cafelake pipeline failed" and message["input"]["board"] == rehearsed.board
    assert message["error"]["Error"] == "States.TaskFailed" and "without a 'key' field" in message["error"]["Cause"]


def test_a_failed_crawl_reaches_the_topic(rehearsed, second):
    run = timed("9 backfill whose crawl fails", scenarios.failed_crawl, rehearsed.r, rehearsed.board)
    assert "Crawl raw" in run.execution.entered()
    assert run.execution.status == "FAILED" and len(run.notifications) == 1
    assert "Cleanse" not in run.execution.entered()


def test_the_jobs_run_in_the_stacks_region_and_a_job_signing_for_another_is_refused(rehearsed, second):
    """Defect 8: the jobs get the stack's region as --region, and take it from there; in this region
    (ap-northeast-2) S3's region check refuses a job that signs for us-east-1, as S3 would."""
    r = rehearsed.r
    assert r.region != scenarios.WRONG_REGION and r.region_check.refused == []  # every run so far signed right
    for job in ("cafelake-cleanse", "cafelake-tokenize"):
        assert r.job_argument(job, "--region") == r.region
    result = timed("10 tokenize job told it runs in us-east-1", scenarios.wrong_region_run, r)
    assert result.state == "FAILED" and "the region 'us-east-1' is wrong; expecting 'ap-northeast-2'" in result.error
    lake_buckets = {root.removeprefix("s3://").split("/")[0] for root in r.lake().zone_roots.values()}
    assert {(bucket, signed) for bucket, signed, _ in r.region_check.refused} <= {
        (b, scenarios.WRONG_REGION) for b in lake_buckets
    }
    assert r.region_check.refused


def test_the_state_machine_role_reaches_only_the_lake_and_results_buckets(rehearsed):
    r = rehearsed.r
    lake = [url.removeprefix("s3://") for url in r.lake().zone_roots.values()]
    results = (
        r.properties("AWS::Athena::WorkGroup")["WorkGroupConfiguration"]["ResultConfiguration"]["OutputLocation"]
        .removeprefix("s3://")
        .split("/")[0]
    )
    assert state_machine_s3_outside(r.resolver, lake, results) == []
