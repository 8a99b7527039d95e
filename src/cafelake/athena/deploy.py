"""Apply the DDL and views to the Glue catalog and an Athena workgroup, in dependency order.

The statements are the committed SQL files with their placeholders filled in, so what
runs in the cloud is what the tests ran locally. `statements()` is pure (no AWS calls),
for the CDK stack's "refresh views" step; `glue_table_input()` gives the same tables as
Glue `TableInput`s for CloudFormation. Neither imports aws_cdk.

Views are created in the database given as the query execution context (they name their
tables unqualified, like every query an analyst writes in that database).

The stack's workgroup is named by CloudFormation (a name per stack, so a redeploy after
`cdk destroy` never meets the old one): `stack_workgroup()` reads it from the stack's outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cafelake.athena import sqlfiles
from cafelake.athena.ddl import location
from cafelake.environment import DEFAULT_STACK
from cafelake.errors import ConfigError
from cafelake.runs import Progress
from cafelake.schemas import CATALOG_TABLES, MONTH_COMMENT, TableDef, athena_columns, projection_properties

# The CDK app's stack and the output naming its Athena workgroup (infra/cafelake_infra/stack.py).
STACK_NAME = DEFAULT_STACK
WORKGROUP_OUTPUT = "AthenaWorkGroup"

PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


def _body(text: str) -> str:
    """The statement without its leading comment lines and trailing semicolon.

    Athena classifies a statement (DDL or not) by its first token, so no comment may lead.
    """
    lines = text.strip().splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines).rstrip().rstrip(";").rstrip()


def _uri(uri: str) -> str:
    if not uri.startswith("s3://"):
        raise ValueError(f"expected an s3:// URI, got {uri!r}")
    return uri.rstrip("/")


def statements(
    database: str,
    cleansed_uri: str | None = None,
    tokenized_uri: str | None = None,
    *,
    tables: bool = True,
    views: bool = True,
    replace_tables: bool = False,
) -> list[tuple[str, str]]:
    """(name, sql) to run in order: the database, the tables, then the views (dependencies first).

    Table DDL is `IF NOT EXISTS`; `replace_tables` drops each table first (its data stays:
    the tables are external) so a schema change reaches the catalog. The zone URIs are
    needed only for the tables: views name tables, not locations.
    """
    if tables and not (cleansed_uri and tokenized_uri):
        raise ValueError("the table DDL needs both cleansed_uri and tokenized_uri")
    values = {"database": database} | {
        k: _uri(v) for k, v in (("cleansed_uri", cleansed_uri), ("tokenized_uri", tokenized_uri)) if v
    }
    out: list[tuple[str, str]] = []
    if tables:
        out.append((f"database:{database}", f"CREATE DATABASE IF NOT EXISTS `{database}`"))
        for ddl in sqlfiles.ddl():
            if replace_tables:
                out.append((f"drop:{ddl.name}", f"DROP TABLE IF EXISTS `{database}`.`{ddl.name}`"))
            out.append((f"table:{ddl.name}", _body(sqlfiles.render(ddl.text, **values))))
    if views:
        out += [(f"view:{v.name}", _body(sqlfiles.render(v.text, **values))) for v in sqlfiles.views()]
    return out


def glue_table_input(tdef: TableDef, location: str) -> dict[str, Any]:
    """Glue `TableInput` (boto3 / CloudFormation key names) of a catalog table stored at `location`."""
    loc = location.rstrip("/") + "/"
    params = {"classification": "parquet", "EXTERNAL": "TRUE", "parquet.compression": "ZSTD"}
    if tdef.partitioned:
        params.update(projection_properties(loc))
    return {
        "Name": tdef.name,
        "Description": tdef.description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": params,
        "PartitionKeys": [{"Name": k, "Type": "string", "Comment": MONTH_COMMENT} for k in tdef.partition_keys],
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t, "Comment": c} for n, t, c in athena_columns(tdef)],
            "Location": loc,
            "InputFormat": PARQUET_INPUT,
            "OutputFormat": PARQUET_OUTPUT,
            "Compressed": False,
            "SerdeInfo": {"SerializationLibrary": PARQUET_SERDE, "Parameters": {"serialization.format": "1"}},
            "StoredAsSubDirectories": False,
        },
    }


def table_locations(cleansed_uri: str, tokenized_uri: str) -> dict[str, str]:
    """Catalog table name -> its S3 location, for the given zone URIs."""
    values = {"cleansed_uri": _uri(cleansed_uri), "tokenized_uri": _uri(tokenized_uri)}
    return {t.name: sqlfiles.render(location(t), **values) for t in CATALOG_TABLES}


@dataclass
class ApplySummary:
    database: str
    workgroup: str
    applied: list[str] = field(default_factory=list)
    query_ids: list[str] = field(default_factory=list)


def apply(
    database: str,
    workgroup: str,
    cleansed_uri: str | None = None,
    tokenized_uri: str | None = None,
    *,
    s3_output: str | None = None,
    replace_tables: bool = False,
    tables: bool = True,
    views: bool = True,
    boto3_session: Any = None,
    on_progress: Progress | None = None,
) -> ApplySummary:
    """Run `statements()` one by one on Athena, waiting for each; stop at the first failure."""
    import awswrangler as wr

    todo = statements(database, cleansed_uri, tokenized_uri, tables=tables, views=views, replace_tables=replace_tables)
    summary = ApplySummary(database, workgroup)
    for i, (name, sql) in enumerate(todo, 1):
        context = None if name.startswith("database:") else database
        result = wr.athena.start_query_execution(
            sql, database=context, workgroup=workgroup, s3_output=s3_output, boto3_session=boto3_session, wait=True
        )
        state = result["Status"]["State"]
        if state != "SUCCEEDED":
            reason = result["Status"].get("StateChangeReason", "")
            raise RuntimeError(f"{name}: Athena query {result['QueryExecutionId']} {state}: {reason}")
        summary.applied.append(name)
        summary.query_ids.append(result["QueryExecutionId"])
        if on_progress:
            on_progress(i, len(todo))
    return summary


def stack_workgroup(stack_name: str = STACK_NAME, *, boto3_session: Any = None) -> str:
    """The Athena workgroup the deployed stack created, from its `AthenaWorkGroup` output.

    A ConfigError (saying to name the workgroup instead) when the stack or the output is not there.
    """
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    client = (boto3_session or boto3).client("cloudformation")
    try:
        (stack,) = client.describe_stacks(StackName=stack_name)["Stacks"]
    except (ClientError, BotoCoreError) as exc:
        raise ConfigError(
            f"cannot read the workgroup of stack {stack_name!r} ({exc}); name the workgroup "
            "(the stack's AthenaWorkGroup output)"
        ) from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if WORKGROUP_OUTPUT not in outputs:
        raise ConfigError(f"stack {stack_name!r} has no {WORKGROUP_OUTPUT} output; name the workgroup")
    return outputs[WORKGROUP_OUTPUT]
