"""The lake's buckets and the one KMS key that encrypts them (and the logs, topic and secrets)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

RESULTS_EXPIRE_DAYS = 30
NONCURRENT_EXPIRE_DAYS = 30
MULTIPART_ABORT_DAYS = 7
ACCESS_LOGS_EXPIRE_DAYS = 365


class Storage(Construct):
    """Zone buckets (raw, cleansed, tokenized), Athena results, artefacts and access logs."""

    def __init__(self, scope: Construct, cid: str, *, retain: bool) -> None:
        super().__init__(scope, cid)
        removal = RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY
        self.key = kms.Key(
            self,
            "Key",
            alias="alias/cafelake",
            enable_key_rotation=True,
            removal_policy=removal,
            description="cafelake: lake buckets, Glue logs and bookmarks, secrets, alarms topic",
        )
        self._allow_log_service()

        abort = s3.LifecycleRule(
            id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(MULTIPART_ABORT_DAYS)
        )
        # Server access logs cannot be written to an SSE-KMS bucket: S3-managed keys here only.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            lifecycle_rules=[
                abort,
                s3.LifecycleRule(id="expire-logs", expiration=Duration.days(ACCESS_LOGS_EXPIRE_DAYS)),
            ],
            removal_policy=removal,
            auto_delete_objects=not retain,
        )

        def bucket(cid: str, *, versioned: bool = False, rules: tuple[s3.LifecycleRule, ...] = ()) -> s3.Bucket:
            return s3.Bucket(
                self,
                cid,
                encryption=s3.BucketEncryption.KMS,
                encryption_key=self.key,
                bucket_key_enabled=True,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                enforce_ssl=True,
                versioned=versioned,
                server_access_logs_bucket=self.access_logs,
                server_access_logs_prefix=f"{cid.lower()}/",
                lifecycle_rules=[abort, *rules],
                removal_policy=removal,
                auto_delete_objects=not retain,
            )

        # The raw zone is the only copy of what was fetched: versioned, old versions kept a while.
        self.raw = bucket(
            "Raw",
            versioned=True,
            rules=(
                s3.LifecycleRule(
                    id="expire-noncurrent", noncurrent_version_expiration=Duration.days(NONCURRENT_EXPIRE_DAYS)
                ),
            ),
        )
        self.cleansed = bucket("Cleansed")
        self.tokenized = bucket("Tokenized")
        self.athena_results = bucket(
            "AthenaResults",
            rules=(s3.LifecycleRule(id="expire-results", expiration=Duration.days(RESULTS_EXPIRE_DAYS)),),
        )
        # Glue temp files and Spark UI event logs: scratch, so they expire too.
        self.artifacts = bucket(
            "Artifacts", rules=(s3.LifecycleRule(id="expire-scratch", expiration=Duration.days(RESULTS_EXPIRE_DAYS)),)
        )

    @property
    def zones(self) -> dict[str, s3.Bucket]:
        return {"raw": self.raw, "cleansed": self.cleansed, "tokenized": self.tokenized}

    def _allow_log_service(self) -> None:
        """CloudWatch Logs encrypts the Glue and Step Functions log groups with this key."""
        stack = Stack.of(self)
        log_groups = f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*"
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],  # in a key policy "*" means this key
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
            )
        )
