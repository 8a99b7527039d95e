"""The rehearsal's runs, in order, each returning what the tests assert and `make rehearse` reports.

1. `first_run`: the board's scheduled run on the fresh deployment. Its first scraper invocation
   is handed only 2 s of its budget and the sample server answers its second request with a 429
   and `Retry-After: 3`, so the invocation stops with `continue` and `wait_seconds: 3`, and the
   state machine's loop waits and invokes again (in a real run that takes a 14-minute invocation).
   The board (`sample_corpus`) has ten weeks and a 수족구 outbreak planted in its last week, so the
   alert step after the views finds that group rising and publishes it to the topic.
2. `local_differences`: what the scraper wrote, through the local pipeline (the CLI), compared.
3. `second_run`: the schedule again, with nothing new on the board: every object of the zones but the
   board's checkpoint and lease (which each invocation writes) and the cleanse's and tokenize's locks
   (which each run takes and gives back) must stay as it was, and the only new
   objects must be the run records each run adds (`_runs/<scrape|cleanse|tokenize>/<run id>.json`);
   the alert step finds the same rising group in its ledger and publishes nothing.
4. `spark_tokenize`: the tokenize job run with `--engine spark` (StartJobRun overrides), in the
   job's Glue environment: the zip of wheels' numpy, pandas and pyarrow replace Glue's, and Spark's
   Arrow path runs on them. Spark reads and writes S3 through Glue's EMRFS, which plain pyspark
   lacks: this run reads a copy of the cleansed bucket in a local folder and writes another.
5. `failed_glue_run`: the pseudonym key secret holds JSON without a key (a wrong paste), so
   cleanse fails, is retried, and fails into the catch: the execution fails after the topic is told.
6. `failed_crawl`: a backfill whose crawl fails: the state machine reads `LastCrawl.Status` and goes
   to the failure branch (defect 7 left it going on into cleanse).
7. `busy_board_run`: the schedule while another invocation holds the board's lease for a few more
   seconds: the scraper answers `BoardBusy`, the state machine retries it (the retry intervals are
   recorded, not waited), and once the lease has run out an invocation takes it over and the run
   goes on.
8. `wrong_region_run`: the tokenize job run with `--region us-east-1` (a StartJobRun override): the job
   takes its region from the argument, so its S3 requests are signed for us-east-1 and S3's region
   check (`s3_region`) refuses them, as S3 would the requests of a job that fell back to us-east-1.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from cafelake.lake import Lake
from cafelake.lease import lock_key
from cafelake.raw import lease_key, state_key
from cafelake.runs import RECORDED_STAGES, RUN_ZONES, iso_z, utcnow
from cafelake.sources.naver_cafe.corpus import DEFAULT_END_DATE, Corpus
from cafelake.sources.naver_cafe.corpus.outbreak import Outbreak
from cafelake.sources.naver_cafe.server import FaultConfig, NaverServer

from .assembly import Assembly
from .glue import RunResult
from .outcome import copy_zone, differences, local_run, snapshot, table_rows
from .rehearsal import Execution, Rehearsal

SAMPLE_POSTS = 300
SAMPLE_DAYS = 70  # ten weeks: the eight of the rising test's trailing window before the outbreak's week
OUTBREAK_FACTOR = 80.0  # 수족구's weight that week: about two thirds of its posts, against ~1.5 expected
FIRST_BUDGET_S = 2  # what the first invocation may spend before its safety margin
RETRY_AFTER_S = 3
CRAWL_ERROR = "Internal Service Exception (rehearsed crawl failure)"
WRONG_REGION = "us-east-1"
OTHER_HOLDER = "an-overlapping-invocation"
LEASE_HELD_S = 3  # how much longer the other invocation's lease runs when the schedule fires
# `<bucket>/<zone prefix>/_runs/<component>/<run id>.json`: the record a run adds of itself.
RUN_RECORD = re.compile(r"^[^/]+/(?:.+/)?_runs/(scrape|cleanse|tokenize|compact)/[^/]+\.json$")


def sample_corpus(club_id: str, menu_id: str) -> Corpus:
    """The rehearsed board, its 수족구 outbreak in the week of its end date (Monday to the end date).

    That is the latest complete week the view sees after a run: the scrape comes after the end date, and the
    posts Naver shows with a relative date ("21:13", "어제") are dated by the fetch, after that week's Sunday.
    """
    monday = DEFAULT_END_DATE - timedelta(days=DEFAULT_END_DATE.weekday())
    outbreak = Outbreak("hand_foot", OUTBREAK_FACTOR, monday, DEFAULT_END_DATE + timedelta(days=1))
    return Corpus(posts=SAMPLE_POSTS, days=SAMPLE_DAYS, club_id=club_id, menu_id=menu_id, outbreak=outbreak)


def sample_server(corpus: Corpus) -> NaverServer:
    """The board, served on loopback, throttling its second request once (see the module docstring)."""
    return NaverServer(corpus, faults=FaultConfig(schedule={2: "429"}, retry_after=RETRY_AFTER_S))


def board_of(assembly: Assembly) -> tuple[str, str, str, str]:
    """(name, source, club_id, menu_id) of the first board the state machine scrapes (read before any deploy:
    references inside the definition's strings stand as "ref")."""
    (machine,) = (r for r in assembly.template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine")
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    definition = json.loads("".join(p if isinstance(p, str) else "ref" for p in parts))
    for state in definition["States"].values():
        payload = state.get("Parameters", {}).get("Payload", {})
        if "club_id" in payload:
            return payload["name"], payload["source"], payload["club_id"], payload["menu_id"]
    raise LookupError("the state machine scrapes no board")


def first_run(r: Rehearsal, board: str) -> Execution:
    scraper = r.scraper(board)
    margin = float(scraper["Environment"]["Variables"]["CAFELAKE_BUDGET_MARGIN_S"])
    r.services.lambdas.time_used_next = scraper["Timeout"] - margin - FIRST_BUDGET_S
    return r.run_schedule(board)


def pseudonym_key(r: Rehearsal) -> str:
    """The key the deployed cleanse job reads (its --pseudonym_secret_id)."""
    return r.secret_value(r.job_argument("cafelake-cleanse", "--pseudonym_secret_id"))


def local_differences(r: Rehearsal, folder: Path) -> dict[str, str]:
    local_run(r.client("s3"), r.lake().zone_roots["raw"], folder, pseudonym_key(r))
    return differences(
        r.lake(), r.services.athena.engine(r.properties("AWS::Glue::Database")["DatabaseInput"]["Name"]), folder
    )


@dataclass
class SecondRun:
    execution: Execution
    before: dict[str, str]
    after: dict[str, str]

    @property
    def changed(self) -> list[str]:
        """Objects rewritten or removed."""
        return sorted(k for k in self.before if self.before[k] != self.after.get(k))

    def added(self) -> list[str]:
        """New objects: a run record as its component's name (scrape, cleanse, tokenize, compact), anything else
        whole."""
        return sorted(m.group(1) if (m := RUN_RECORD.search(k)) else k for k in self.after.keys() - self.before.keys())


def second_run(r: Rehearsal, board: str, source: str, club_id: str, menu_id: str) -> SecondRun:
    s3 = r.client("s3")
    rewritten = [
        ("raw", state_key(source, club_id, menu_id)),
        ("raw", lease_key(source, club_id, menu_id)),
        *((RUN_ZONES[stage], lock_key(stage)) for stage in RECORDED_STAGES),  # each run takes its stage's lock
    ]
    before = snapshot(s3, r.lake(), rewritten)
    execution = r.run_schedule(board)
    return SecondRun(execution, before, snapshot(s3, r.lake(), rewritten))


@dataclass
class SparkRun:
    result: RunResult
    versions: dict[str, str]  # what the job's environment holds
    differences: dict[str, str] = field(default_factory=dict)


def spark_tokenize(r: Rehearsal, folder: Path) -> SparkRun:
    lake = r.lake()
    copy_zone(r.client("s3"), lake.zone_roots["cleansed"], folder / "cleansed")
    run_id = r.client("glue").start_job_run(
        JobName="cafelake-tokenize",
        Arguments={
            "--engine": "spark",
            "--full": "true",
            "--cleansed_uri": str(folder / "cleansed"),
            "--tokenized_uri": str(folder / "tokenized"),
        },
    )["JobRunId"]
    result = r.services.job_runs[run_id][1]
    out = SparkRun(result, r.services.glue.versions(result.environment, ("numpy", "pandas", "pyarrow", "pyspark")))
    if result.state == "SUCCEEDED":
        spark = Lake(str(folder), zone_roots={z: str(folder / z) for z in ("cleansed", "tokenized")})
        for name in ("posts_dim", "tokens_fact", "post_keyword_groups", "token_daily_counts"):
            if table_rows(lake, name) != table_rows(spark, name):
                out.differences[name] = "the python and spark engines disagree"
    return out


@dataclass
class FailedRun:
    execution: Execution
    notifications: list[dict]  # what the alarm topic published during the run
    job_states: list[str] = field(default_factory=list)


def _with_notifications(r: Rehearsal, run) -> tuple[Execution, list[dict]]:
    topic = r.topic_arn()
    seen = len(r.notifications(topic))
    execution = run()
    return execution, r.notifications(topic)[seen:]


def failed_glue_run(r: Rehearsal, board: str) -> FailedRun:
    secrets = r.client("secretsmanager")
    arn = r.job_argument("cafelake-cleanse", "--pseudonym_secret_id")
    key = secrets.get_secret_value(SecretId=arn)["SecretString"]
    runs_before = set(r.services.job_runs)
    secrets.put_secret_value(SecretId=arn, SecretString="{}")
    try:
        execution, published = _with_notifications(r, lambda: r.run_schedule(board))
    finally:
        secrets.put_secret_value(SecretId=arn, SecretString=key)
    states = [res.state for rid, (_, res) in r.services.job_runs.items() if rid not in runs_before]
    return FailedRun(execution, published, states)


def failed_crawl(r: Rehearsal, board: str) -> FailedRun:
    r.services.crawls.fail_next(CRAWL_ERROR)
    execution, published = _with_notifications(r, lambda: r.wait(r.start({"board": board, "backfill": True})))
    return FailedRun(execution, published)


@dataclass
class BusyRun:
    execution: Execution
    busy_answers: int  # scraper invocations that found the lease held
    retry_waits: list[float]  # the retry intervals of the run
    lease: dict  # the lease document after the run


def busy_board_run(r: Rehearsal, board: str, source: str, club_id: str, menu_id: str) -> BusyRun:
    lake, key = r.lake(), lease_key(source, club_id, menu_id)
    now = utcnow()
    lake.put_bytes(
        "raw",
        key,
        json.dumps(
            {
                "holder": OTHER_HOLDER,
                "taken_at": iso_z(now),
                "released": False,
                "expires_at": iso_z(now + timedelta(seconds=LEASE_HELD_S)),
            }
        ).encode(),
    )
    seen, waits = len(r.services.lambdas.invocations), len(r.services.retry_waits)
    execution = r.run_schedule(board)
    busy = [
        inv
        for _, inv in r.services.lambdas.invocations[seen:]
        if inv.error and inv.payload.get("errorType") == "BoardBusy"
    ]
    return BusyRun(execution, len(busy), r.services.retry_waits[waits:], json.loads(lake.get_bytes("raw", key)))


def wrong_region_run(r: Rehearsal) -> RunResult:
    """The tokenize job told it runs in us-east-1 (see the module docstring)."""
    run_id = r.client("glue").start_job_run(JobName="cafelake-tokenize", Arguments={"--region": WRONG_REGION})[
        "JobRunId"
    ]
    return r.services.job_runs[run_id][1]
