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


def test_an_s3_lake_needs_the_athena_engine(tmp_path):
    result = _run("--lake", "s3://some-bucket/lake", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "LocalAthena reads a local lake folder" in result.output


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
