"""Create the template's resources in moto, as CloudFormation would create them, under their names.

Each supported type is created through the service's own API (boto3, the request CloudFormation's
resource handler makes), with its properties resolved (`intrinsics.Resolver`), in the order
CloudFormation may take (`Resolver.creation_order`: each resource after every one it references
or depends on), so a name built from another resource's creation is known when it is needed. A
custom resource is handed to `custom` (the rehearsal's CloudFormation request to its provider:
`custom_resources`), which answers its physical id and data. What a rehearsed run never touches
(alarms, the dashboard, log groups, bucket and topic policies, the EventBridge rules and
schedules, the KMS alias, the Lambda event-invoke config) is not created; `Provisioned.skipped`
lists it. A schedule's target and input are read from the template by `Rehearsal` instead, as
EventBridge Scheduler would use them.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .intrinsics import CUSTOM, Resolver

# The types created (one method each, named after the type); the order is the template's dependencies'.
SUPPORTED = (
    "AWS::KMS::Key",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::Glue::SecurityConfiguration",
    "AWS::Glue::Crawler",
    "AWS::Glue::Job",
    "AWS::Athena::WorkGroup",
    "AWS::SNS::Topic",
    "AWS::SNS::Subscription",
    "AWS::Lambda::Function",
    "AWS::StepFunctions::StateMachine",
)


# A custom resource's creation: (logical id, type, resolved properties) -> (physical id, its Data).
CustomCreate = Callable[[str, str, dict], tuple[str, dict[str, str]]]


@dataclass
class Provisioned:
    created: dict[str, str] = field(default_factory=dict)  # logical id -> type, in creation order
    skipped: dict[str, str] = field(default_factory=dict)


def generated_secret(spec: dict, rng: random.Random) -> str:
    """A value as GenerateSecretString makes one (only the options the template uses)."""
    unknown = set(spec) - {"PasswordLength", "ExcludePunctuation"}
    if unknown:
        raise ValueError(f"GenerateSecretString options not rehearsed: {sorted(unknown)}")
    alphabet = string.ascii_letters + string.digits + ("" if spec.get("ExcludePunctuation") else string.punctuation)
    return "".join(rng.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))


class Provisioner:
    def __init__(
        self, resolver: Resolver, client: Callable[[str], Any], *, seed: int = 0, custom: CustomCreate | None = None
    ) -> None:
        self.r, self.client, self.rng, self.custom = resolver, client, random.Random(seed), custom
        self.result = Provisioned()

    def create_all(self) -> Provisioned:
        handlers = {t: getattr(self, "_" + t.split("::", 1)[1].replace("::", "_").lower()) for t in SUPPORTED}
        for lid in self.r.creation_order():
            rtype = self.r.resources[lid]["Type"]
            props = self.r.resources[lid].get("Properties", {})
            if rtype.startswith(CUSTOM) and self.custom is not None:
                physical_id, data = self.custom(lid, rtype, self.r.resolve(props))
                self.r.set(lid, ref=physical_id, **data)
            elif rtype in handlers:
                self.r.plan(lid)  # a name built from resources created before it
                handlers[rtype](lid, self.r.resolve(props))
            else:
                self.result.skipped[lid] = rtype
                continue
            self.result.created[lid] = rtype
        return self.result

    # --- one method per type (named after it) --------------------------------------------
    def _kms_key(self, lid: str, p: dict) -> None:
        meta = self.client("kms").create_key(Description=p.get("Description", ""))["KeyMetadata"]
        self.r.set(lid, ref=meta["KeyId"], Arn=meta["Arn"], KeyId=meta["KeyId"])

    def _s3_bucket(self, lid: str, p: dict) -> None:
        name, s3 = self.r.ref(lid), self.client("s3")
        config = (
            {} if self.r.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": self.r.region}}
        )
        s3.create_bucket(Bucket=name, **config)
        if p.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if "BucketEncryption" in p:
            rules = [
                {
                    ("ApplyServerSideEncryptionByDefault" if k == "ServerSideEncryptionByDefault" else k): v
                    for k, v in rule.items()
                }
                for rule in p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})

    def _iam_role(self, lid: str, p: dict) -> None:
        iam, name = self.client("iam"), self.r.ref(lid)
        iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(p["AssumeRolePolicyDocument"]),
            Description=p.get("Description", ""),
        )
        for policy in p.get("Policies", []):
            iam.put_role_policy(
                RoleName=name, PolicyName=policy["PolicyName"], PolicyDocument=json.dumps(policy["PolicyDocument"])
            )

    def _iam_policy(self, lid: str, p: dict) -> None:
        for role in p.get("Roles", []):
            self.client("iam").put_role_policy(
                RoleName=role, PolicyName=p["PolicyName"], PolicyDocument=json.dumps(p["PolicyDocument"])
            )

    def _secretsmanager_secret(self, lid: str, p: dict) -> None:
        value = p.get("SecretString")
        if value is None:
            value = generated_secret(p.get("GenerateSecretString", {}), self.rng)
        name = self.r.get_att(lid, "Name")
        arn = self.client("secretsmanager").create_secret(
            Name=name, SecretString=value, Description=p.get("Description", "")
        )["ARN"]
        self.r.set(lid, ref=arn, Id=arn)

    def _glue_database(self, lid: str, p: dict) -> None:
        self.client("glue").create_database(DatabaseInput=p["DatabaseInput"])

    def _glue_table(self, lid: str, p: dict) -> None:
        self.client("glue").create_table(DatabaseName=p["DatabaseName"], TableInput=p["TableInput"])

    def _glue_securityconfiguration(self, lid: str, p: dict) -> None:
        conf = dict(p["EncryptionConfiguration"])
        conf["S3Encryption"] = conf.pop("S3Encryptions", [])  # CloudFormation's plural, the API's singular
        self.client("glue").create_security_configuration(Name=p["Name"], EncryptionConfiguration=conf)

    def _glue_crawler(self, lid: str, p: dict) -> None:
        self.client("glue").create_crawler(
            **{
                k: p[k]
                for k in (
                    "Name",
                    "Role",
                    "DatabaseName",
                    "Description",
                    "Targets",
                    "TablePrefix",
                    "SchemaChangePolicy",
                    "RecrawlPolicy",
                    "CrawlerSecurityConfiguration",
                    "Configuration",
                    "Classifiers",
                )
                if k in p
            }
        )

    def _glue_job(self, lid: str, p: dict) -> None:
        self.client("glue").create_job(
            **{
                k: p[k]
                for k in (
                    "Name",
                    "Role",
                    "Command",
                    "DefaultArguments",
                    "GlueVersion",
                    "WorkerType",
                    "NumberOfWorkers",
                    "Timeout",
                    "MaxRetries",
                    "ExecutionProperty",
                    "SecurityConfiguration",
                    "Description",
                    "JobRunQueuingEnabled",
                    "NonOverridableArguments",
                    "ExecutionClass",
                )
                if k in p
            }
        )

    def _athena_workgroup(self, lid: str, p: dict) -> None:
        self.client("athena").create_work_group(
            Name=p["Name"], Description=p.get("Description", ""), Configuration=p.get("WorkGroupConfiguration", {})
        )

    def _sns_topic(self, lid: str, p: dict) -> None:
        attrs = {k: str(p[k]) for k in ("DisplayName", "KmsMasterKeyId") if k in p}
        arn = self.client("sns").create_topic(Name=self.r.get_att(lid, "TopicName"), Attributes=attrs)["TopicArn"]
        self.r.set(lid, ref=arn, TopicArn=arn)

    def _sns_subscription(self, lid: str, p: dict) -> None:
        self.client("sns").subscribe(TopicArn=p["TopicArn"], Protocol=p["Protocol"], Endpoint=p["Endpoint"])

    def _lambda_function(self, lid: str, p: dict) -> None:
        lam, name = self.client("lambda"), self.r.ref(lid)
        lam.create_function(
            FunctionName=name,
            Role=p["Role"],
            Code=p["Code"],
            **{
                k: p[k]
                for k in (
                    "Runtime",
                    "Handler",
                    "Description",
                    "Timeout",
                    "MemorySize",
                    "Environment",
                    "Architectures",
                    "TracingConfig",
                )
                if k in p
            },
        )
        if "ReservedConcurrentExecutions" in p:
            lam.put_function_concurrency(
                FunctionName=name, ReservedConcurrentExecutions=int(p["ReservedConcurrentExecutions"])
            )

    def _stepfunctions_statemachine(self, lid: str, p: dict) -> None:
        definition = p.get("DefinitionString") or json.dumps(p["Definition"])
        self.client("stepfunctions").create_state_machine(
            name=self.r.get_att(lid, "Name"),
            definition=definition,
            roleArn=p["RoleArn"],
            type=p.get("StateMachineType", "STANDARD"),
        )
