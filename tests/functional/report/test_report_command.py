"""`cafelake report` refuses what it cannot do with a clear message and a non-zero exit."""

from __future__ import annotations

from typer.testing import CliRunner

from cafelake.cli import _register, app
from cafelake.report.queries import QUERIES
from cafelake.report.visuals import VISUALS


def _run(*args: str):
    _register("report", "Write the report.")
    return CliRunner().invoke(app, ["report", *args])


def test_unknown_engine(tmp_path):
    result = _run("--lake", str(tmp_path), "--out", str(tmp_path / "out"), "--engine", "spark")
    assert result.exit_code == 2  # a UsageError: the call is wrong
    assert "cafelake report: unknown engine 'spark'; use one of local, athena" in result.output
    assert not (tmp_path / "out" / "report.html").exists()


def test_an_s3_lake_without_a_mart_is_refused(tmp_path, moto_server, monkeypatch):
    """A mistyped or empty lake is not an empty report: one line, exit 2 (the page of messages is the
    report of a mart whose views have no rows yet)."""
    monkeypatch.setenv("CAFELAKE_S3_ENDPOINT", moto_server)
    result = _run("--lake", "s3://no-data-yet/lake", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "has no tokenized data" in result.output and "run `cafelake tokenize` first" in result.output
    assert not (tmp_path / "out" / "report.html").exists()


def test_an_unreachable_lake_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CAFELAKE_S3_ENDPOINT", "http://127.0.0.1:9")  # the discard port: nothing listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = _run("--lake", "s3://some-bucket/lake", "--out", str(tmp_path / "out"))
    assert result.exit_code == 3  # a LakeError: the run failed on its way (1 is for failed checks)
    assert result.output.startswith("cafelake report: s3://some-bucket/lake/tokenized: the S3 endpoint does not answer")
    assert "CAFELAKE_S3_ENDPOINT" in result.output and result.output.count("\n") == 1


def test_athena_engine_sends_every_report_query_to_athena(tmp_path, monkeypatch):
    """No AWS here: Athena refuses each query; the report says so view by view, and the command fails."""
    import awswrangler as wr

    sent = []

    def refuse(sql, **kwargs):
        sent.append((sql, kwargs["database"], kwargs["workgroup"]))
        raise PermissionError("no credentials for Athena in this test")

    monkeypatch.setattr(wr.athena, "read_sql_query", refuse)
    monkeypatch.setenv("CAFELAKE_WORKGROUP", "CafeLake-51af3dc0")
    result = _run("--engine", "athena", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output
    charts, views = len(VISUALS), len(QUERIES)
    assert f"{charts} of {charts} charts could not be drawn: daily_trend, posts_by_hour," in result.output
    assert result.stdout.strip() == str(tmp_path / "out" / "report.html")
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert page.count("could not be read (PermissionError: no credentials for Athena in this test)") == charts
    assert len(sent) == views and {(db, wg) for _, db, wg in sent} == {("cafelake", "CafeLake-51af3dc0")}


def test_athena_engine_without_a_workgroup_or_a_deployed_stack_is_a_clear_error(tmp_path, monkeypatch):
    """The workgroup is named per stack: with none given and no stack to read it from, say so, in one line."""
    from moto import mock_aws

    monkeypatch.delenv("CAFELAKE_WORKGROUP", raising=False)
    with mock_aws():  # a CloudFormation with no CafeLake stack in it
        result = _run("--engine", "athena", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2  # a ConfigError: name the workgroup
    assert result.output.startswith("cafelake report: ") and "AthenaWorkGroup" in result.output


def test_a_broken_view_fails_the_command_unless_missing_charts_are_allowed(tmp_path, monkeypatch):
    """One view errors on a lake without posts: only its chart is named; the empty ones are not failures."""
    from cafelake.lake import Lake
    from cafelake.report import queries
    from cafelake.settings import Settings
    from cafelake.tokenize.keywords import groups_dim

    monkeypatch.setitem(queries.QUERIES, "v_top_tokens", "SELECT no_such_column FROM v_top_tokens")
    # a mart with its dimensions and no posts yet
    Lake(str(tmp_path / "lake")).write_table("keyword_groups_dim", groups_dim(Settings.load({}).keyword_groups))
    args = ("--lake", str(tmp_path / "lake"), "--out", str(tmp_path / "out"))
    result = _run(*args)
    assert result.exit_code == 1, result.output
    assert f"1 of {len(VISUALS)} charts could not be drawn: top_tokens\n" in result.output
    assert "top_tokens: The view v_top_tokens could not be read (" in result.output
    assert "--allow-missing" in result.output
    assert (tmp_path / "out" / "report.html").is_file()
    (tmp_path / "out" / "report.html").unlink()
    allowed = _run(*args, "--allow-missing")
    assert allowed.exit_code == 0, allowed.output
    assert f"1 of {len(VISUALS)} charts could not be drawn: top_tokens" in allowed.output
    assert (tmp_path / "out" / "report.html").is_file()
