"""QuickSight: off by default; when on, a data source and one data set per view, columns derived."""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

PRINCIPAL = "arn:aws:quicksight:us-east-1:123456789012:user/default/analyst"


def test_off_by_default(synth):
    assert not synth.resources("AWS::QuickSight::DataSource")
    assert not synth.resources("AWS::QuickSight::DataSet")


def _select_names(sql: str) -> list[str]:
    """The output column names of a CREATE VIEW ... AS SELECT, as sqlglot parses them."""
    create = sqlglot.parse_one(sql, read="athena")
    query = create.expression
    select = query if isinstance(query, exp.Select) else query.find(exp.Select)
    return select.named_selects


def test_one_spice_data_set_per_view_with_the_views_columns(synth):
    import aws_cdk as cdk
    from aws_cdk.assertions import Template
    from cafelake_infra.quicksight import QuickSight

    stack = cdk.Stack(cdk.App(), "QuickSightProbe")
    QuickSight(stack, "QuickSight", principal_arn=PRINCIPAL, workgroup="cafelake", database="cafelake",
               views=synth.stack.views)
    raw = Template.from_stack(stack).to_json()["Resources"]
    (source,) = [r["Properties"] for r in raw.values() if r["Type"] == "AWS::QuickSight::DataSource"]
    assert source["Type"] == "ATHENA"
    assert source["DataSourceParameters"]["AthenaParameters"]["WorkGroup"] == "cafelake"
    assert source["Permissions"][0]["Principal"] == PRINCIPAL
    data_sets = {r["Properties"]["Name"]: r["Properties"] for r in raw.values()
                 if r["Type"] == "AWS::QuickSight::DataSet"}
    assert set(data_sets) == {v.name for v in synth.stack.views}
    for view in synth.stack.views:
        ds = data_sets[view.name]
        assert ds["ImportMode"] == "SPICE"
        (key,) = ds["PhysicalTableMap"]
        assert re.fullmatch(r"[0-9a-zA-Z-]+", key)
        table = ds["PhysicalTableMap"][key]["RelationalTable"]
        assert (table["Schema"], table["Name"]) == ("cafelake", view.name)
        columns = table["InputColumns"]
        assert [c["Name"] for c in columns] == _select_names(view.sql), view.name
        assert {c["Type"] for c in columns} <= {"STRING", "INTEGER", "DECIMAL", "DATETIME", "BOOLEAN"}


def test_date_and_count_columns_get_quicksight_types():
    from cafelake_infra.quicksight import quicksight_type

    assert [quicksight_type(t) for t in ("VARCHAR", "BIGINT", "DOUBLE", "DATE", "TIMESTAMP WITH TIME ZONE",
                                         "DECIMAL(18,3)", "BOOLEAN")] == [
        "STRING", "INTEGER", "DECIMAL", "DATETIME", "DATETIME", "DECIMAL", "BOOLEAN"]
    import pytest

    with pytest.raises(TypeError, match="flatten"):
        quicksight_type("VARCHAR[]")
