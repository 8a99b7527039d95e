"""The Glue Data Catalog: the database, the raw-zone crawler, and the zone tables.

The cleansed and mart tables are declared here from `cafelake.schemas` (the same source the
Athena DDL is generated from), with partition projection on `month`, so they need no crawler and
no `MSCK REPAIR`. Only the raw JSON, whose shape belongs to the source, is crawled.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from constructs import Construct

from cafelake.athena.deploy import glue_table_input
from cafelake.schemas import CATALOG_TABLES

from .storage import Storage

DATABASE = "cafelake"
RAW_TABLE_PREFIX = "raw_"
# Hidden raw-zone folders (scraper state, quarantined responses, run summaries) are not data.
CRAWLER_EXCLUSIONS = ("_state/**", "_quarantine/**", "_runs/**")


class Catalog(Construct):
    """Glue database, raw crawler (with its own scoped role) and the projected zone tables."""

    def __init__(self, scope: Construct, cid: str, *, storage: Storage, security_configuration_name: str) -> None:
        super().__init__(scope, cid)
        stack = Stack.of(self)
        self.database_name = DATABASE
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=DATABASE, description="cafelake: the lake's zone tables"
            ),
        )
        self.tables: dict[str, glue.CfnTable] = {}
        for tdef in CATALOG_TABLES:
            bucket = storage.zones[tdef.zone]
            tbl = glue.CfnTable(
                self,
                f"Table{_camel(tdef.name)}",
                catalog_id=stack.account,
                database_name=DATABASE,
                table_input=glue.CfnTable.TableInputProperty(name=tdef.name),
            )
            # The whole TableInput from the Athena module, which the local engine and `cafelake athena`
            # use too: one definition of every table, in CloudFormation's key names.
            tbl.add_property_override(
                "TableInput", glue_table_input(tdef, f"s3://{bucket.bucket_name}/{tdef.location}/")
            )
            tbl.add_resource_dependency(self.database)
            self.tables[tdef.name] = tbl

        self.crawler_role = iam.Role(
            self,
            "CrawlerRole",
            assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
            description="cafelake raw-zone crawler",
        )
        storage.raw.grant_read(self.crawler_role)
        self._grant_catalog(self.crawler_role)
        self.crawler_name = f"{DATABASE}-raw"
        self.crawler = glue.CfnCrawler(
            self,
            "RawCrawler",
            name=self.crawler_name,
            role=self.crawler_role.role_arn,
            database_name=DATABASE,
            description="Infers the raw JSON envelope tables; new ingest_dt folders only.",
            table_prefix=RAW_TABLE_PREFIX,
            targets=glue.CfnCrawler.TargetsProperty(
                s3_targets=[
                    glue.CfnCrawler.S3TargetProperty(
                        path=f"s3://{storage.raw.bucket_name}/", exclusions=list(CRAWLER_EXCLUSIONS)
                    )
                ]
            ),
            recrawl_policy=glue.CfnCrawler.RecrawlPolicyProperty(recrawl_behavior="CRAWL_NEW_FOLDERS_ONLY"),
            # New-folders-only crawling requires LOG for both: a vanished folder or a changed
            # schema is logged for a human, never applied (nothing is silently dropped).
            schema_change_policy=glue.CfnCrawler.SchemaChangePolicyProperty(
                update_behavior="LOG", delete_behavior="LOG"
            ),
            crawler_security_configuration=security_configuration_name,
        )
        self.crawler.add_resource_dependency(self.database)
        self.crawler_arn = stack.format_arn(service="glue", resource="crawler", resource_name=self.crawler_name)

    def catalog_arns(self, *, tables: str = "*") -> list[str]:
        stack = Stack.of(self)
        return [
            stack.format_arn(service="glue", resource="catalog"),
            stack.format_arn(service="glue", resource="database", resource_name=DATABASE),
            stack.format_arn(service="glue", resource="table", resource_name=f"{DATABASE}/{tables}"),
        ]

    def table_arn(self, name: str) -> str:
        """A table's (or view's) ARN in the cafelake database."""
        return Stack.of(self).format_arn(service="glue", resource="table", resource_name=f"{DATABASE}/{name}")

    def _grant_catalog(self, role: iam.IRole) -> None:
        """What a crawler needs to create and update the raw_* tables and their partitions."""
        stack = Stack.of(self)
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "glue:GetDatabase",
                    "glue:GetTable",
                    "glue:GetTables",
                    "glue:CreateTable",
                    "glue:UpdateTable",
                    "glue:GetPartition",
                    "glue:GetPartitions",
                    "glue:BatchGetPartition",
                    "glue:CreatePartition",
                    "glue:BatchCreatePartition",
                    "glue:UpdatePartition",
                    "glue:BatchUpdatePartition",
                ],
                resources=self.catalog_arns(tables=f"{RAW_TABLE_PREFIX}*"),
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
                resources=[
                    stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="/aws-glue/crawlers*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
            )
        )


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_"))
