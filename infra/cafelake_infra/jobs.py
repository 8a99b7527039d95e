"""The Glue jobs (cleanse, tokenize, compact), their security configuration and their scoped roles.

Glue 5.0 has no Python-shell jobs, so both are `glueetl` jobs on the smallest Spark
configuration (2 x G.1X by default); each job runs mostly on the driver and keeps its own
processed-files manifest in the lake, which is why job bookmarks are off.

Each job installs its own closed set of wheels with pip's `--no-index`: a job start never
reaches a package index, works without internet, and never swaps a package for one the set was
not tested with. The set ships as one "zip of wheels" per job (build/glue/<job>.gluewheels.zip),
what Glue 5.0 documents for production, under an S3 key ending in its own name: Glue passes
each module to pip under its key's name, and pip refuses a wheel named `<sha256>.whl`.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import ArnFormat, Aws, Stack
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cafelake.runs import NAMESPACE

from .assets import GLUE_BUILD_COMMAND, GLUE_MANIFEST, GlueArtifacts, MissingBuildInput, named_file_asset, require
from .names import fingerprint, per_stack
from .settings import Settings
from .storage import Storage

GLUE_VERSION = "5.0"
METRICS_NAMESPACE = NAMESPACE  # the Glue jobs', the scraper's and the dashboard's one namespace
JOB_TIMEOUT_MINUTES = 60
INSTALLER_OPTION = "--no-index"  # every requirement is among the job's wheels or provided by Glue


@dataclass(frozen=True)
class JobSpec:
    name: str
    script: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    needs_pseudonym_key: bool = False
    wheels: str = ""  # the job whose zip of wheels it installs (default its own)

    @property
    def bundle(self) -> str:
        return self.wheels or self.name


JOB_SPECS = (
    JobSpec("cleanse", "glue_jobs/cleanse.py", reads=("raw",), writes=("cleansed",), needs_pseudonym_key=True),
    JobSpec("tokenize", "glue_jobs/tokenize.py", reads=("cleansed",), writes=("tokenized",)),
    # compaction rewrites both zones' tables; cafelake's core is all it imports: the cleanse job's wheels
    JobSpec("compact", "glue_jobs/compact.py", reads=(), writes=("cleansed", "tokenized"), wheels="cleanse"),
)


class Jobs(Construct):
    """One Glue job per stage, each with a role that reaches only its own zones."""

    def __init__(
        self,
        scope: Construct,
        cid: str,
        *,
        settings: Settings,
        storage: Storage,
        artifacts: GlueArtifacts,
        pseudonym_key: secretsmanager.ISecret,
    ) -> None:
        super().__init__(scope, cid)
        encryption = glue.CfnSecurityConfiguration.EncryptionConfigurationProperty(
            s3_encryptions=[
                glue.CfnSecurityConfiguration.S3EncryptionProperty(
                    s3_encryption_mode="SSE-KMS", kms_key_arn=storage.key.key_arn
                )
            ],
            cloud_watch_encryption=glue.CfnSecurityConfiguration.CloudWatchEncryptionProperty(
                cloud_watch_encryption_mode="SSE-KMS", kms_key_arn=storage.key.key_arn
            ),
            job_bookmarks_encryption=glue.CfnSecurityConfiguration.JobBookmarksEncryptionProperty(
                job_bookmarks_encryption_mode="CSE-KMS", kms_key_arn=storage.key.key_arn
            ),
        )
        # Every property of a security configuration is replaced, not updated: its name follows its
        # properties (and the stack), so a changed one is created beside the old, which is then deleted.
        self.security_configuration = glue.CfnSecurityConfiguration(
            self,
            "SecurityConfiguration",
            name=per_stack(self, fingerprint(self, encryption)),
            encryption_configuration=encryption,
        )
        self.security_configuration_name = self.security_configuration.ref  # its name, and the dependency

        self.modules: dict[str, cdk.FileAssetLocation] = {}  # job -> its zip of wheels in the assets bucket
        self.jobs: dict[str, glue.CfnJob] = {}
        self.roles: dict[str, iam.Role] = {}
        for spec in JOB_SPECS:
            script = s3_assets.Asset(
                self,
                f"{spec.name.capitalize()}Script",
                path=str(
                    require(settings.root, spec.script, f"the Glue {spec.name} job script is needed to deploy it")
                ),
            )
            role = self._role(spec, storage, pseudonym_key)
            bundle = artifacts.bundles.get(spec.bundle)
            if artifacts.bundles and bundle is None:
                raise MissingBuildInput(
                    f"{GLUE_MANIFEST} has no zip of wheels for the {spec.bundle} job: re-run `{GLUE_BUILD_COMMAND}`"
                )
            objects = [script.bucket.arn_for_objects(script.s3_object_key)]
            if bundle is not None:
                module = self.modules[spec.name] = named_file_asset(self, bundle)
                assets = s3.Bucket.from_bucket_name(self, f"{spec.name.capitalize()}ModulesBucket", module.bucket_name)
                objects.append(assets.arn_for_objects(module.object_key))
            # Exactly these objects of the CDK assets bucket, not the whole bucket.
            role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=objects))
            args = {
                "--job-language": "python",
                "--enable-continuous-cloudwatch-log": "true",
                "--enable-metrics": "true",
                "--enable-spark-ui": "true",
                "--spark-event-logs-path": storage.artifacts.s3_url_for_object(f"spark-ui/{spec.name}/"),
                "--TempDir": storage.artifacts.s3_url_for_object(f"glue-temp/{spec.name}/"),
                # The job keeps its own manifest of processed inputs; bookmarks would double-track.
                "--job-bookmark-option": "job-bookmark-disable",
                "--raw_uri": storage.raw.s3_url_for_object(),
                "--cleansed_uri": storage.cleansed.s3_url_for_object(),
                "--tokenized_uri": storage.tokenized.s3_url_for_object(),
                "--full": "false",
                "--metrics_namespace": METRICS_NAMESPACE,
                # The stack's region, explicit: the jobs' clients and pyarrow's S3 filesystem need one, and no
                # Glue page documents which region variables a job's environment holds (docs/deploy.md, section 8).
                "--region": Aws.REGION,
            }
            if bundle is not None:
                args["--additional-python-modules"] = self.modules[spec.name].s3_object_url
                args["--python-modules-installer-option"] = INSTALLER_OPTION
            if spec.needs_pseudonym_key:
                args["--pseudonym_secret_id"] = pseudonym_key.secret_arn
            self.jobs[spec.name] = glue.CfnJob(
                self,
                f"{spec.name.capitalize()}Job",
                name=f"cafelake-{spec.name}",
                role=role.role_arn,
                description=f"cafelake {spec.name}: {'+'.join(spec.reads or spec.writes)} -> {'+'.join(spec.writes)}",
                command=glue.CfnJob.JobCommandProperty(
                    name="glueetl", python_version="3", script_location=script.s3_object_url
                ),
                glue_version=GLUE_VERSION,
                worker_type=settings.glue_worker_type,
                number_of_workers=settings.glue_workers,
                timeout=JOB_TIMEOUT_MINUTES,
                max_retries=0,
                # Two boards finishing together queue their runs instead of failing one.
                execution_property=glue.CfnJob.ExecutionPropertyProperty(max_concurrent_runs=1),
                job_run_queuing_enabled=True,
                security_configuration=self.security_configuration_name,
                default_arguments=args,
            )
            self.roles[spec.name] = role

    def _role(self, spec: JobSpec, storage: Storage, pseudonym_key: secretsmanager.ISecret) -> iam.Role:
        stack = Stack.of(self)
        role = iam.Role(
            self,
            f"{spec.name.capitalize()}Role",
            assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
            description=f"cafelake Glue {spec.name} job",
        )
        zones: dict[str, s3.IBucket] = storage.zones
        for zone in spec.reads:
            zones[zone].grant_read(role)
        for zone in spec.writes:
            zones[zone].grant_read_write(role)  # includes delete: a re-run replaces whole partitions
        storage.artifacts.grant_read_write(role, f"glue-temp/{spec.name}/*")
        storage.artifacts.grant_read_write(role, f"spark-ui/{spec.name}/*")
        storage.key.grant_encrypt_decrypt(role)  # security configuration: logs and bookmarks
        if spec.needs_pseudonym_key:
            pseudonym_key.grant_read(role)
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
                resources=[
                    stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="/aws-glue/*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": ["Glue", METRICS_NAMESPACE]}},
            )
        )
        return role
