"""The Athena workgroup and the views' SQL the stack runs."""

from __future__ import annotations

from cafelake.athena import sqlfiles


def test_workgroup_enforces_v3_encryption_cutoff_metrics(synth):
    conf = synth.one("AWS::Athena::WorkGroup")["Properties"]["WorkGroupConfiguration"]
    assert conf["EngineVersion"]["SelectedEngineVersion"] == "Athena engine version 3"
    assert conf["EnforceWorkGroupConfiguration"] is True
    assert conf["PublishCloudWatchMetricsEnabled"] is True
    assert conf["BytesScannedCutoffPerQuery"] == 1024 * 1024 * 1024  # cdk.json: 1024 MB
    result = conf["ResultConfiguration"]
    assert result["EncryptionConfiguration"]["EncryptionOption"] == "SSE_KMS"
    assert result["OutputLocation"]["Fn::Join"][1][1]["Ref"].startswith("StorageAthenaResults")


def test_views_are_every_view_file_in_dependency_order(synth):
    names = [v.name for v in synth.stack.views]
    assert sorted(names) == sorted(p.stem for p in (sqlfiles.sql_dir() / "views").glob("*.sql"))
    for i, view in enumerate(synth.stack.views):
        assert view.sql.upper().startswith("CREATE OR REPLACE VIEW")
        assert "${" not in view.sql.replace("${dt}", "")
        reads = sqlfiles.SqlFile(view.name, sqlfiles.sql_dir(), view.sql).tables()
        assert not (reads & set(names[i:])), f"{view.name} is created before a view it reads"
