"""Glue database, the raw crawler, and zone tables that match the committed Athena DDL."""

from __future__ import annotations

import sqlglot
from infra_helpers import ROOT
from sqlglot import exp

from cafelake.schemas import CATALOG_TABLES


def test_database_and_raw_crawler(synth):
    synth.template.has_resource_properties("AWS::Glue::Database", {"DatabaseInput": {"Name": "cafelake"}})
    crawler = synth.one("AWS::Glue::Crawler")["Properties"]
    assert crawler["RecrawlPolicy"] == {"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"}
    # Nothing is silently dropped or rewritten: changes are logged for a human.
    assert crawler["SchemaChangePolicy"] == {"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"}
    (target,) = crawler["Targets"]["S3Targets"]
    assert target["Path"]["Fn::Join"][1][1]["Ref"].startswith("StorageRaw")
    assert {"_state/**", "_quarantine/**"} <= set(target["Exclusions"])
    assert crawler["CrawlerSecurityConfiguration"] == {
        "Ref": next(iter(synth.resources("AWS::Glue::SecurityConfiguration")))
    }


def _ddl_columns(name: str) -> list[tuple[str, str]]:
    """(name, type) of the columns of the committed DDL file, parsed as Athena SQL."""
    text = (ROOT / "athena_queries" / "ddl" / f"{name}.sql").read_text(encoding="utf-8")
    create = sqlglot.parse_one(text, read="athena")
    schema = create.this
    return [
        (c.name, c.args["kind"].sql(dialect="hive").lower()) for c in schema.expressions if isinstance(c, exp.ColumnDef)
    ]


def test_tables_match_the_committed_ddl(synth):
    tables = {
        t["Properties"]["TableInput"]["Name"]: t["Properties"]["TableInput"]
        for t in synth.resources("AWS::Glue::Table").values()
    }
    assert set(tables) == {t.name for t in CATALOG_TABLES}
    for name, table in tables.items():
        glue_cols = [(c["Name"], c["Type"].replace(" ", "").lower()) for c in table["StorageDescriptor"]["Columns"]]
        ddl_cols = [(n, t.replace(" ", "")) for n, t in _ddl_columns(name)]
        assert glue_cols == ddl_cols, name


def test_partitioned_tables_use_projection_on_their_own_location(synth):
    partitioned = {t.name for t in CATALOG_TABLES if t.partitioned}
    seen = set()
    for res in synth.resources("AWS::Glue::Table").values():
        table = res["Properties"]["TableInput"]
        params = table["Parameters"]
        if table["Name"] not in partitioned:
            assert "projection.enabled" not in params and not table.get("PartitionKeys")
            continue
        seen.add(table["Name"])
        assert [k["Name"] for k in table["PartitionKeys"]] == ["month"]  # the folders; dt is a column
        assert table["StorageDescriptor"]["Columns"][-1]["Name"] == "dt"
        assert params["projection.enabled"] == "true" and params["projection.month.type"] == "date"
        assert params["projection.month.interval.unit"] == "MONTHS"
        location = table["StorageDescriptor"]["Location"]["Fn::Join"][1]
        template = params["storage.location.template"]["Fn::Join"][1]
        assert location[-1] == f"/{table['Name']}/"
        assert template[:-1] == location[:-1] and template[-1] == f"/{table['Name']}/month=${{month}}/"
    assert seen == partitioned
