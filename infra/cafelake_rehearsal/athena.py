"""Athena's StartQueryExecution for the state machine's tasks, run on DuckDB.

moto's Step Functions interpreter cannot run an Athena task, and moto's Athena runs no SQL. This
stands in for the service as the state machine uses it: the workgroup must exist, and when it
enforces its configuration its result location wins over the query's (as in Athena); the
query's database must exist in the Glue catalog; the tables are read where the catalog says
they are (each table's `Location`, and the partition projection's `storage.location.template`,
which must name the `month=` folders below it, since that is where Athena would look); the
statement is translated by the local engine (`cafelake.athena.local`: sqlglot, DuckDB) and run
over the rehearsal's S3 through pyarrow. Views created by one query are there for the next, as in
the catalog. A DDL statement's (empty) result is written where Athena writes it, `<id>.txt`; a query's
rows as Athena writes them, `<id>.csv` (a header, every value in double quotes, NULL as nothing).
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlglot
from sqlglot import exp

from cafelake.athena.local import LocalAthena
from cafelake.lake import Lake
from cafelake.layout import MONTH_KEY
from cafelake.schemas import CATALOG_TABLES


class QueryFailed(RuntimeError):
    """The statement failed as Athena would fail it; the message is its StateChangeReason."""


@dataclass
class AthenaStandIn:
    glue: Any  # boto3 clients of the rehearsal's account
    athena: Any
    s3: Any
    endpoint: str
    region: str
    executions: dict[str, dict] = field(default_factory=dict)
    _engine: LocalAthena | None = None
    _ids: Any = field(default_factory=itertools.count)

    def _zone_roots(self, database: str) -> dict[str, str]:
        """Each zone's root, from where the catalog's tables live."""
        roots: dict[str, str] = {}
        for tdef in CATALOG_TABLES:
            table = self.glue.get_table(DatabaseName=database, Name=tdef.name)["Table"]
            location = table["StorageDescriptor"]["Location"].rstrip("/")
            if not location.endswith(f"/{tdef.location}"):
                raise QueryFailed(f"table {tdef.name} lives at {location}, not at <zone>/{tdef.location}")
            if tdef.partitioned:
                template = table.get("Parameters", {}).get("storage.location.template", "")
                if template.rstrip("/") != f"{location}/{MONTH_KEY}=${{{MONTH_KEY}}}":
                    raise QueryFailed(
                        f"table {tdef.name}: projection template {template!r} does not name "
                        f"{location}/{MONTH_KEY}=${{{MONTH_KEY}}}/"
                    )
            root = location[: -len(tdef.location) - 1]
            if roots.setdefault(tdef.zone, root) != root:
                raise QueryFailed(f"zone {tdef.zone} has tables under both {roots[tdef.zone]} and {root}")
        return roots

    def engine(self, database: str) -> LocalAthena:
        if self._engine is None:
            roots = self._zone_roots(database)
            lake = Lake(root=roots["tokenized"], zone_roots=roots, endpoint_url=self.endpoint, region=self.region)
            self._engine = LocalAthena(lake, create_views=False)
        return self._engine

    def start(self, params: dict) -> str:
        """StartQueryExecution: runs the statement to completion; returns the execution id."""
        qid = str(uuid.UUID(int=next(self._ids) + 1))
        workgroup = params.get("WorkGroup", "primary")
        database = params.get("QueryExecutionContext", {}).get("Database", "default")
        output = params.get("ResultConfiguration", {}).get("OutputLocation")
        record = {
            "QueryExecutionId": qid,
            "Query": params["QueryString"],
            "StatementType": "DDL",
            "WorkGroup": workgroup,
            "QueryExecutionContext": {"Database": database},
        }
        try:
            wg = self.athena.get_work_group(WorkGroup=workgroup).get("WorkGroup")
            if not wg:
                raise QueryFailed(f"WorkGroup {workgroup} is not found.")
            config = wg.get("Configuration", {})
            if config.get("EnforceWorkGroupConfiguration") or not output:
                output = config.get("ResultConfiguration", {}).get("OutputLocation") or output
            self.glue.get_database(Name=database)
            rows = self.engine(database).query(params["QueryString"])
            if not output:
                raise QueryFailed("no output location: neither the query nor the workgroup names one")
            is_query = isinstance(sqlglot.parse_one(params["QueryString"], read="athena"), exp.Query)
            name, body = (f"{qid}.csv", _csv(rows)) if is_query else (f"{qid}.txt", b"")
            record["StatementType"] = "DML" if is_query else "DDL"
            bucket, _, prefix = output[len("s3://") :].partition("/")
            self.s3.put_object(Bucket=bucket, Key=f"{prefix.rstrip('/')}/{name}".lstrip("/"), Body=body)
            record["Status"] = {"State": "SUCCEEDED"}
            record["ResultConfiguration"] = {"OutputLocation": f"{output.rstrip('/')}/{name}"}
        except Exception as err:
            record["Status"] = {"State": "FAILED", "StateChangeReason": f"{type(err).__name__}: {err}"}
        self.executions[qid] = record
        return qid

    def get(self, qid: str) -> dict:
        return self.executions[qid]


def _csv(rows: pd.DataFrame) -> bytes:
    """A query's result as Athena's CSV: a header, each value quoted, a NULL an empty field without quotes."""

    def field(v: object) -> str:
        return "" if v is None or v != v else '"' + str(v).replace('"', '""') + '"'

    lines = [",".join(field(c) for c in rows.columns)]
    lines += [",".join(field(v) for v in row) for row in rows.itertuples(index=False)]
    return ("\n".join(lines) + "\n").encode("utf-8")
