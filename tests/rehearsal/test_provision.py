"""Resources created in moto as CloudFormation would create them, under the template's names."""

from __future__ import annotations

import io
import json
import random
import string
import zipfile

import boto3
import pytest
from moto import mock_aws

from cafelake_rehearsal.intrinsics import Resolver
from cafelake_rehearsal.provision import Provisioner, generated_secret

REGION = "ap-northeast-2"
ASSUME = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}],
}
TEMPLATE = {
    "Resources": {
        "Raw": {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": {"Status": "Enabled"}}},
        "Key": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {"GenerateSecretString": {"PasswordLength": 64, "ExcludePunctuation": True}},
        },
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ASSUME}},
        "Policy": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": "p",
                "Roles": [{"Ref": "Role"}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "s3:GetObject",
                            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Raw", "Arn"]}, "/*"]]},
                        }
                    ],
                },
            },
        },
        "Job": {
            "Type": "AWS::Glue::Job",
            "Properties": {
                "Name": "cafelake-cleanse",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "GlueVersion": "5.0",
                "Command": {"Name": "glueetl", "ScriptLocation": "s3://code-bucket/s.py"},
                "DefaultArguments": {
                    "--raw_uri": {"Fn::Join": ["", ["s3://", {"Ref": "Raw"}]]},
                    "--pseudonym_secret_id": {"Ref": "Key"},
                },
            },
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "alarms"}},
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.14",
                "Handler": "handler.handler",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Code": {"S3Bucket": "code-bucket", "S3Key": "fn.zip"},
                "Environment": {"Variables": {"CAFELAKE_RAW_URI": {"Fn::Join": ["", ["s3://", {"Ref": "Raw"}]]}}},
            },
        },
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {}},
    }
}
# A name built from what another resource's creation records (a key's id), referenced by Ref before it in the
# template; and a custom resource depending on both.
KEYED = {
    "Resources": {
        "Job": {
            "Type": "AWS::Glue::Job",
            "Properties": {
                "Name": "cafelake-tokenize",
                "Role": "arn:aws:iam::123456789012:role/r",
                "GlueVersion": "5.0",
                "Command": {"Name": "glueetl", "ScriptLocation": "s3://code-bucket/t.py"},
                "SecurityConfiguration": {"Ref": "Security"},
            },
        },
        "Views": {
            "Type": "Custom::Views",
            "Properties": {"ServiceToken": "arn:token", "Job": {"Ref": "Job"}, "Security": {"Ref": "Security"}},
        },
        "Security": {
            "Type": "AWS::Glue::SecurityConfiguration",
            "Properties": {
                "Name": {"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, {"Ref": "Key"}]]},
                "EncryptionConfiguration": {
                    "S3Encryptions": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": {"Fn::GetAtt": ["Key", "Arn"]}}]
                },
            },
        },
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
    }
}


@mock_aws
def test_each_resource_exists_under_its_name_with_its_properties_resolved():
    r = Resolver(TEMPLATE, account="123456789012", region=REGION, stack_name="CafeLake")
    buf = io.BytesIO()
    zipfile.ZipFile(buf, "w").writestr("handler.py", "def handler(e, c):\n    return e\n")

    def client(name):
        return boto3.client(name, region_name=REGION)

    # the code is in the assets bucket before the deploy creates anything
    client("s3").create_bucket(Bucket="code-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
    client("s3").put_object(Bucket="code-bucket", Key="fn.zip", Body=buf.getvalue())
    done = Provisioner(r, client).create_all()
    assert done.skipped == {"Alarm": "AWS::CloudWatch::Alarm"}
    raw = r.ref("Raw")
    assert client("s3").get_bucket_versioning(Bucket=raw)["Status"] == "Enabled"
    job = client("glue").get_job(JobName="cafelake-cleanse")["Job"]
    assert job["DefaultArguments"]["--raw_uri"] == f"s3://{raw}"
    secret = job["DefaultArguments"]["--pseudonym_secret_id"]
    value = client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"]
    assert len(value) == 64 and set(value) <= set(string.ascii_letters + string.digits)
    policy = client("iam").get_role_policy(RoleName=r.ref("Role"), PolicyName="p")["PolicyDocument"]
    assert policy["Statement"][0]["Resource"] == f"arn:aws:s3:::{raw}/*"
    fn = client("lambda").get_function(FunctionName=r.ref("Fn"))["Configuration"]
    assert fn["Environment"]["Variables"] == {"CAFELAKE_RAW_URI": f"s3://{raw}"} and fn["Handler"] == "handler.handler"
    assert client("sns").get_topic_attributes(TopicArn=r.ref("Topic"))["Attributes"]["DisplayName"] == "alarms"


def test_generated_secrets_follow_their_options_and_refuse_unknown_ones():
    rng = random.Random(1)
    assert set(generated_secret({"PasswordLength": 40}, rng)) - set(string.ascii_letters + string.digits)
    with pytest.raises(ValueError, match="ExcludeCharacters"):
        generated_secret({"ExcludeCharacters": "/"}, rng)
    assert json.dumps(generated_secret({"PasswordLength": 8, "ExcludePunctuation": True}, rng)).isascii()


@mock_aws
def test_resources_are_created_in_dependency_order_and_a_custom_resource_gets_its_properties_resolved():
    r = Resolver(KEYED, account="123456789012", region=REGION, stack_name="CafeLake")
    calls = []

    def custom(lid, rtype, props):
        calls.append((lid, rtype, props))
        return "views-1", {"ExecutionArn": "arn:execution"}

    done = Provisioner(r, lambda name: boto3.client(name, region_name=REGION), custom=custom).create_all()
    assert list(done.created) == ["Key", "Security", "Job", "Views"] and done.skipped == {}
    security = r.ref("Security")
    assert security == f"CafeLake-{r.ref('Key')}"
    glue = boto3.client("glue", region_name=REGION)
    assert glue.get_security_configuration(Name=security)["SecurityConfiguration"]["EncryptionConfiguration"][
        "S3Encryption"
    ][0]["KmsKeyArn"] == r.get_att("Key", "Arn")
    assert glue.get_job(JobName="cafelake-tokenize")["Job"]["SecurityConfiguration"] == security
    assert calls == [
        ("Views", "Custom::Views", {"ServiceToken": "arn:token", "Job": "cafelake-tokenize", "Security": security})
    ]
    assert r.ref("Views") == "views-1" and r.get_att("Views", "ExecutionArn") == "arn:execution"
