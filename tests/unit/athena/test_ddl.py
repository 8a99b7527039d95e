"""The committed DDL is what the schema module generates, and it parses as Athena SQL."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from cafelake.athena import ddl, sqlfiles
from cafelake.schemas import CATALOG_TABLES, TableDef, athena_columns, projection_properties, table


def test_committed_ddl_matches_the_schema_module():
    assert ddl.drift() == [], "run `python -m cafelake.athena.ddl --write`"


def test_drift_is_detected(tmp_path):
    ddl.write(tmp_path)
    assert ddl.drift(tmp_path) == []
    path = tmp_path / "posts_dim.sql"
    path.write_text(path.read_text().replace("`post_hour`", "`post_hr`"))
    (tmp_path / "old_table.sql").write_text("-- gone\n")
    assert ddl.drift(tmp_path) == ["old_table.sql", "posts_dim.sql"]
    ddl.write(tmp_path)
    assert ddl.drift(tmp_path) == [] and not (tmp_path / "old_table.sql").exists()


def _parsed(name: str) -> exp.Create:
    [f] = [f for f in sqlfiles.ddl() if f.name == name]
    tree = f.parse()
    assert isinstance(tree, exp.Create) and tree.kind == "TABLE"
    return tree


@pytest.mark.parametrize("tdef", CATALOG_TABLES, ids=lambda t: t.name)
def test_ddl_parses_and_declares_the_schema(tdef: TableDef):
    tree = _parsed(tdef.name)
    assert tree.args["exists"], "IF NOT EXISTS"
    assert tree.find(exp.ExternalProperty) is not None
    assert tree.this.this.name == tdef.name
    cols = [
        (c.name, c.args["kind"].sql("hive").lower(), c.find(exp.CommentColumnConstraint).this.this)
        for c in tree.this.expressions
    ]
    expected = [
        (n, sqlglot.exp.DataType.build(t, dialect="hive").sql("hive").lower(), c) for n, t, c in athena_columns(tdef)
    ]
    assert cols == expected
    props = {
        p.this.this: p.args["value"].this
        for p in tree.find_all(exp.Property)
        if type(p) is exp.Property and isinstance(p.this, exp.Literal)
    }
    location = tree.find(exp.LocationProperty).this.this
    assert location == f"${{{tdef.zone}_uri}}/{tdef.name}/"
    partitioned = tree.find(exp.PartitionedByProperty)
    if tdef.partitioned:
        assert [c.name for c in partitioned.this.expressions] == ["month"]
        assert cols[-1][0] == "dt"  # the day is a column of the files, their folder is the month
        assert projection_properties(location).items() <= props.items()
        assert props["storage.location.template"].endswith("/month=${month}/")
        assert props["projection.month.interval.unit"] == "MONTHS"
    else:
        assert partitioned is None and not any(k.startswith("projection.") for k in props)


def test_catalog_has_a_ddl_file_per_table_and_no_more():
    assert {f.name for f in sqlfiles.ddl()} == {t.name for t in CATALOG_TABLES}
    assert "_quarantine" not in {f.name for f in sqlfiles.ddl()}


def test_comment_quotes_survive_the_round_trip():
    posts = table("posts")
    comment = posts.comments["post_id"]
    assert "'" in comment  # the case the escaping exists for
    col = next(c for c in _parsed("posts").this.expressions if c.name == "post_id")
    assert col.find(exp.CommentColumnConstraint).this.this == comment
