"""The views' columns and types as the local engine gives them, committed so that `cdk synth` starts no DuckDB.

A QuickSight data set declares its input columns, and the dashboard picks each field's kind (date, number,
text) from the column's type. `view_columns.json` holds, per view in creation order, `[column, type]` in the
view's column order, with the types DuckDB reports for the views' SQL over an empty lake (the same SQL
Athena runs, transpiled by `cafelake.athena.local`). Regenerate it after changing a view:

    .venv/bin/python infra/cafelake_infra/view_columns.py

`tests/infra/test_view_columns.py` fails while the file and the views' SQL disagree.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

COLUMNS_FILE = Path(__file__).with_name("view_columns.json")

Columns = dict[str, list[tuple[str, str]]]


def generate() -> Columns:
    """View name -> [(column, DuckDB type)], from every view of `athena_queries/views/` on an empty lake."""
    from cafelake.athena import sqlfiles
    from cafelake.athena.local import LocalAthena

    with tempfile.TemporaryDirectory() as empty, LocalAthena(empty) as local:
        return {
            view.name: [(col, typ) for col, typ, *_ in local.con.execute(f'DESCRIBE "{view.name}"').fetchall()]
            for view in sqlfiles.views()
        }


def load(path: Path = COLUMNS_FILE) -> Columns:
    """The committed columns (no engine started)."""
    return {view: [(col, typ) for col, typ in cols] for view, cols in json.loads(path.read_text("utf-8")).items()}


def write(path: Path = COLUMNS_FILE) -> Path:
    """Regenerate the committed file: one line per view, so a diff shows which view changed."""
    lines = [f"  {json.dumps(view)}: {json.dumps([list(c) for c in cols])}" for view, cols in generate().items()]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write())
