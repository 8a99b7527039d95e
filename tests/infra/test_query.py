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


STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/CafeLake/{}-da77-11e4-872e-1234567db123"


def _name(synth, rtype: str, stack_uuid: str = "51af3dc0") -> str:
    """A resource's Name as CloudFormation would make it in a stack of this id."""
    from infra_helpers import resolve

    return resolve(synth.one(rtype)["Properties"]["Name"], {"AWS::StackId": STACK_ID.format(stack_uuid)})


def test_a_redeploy_after_destroy_meets_no_leftover_name(synth):
    """The workgroup (which holds no data) is deleted with the stack, and its name, like the Glue security
    configuration's, belongs to one stack: a new stack (same name, new id) gets new names."""
    workgroup = synth.one("AWS::Athena::WorkGroup")
    assert workgroup["DeletionPolicy"] == "Delete" and workgroup["UpdateReplacePolicy"] == "Delete"
    assert workgroup["Properties"]["RecursiveDeleteOption"] is True
    assert "DeletionPolicy" not in synth.one("AWS::Glue::SecurityConfiguration")
    assert _name(synth, "AWS::Athena::WorkGroup") == "CafeLake-51af3dc0"
    for rtype in ("AWS::Athena::WorkGroup", "AWS::Glue::SecurityConfiguration"):
        first, redeployed = _name(synth, rtype), _name(synth, rtype, "7a90c1e2")
        assert first != redeployed and first.startswith("CafeLake-") and redeployed.endswith("-7a90c1e2"), rtype


def test_everything_that_names_the_workgroup_names_the_stacks_workgroup(synth):
    """The view tasks, the state machine's Athena grant and the stack output all follow the workgroup."""
    import json

    from infra_helpers import resolve

    refs = {k: k for k in synth.raw["Resources"]} | {f"{k}.Arn": f"arn:{k}" for k in synth.raw["Resources"]}
    name = _name(synth, "AWS::Athena::WorkGroup")
    assert resolve(synth.raw["Outputs"]["AthenaWorkGroup"]["Value"], refs) == name
    sm = synth.one("AWS::StepFunctions::StateMachine")["Properties"]
    views = [
        s
        for s in json.loads(resolve(sm["DefinitionString"], refs))["States"].values()
        if s.get("Resource", "").endswith("athena:startQueryExecution.sync")
    ]
    assert views and {s["Parameters"]["WorkGroup"] for s in views} == {name}
    grants = json.dumps(
        resolve(
            [
                p["Properties"]["PolicyDocument"]
                for k, p in synth.resources("AWS::IAM::Policy").items()
                if k.startswith("OrchestrationPipelineRole")
            ],
            refs,
        )
    )
    assert f':workgroup/{name}"' in grants and ':workgroup/cafelake"' not in grants


def test_the_security_configuration_is_renamed_when_it_changes_and_only_then(synth):
    """Its properties can only be replaced: the replacement needs a new name, and an unchanged one must keep
    its name (else every deploy would replace it)."""
    import aws_cdk as cdk
    from aws_cdk import aws_secretsmanager as secretsmanager
    from aws_cdk.assertions import Template
    from infra_helpers import resolve

    from cafelake_infra.assets import GlueArtifacts
    from cafelake_infra.jobs import Jobs
    from cafelake_infra.storage import Storage

    def configuration(storage_id: str) -> tuple[dict, str]:
        stack = cdk.Stack(cdk.App(), "CafeLake")
        Jobs(
            stack,
            "Jobs",
            settings=synth.stack.settings,
            storage=Storage(stack, storage_id, retain=True),
            artifacts=GlueArtifacts(),
            pseudonym_key=secretsmanager.Secret(stack, "Key"),
        )
        (conf,) = Template.from_stack(stack).find_resources("AWS::Glue::SecurityConfiguration").values()
        return conf["Properties"]["EncryptionConfiguration"], resolve(conf["Properties"]["Name"], {})

    same, other = configuration("Storage"), configuration("OtherStorage")  # the other: another KMS key
    assert configuration("Storage") == same
    assert other[0] != same[0] and other[1] != same[1]
