"""A custom resource created as CloudFormation and the CDK Provider framework create it: the user's handler
runs as the Lambda runtime runs it, with CloudFormation's request, and its answer becomes the resource."""

from __future__ import annotations

import io
import json
import re
import zipfile

import boto3
import pytest
from moto import mock_aws

from cafelake_rehearsal.athena import AthenaStandIn
from cafelake_rehearsal.custom_resources import CustomResourceFailed, ProviderFramework
from cafelake_rehearsal.glue import GlueRunner
from cafelake_rehearsal.hooks import Crawls, Services, installed
from cafelake_rehearsal.intrinsics import Resolver
from cafelake_rehearsal.lambda_runtime import LambdaRuntime
from cafelake_rehearsal.provision import Provisioner

pytestmark = pytest.mark.slow
REGION = "ap-northeast-2"
CODE = "code-bucket"
ASSUME = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}],
}
HANDLER = """import json, os
def handler(event, context):
    if event["ResourceProperties"].get("Fail"):
        raise RuntimeError("the views execution ended FAILED")
    return {"PhysicalResourceId": "views-" + event["ResourceProperties"]["Fingerprint"],
            "Data": {"Request": json.dumps({k: event[k] for k in ("RequestType", "LogicalResourceId", "ResourceType",
                                                                  "StackId", "ResponseURL")}),
                     "Region": os.environ["AWS_REGION"]}}
"""


def template(framework_env: dict, **views: object) -> dict:
    role = {"Fn::GetAtt": ["Role", "Arn"]}
    return {
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ASSUME}},
            "Handler": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.14",
                    "Handler": "deploy_views.handler",
                    "Role": role,
                    "Timeout": 60,
                    "Code": {"S3Bucket": CODE, "S3Key": "handler.zip"},
                },
            },
            "Framework": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "nodejs24.x",
                    "Handler": "framework.onEvent",
                    "Role": role,
                    "Timeout": 900,
                    "Code": {"S3Bucket": CODE, "S3Key": "framework.zip"},
                    "Environment": {"Variables": framework_env},
                },
            },
            "Views": {
                "Type": "Custom::Views",
                "Properties": {"ServiceToken": {"Fn::GetAtt": ["Framework", "Arn"]}, "Fingerprint": "cc9e", **views},
            },
        }
    }


USER_FUNCTION = {"USER_ON_EVENT_FUNCTION_ARN": {"Fn::GetAtt": ["Handler", "Arn"]}}


@pytest.fixture
def deploy(envs, tmp_path):
    """Deploy a template with the provider of custom_resources; returns (resolver, framework, services)."""
    with mock_aws():

        def client(name):
            return boto3.client(name, region_name=REGION)

        s3 = client("s3")
        s3.create_bucket(Bucket=CODE, CreateBucketConfiguration={"LocationConstraint": REGION})
        for key, name, text in (("handler.zip", "deploy_views.py", HANDLER), ("framework.zip", "framework.js", "")):
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as zf:
                zf.writestr(name, text)
            s3.put_object(Bucket=CODE, Key=key, Body=buf.getvalue())
        services = Services(
            glue=GlueRunner(envs, s3, workdir=tmp_path / "glue", environment={}, region=REGION),
            lambdas=LambdaRuntime(envs, workdir=tmp_path / "lambda", environment={}),
            athena=AthenaStandIn(client("glue"), client("athena"), s3, "http://127.0.0.1:9", REGION),
            crawls=Crawls(s3),
        )

        def run(tmpl: dict):
            r = Resolver(tmpl, account="123456789012", region=REGION, stack_name="CafeLake")
            framework = ProviderFramework(r, client("lambda"))
            Provisioner(r, client, custom=framework.create).create_all()
            return r, framework

        with installed(services):
            yield run, services


def test_the_handler_answers_cloudformations_request_and_the_resource_is_its_answer(deploy):
    run, services = deploy
    r, framework = run(template(USER_FUNCTION))
    assert r.ref("Views") == "views-cc9e" and r.get_att("Views", "Region") == REGION
    request = json.loads(r.get_att("Views", "Request"))
    assert request == {
        "RequestType": "Create",
        "LogicalResourceId": "Views",
        "ResourceType": "Custom::Views",
        "StackId": r.stack_id,
        "ResponseURL": framework.responses[0].request["ResponseURL"],
    }
    ((fn, invocation),) = services.lambdas.invocations  # the user's function, run by the Lambda runtime
    assert fn.name == r.ref("Handler") and not invocation.error
    assert framework.responses[0].status == "SUCCESS"


def test_a_handler_that_raises_fails_the_resource_with_its_message(deploy):
    run, _ = deploy
    with pytest.raises(
        CustomResourceFailed, match=re.escape("Views (Custom::Views): the views execution ended FAILED")
    ):
        run(template(USER_FUNCTION, Fail=True))


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({}, "not the CDK Provider framework"),
        ({**USER_FUNCTION, "USER_IS_COMPLETE_FUNCTION_ARN": "arn:is-complete"}, "isComplete"),
    ],
)
def test_a_provider_that_is_not_rehearsed_is_refused(deploy, env, refusal):
    run, services = deploy
    with pytest.raises(NotImplementedError, match=refusal):
        run(template(env))
    assert services.lambdas.invocations == []
