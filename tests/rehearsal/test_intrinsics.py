"""Intrinsic functions resolved as CloudFormation resolves them, physical names as it makes them."""

from __future__ import annotations

import re

import pytest

from cafelake_rehearsal.intrinsics import Resolver, UnresolvedValue

TEMPLATE = {
    "Parameters": {"BootstrapVersion": {"Type": "String", "Default": "/cdk-bootstrap/hnb659fds/version"}},
    "Resources": {
        "Raw": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Named": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "my-bucket"}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Job": {"Type": "AWS::Glue::Job", "Properties": {"Name": "cafelake-cleanse"}},
        "Db": {"Type": "AWS::Glue::Database", "Properties": {"DatabaseInput": {"Name": "cafelake"}}},
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"StateMachineName": "pipe"}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        "WorkGroup": {
            "Type": "AWS::Athena::WorkGroup",
            "Properties": {
                "Name": {
                    "Fn::Join": [
                        "-",
                        [
                            {"Ref": "AWS::StackName"},
                            {
                                "Fn::Select": [
                                    0,
                                    {
                                        "Fn::Split": [
                                            "-",
                                            {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]},
                                        ]
                                    },
                                ]
                            },
                        ],
                    ]
                }
            },
        },
        "Views": {
            "Type": "Custom::Views",
            "DependsOn": ["WorkGroup"],
            "Properties": {
                "ServiceToken": {"Fn::GetAtt": ["Machine", "Arn"]},
                "Uses": {"Fn::Sub": "${Named}/${Secret.Name}"},
            },
        },
    },
}


@pytest.fixture
def r() -> Resolver:
    return Resolver(TEMPLATE, account="123456789012", region="ap-northeast-2", stack_name="CafeLake")


def test_names_are_given_or_made_as_cloudformation_makes_them(r):
    raw = r.ref("Raw")
    assert raw.startswith("cafelake-raw-") and raw == raw.lower() and len(raw) <= 63
    assert r.ref("Raw") == Resolver(TEMPLATE, account="1", region="x", stack_name="CafeLake").ref("Raw")  # repeatable
    assert r.ref("Named") == "my-bucket" and r.get_att("Named", "Arn") == "arn:aws:s3:::my-bucket"
    assert r.ref("Job") == "cafelake-cleanse" and r.ref("Db") == "cafelake"
    assert r.ref("Topic").startswith("arn:aws:sns:ap-northeast-2:123456789012:CafeLake-Topic-")
    assert r.ref("Machine") == "arn:aws:states:ap-northeast-2:123456789012:stateMachine:pipe"
    assert r.get_att("Role", "Arn") == f"arn:aws:iam::123456789012:role/{r.ref('Role')}"


def test_functions_and_pseudo_parameters(r):
    value = {"Fn::Join": ["", ["s3://", {"Ref": "Named"}, "/", {"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}]]}
    assert r.resolve(value) == "s3://my-bucket/b"
    assert (
        r.resolve({"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"})
        == "cdk-hnb659fds-assets-123456789012-ap-northeast-2"
    )
    assert (
        r.resolve({"Fn::Sub": ["${X}/${Named.Arn}/${!Literal}", {"X": {"Ref": "AWS::Partition"}}]})
        == "aws/arn:aws:s3:::my-bucket/${Literal}"
    )
    assert r.resolve({"Fn::GetAtt": "Named.Arn"}) == "arn:aws:s3:::my-bucket"
    assert r.resolve({"Ref": "BootstrapVersion"}) == "/cdk-bootstrap/hnb659fds/version"
    assert r.resolve([{"a": {"Ref": "AWS::AccountId"}}]) == [{"a": "123456789012"}]


def test_a_per_stack_name_follows_the_stack_id_and_a_new_stack_gets_a_new_one(r):
    stack_uuid = r.stack_id.split("/")[-1]
    assert r.stack_id == f"arn:aws:cloudformation:ap-northeast-2:123456789012:stack/CafeLake/{stack_uuid}"
    assert r.ref("WorkGroup") == f"CafeLake-{stack_uuid.split('-')[0]}"
    assert r.get_att("WorkGroup", "Arn").endswith(f":workgroup/{r.ref('WorkGroup')}")
    again = Resolver(TEMPLATE, account="123456789012", region="ap-northeast-2", stack_name="CafeLake")
    redeployed = Resolver(TEMPLATE, account="123456789012", region="ap-northeast-2", stack_name="CafeLake", seed=1)
    assert again.ref("WorkGroup") == r.ref("WorkGroup") != redeployed.ref("WorkGroup")


def test_resources_are_created_after_what_they_reference_or_depend_on(r):
    assert r.dependencies("Views") == {"WorkGroup", "Machine", "Named", "Secret"}
    assert r.dependencies("WorkGroup") == set()  # pseudo parameters are no resources
    order = r.creation_order()
    assert sorted(order) == sorted(TEMPLATE["Resources"])
    assert all(order.index(d) < order.index("Views") for d in r.dependencies("Views"))
    assert order[:3] == ["Raw", "Named", "Topic"]  # ready ones in template order


def test_a_custom_resource_answers_what_its_provider_answered(r):
    with pytest.raises(UnresolvedValue, match="not created yet"):
        r.ref("Views")
    r.set("Views", ref="views-cc9e", ExecutionArn="arn:x")
    assert r.ref("Views") == "views-cc9e" and r.get_att("Views", "ExecutionArn") == "arn:x"


def test_service_made_values_wait_for_the_resource(r):
    with pytest.raises(UnresolvedValue, match="not created yet"):
        r.ref("Secret")
    with pytest.raises(UnresolvedValue, match=re.escape("Fn::GetAtt Key.Arn")):
        r.get_att("Key", "Arn")
    r.set("Secret", ref="arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:x-AbCdEf")
    r.set("Key", ref="k-1", Arn="arn:aws:kms:ap-northeast-2:123456789012:key/k-1")
    assert r.resolve({"Ref": "Secret"}).endswith(":secret:x-AbCdEf") and r.get_att("Key", "Arn").endswith("/k-1")


@pytest.mark.parametrize("value", [{"Fn::If": ["C", 1, 2]}, {"Fn::ImportValue": "x"}, {"Ref": "Nowhere"}])
def test_anything_else_is_refused_rather_than_guessed(r, value):
    with pytest.raises(UnresolvedValue):
        r.resolve(value)
