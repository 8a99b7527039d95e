"""`cafelake report` refuses what it cannot do with a clear message and a non-zero exit."""

from __future__ import annotations

from typer.testing import CliRunner

from cafelake.cli import _register, app


def _run(*args: str):
    _register("report", "Write the report.")
    return CliRunner().invoke(app, ["report", *args])


def test_unknown_engine(tmp_path):
    result = _run("--lake", str(tmp_path), "--out", str(tmp_path / "out"), "--engine", "spark")
    assert result.exit_code == 1
    assert "unknown engine 'spark'" in result.output
    assert not (tmp_path / "out" / "report.html").exists()


def test_an_s3_lake_without_data_gives_a_report_of_messages(tmp_path, moto_server, monkeypatch):
    monkeypatch.setenv("CAFELAKE_S3_ENDPOINT", moto_server)
    result = _run("--lake", "s3://no-data-yet/lake", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<img" not in page and "No posts yet, so no hourly pattern." in page


def test_an_unreachable_lake_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CAFELAKE_S3_ENDPOINT", "http://127.0.0.1:9")  # the discard port: nothing listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = _run("--lake", "s3://some-bucket/lake", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.output.startswith("cafelake report: ") and "some-bucket" in result.output


def test_athena_engine_sends_every_report_query_to_athena(tmp_path, monkeypatch):
    """No AWS here: Athena refuses each query, and the report says so view by view."""
    import awswrangler as wr

    sent = []

    def refuse(sql, **kwargs):
        sent.append((sql, kwargs["database"], kwargs["workgroup"]))
        raise PermissionError("no credentials for Athena in this test")

    monkeypatch.setattr(wr.athena, "read_sql_query", refuse)
    result = _run("--engine", "athena", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert page.count("could not be read (PermissionError: no credentials for Athena in this test)") == 8
    assert len(sent) == 8 and {(db, wg) for _, db, wg in sent} == {("cafelake", "cafelake")}
