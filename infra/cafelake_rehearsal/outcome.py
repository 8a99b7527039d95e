"""What a rehearsed run leaves in the buckets, against a local pipeline run of the same board.

The local run is the `cafelake` CLI (cleanse, tokenize) over a folder lake holding a copy of what
the rehearsed scraper wrote to the raw bucket, with the pseudonym key the deployed cleanse job
reads from Secrets Manager; its views are the local engine's. The raw zone is copied, not
scraped again, because a post the board dates relatively ("23시간 전") is dated from the moment
it was fetched: two scrapes a minute apart date it a minute apart. The rehearsal's tables are
read from its buckets, its views from the Athena stand-in, where the state machine created them.
Rows are compared as sorted lists (floats rounded to 9 places: DuckDB may sum in another order).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from cafelake.athena.local import LocalAthena
from cafelake.lake import Lake

TABLES = ("posts_dim", "tokens_fact")
ZONES_COMPARED = ("raw", "cleansed", "tokenized")


def copy_zone(s3: Any, root: str, folder: Path) -> None:
    """Every object of a zone (an s3:// root) into a local folder, keys as paths."""
    bucket, _, prefix = root.removeprefix("s3://").partition("/")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if obj["Key"].endswith("/"):  # a folder marker (pyarrow makes them), not data
                continue
            path = folder / obj["Key"][len(prefix) :].lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, obj["Key"], str(path))


def local_run(s3: Any, raw_root: str, lake: Path, pseudonym_key: str) -> None:
    """cleanse and tokenize with the CLI, as a user on a laptop would, over a copy of the raw zone."""
    copy_zone(s3, raw_root, lake / "raw")
    cli = str(Path(sys.executable).with_name("cafelake"))
    env = {**os.environ, "CAFELAKE_PSEUDONYM_KEY": pseudonym_key, "CAFELAKE_LAKE": str(lake)}
    for args in (["cleanse"], ["tokenize"]):
        done = subprocess.run([cli, *args], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"cafelake {args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")


def canonical(frame: pd.DataFrame) -> list[tuple]:
    """Rows as sorted tuples of plain values (lists as tuples, floats rounded)."""

    def plain(v: object) -> object:
        if isinstance(v, float):
            return None if v != v else round(v, 9)
        if hasattr(v, "tolist") and not isinstance(v, str):
            return tuple(v.tolist())
        if isinstance(v, list):
            return tuple(v)
        return v if v is not None and v is not pd.NA else None

    rows = [tuple(plain(v) for v in row) for row in frame.astype(object).itertuples(index=False, name=None)]
    return sorted(rows, key=repr)


def table_rows(lake: Lake, name: str) -> list[tuple]:
    return canonical(lake.read_table(name).to_pandas())


def _describe(got: list[tuple], want: list[tuple]) -> str:
    only_got, only_want = sorted(set(got) - set(want), key=repr), sorted(set(want) - set(got), key=repr)
    text = f"{len(got)} rows rehearsed, {len(want)} local; {len(only_got)} only rehearsed, {len(only_want)} only local"
    for label, rows in (("rehearsed", only_got), ("local", only_want)):
        if rows:
            text += f"; e.g. {label}: {str(rows[0])[:600]}"
    return text


def differences(rehearsed: Lake, views: LocalAthena, local: Path) -> dict[str, str]:
    """Every table and view whose rows differ, with the counts and an example; empty when all agree."""
    out = {}
    local_lake = Lake(str(local))
    for name in TABLES:
        got, want = table_rows(rehearsed, name), table_rows(local_lake, name)
        if got != want:
            out[name] = _describe(got, want)
    local_views = LocalAthena(local_lake)
    for name in sorted(local_views.views):
        got, want = canonical(views.view(name)), canonical(local_views.view(name))
        if got != want:
            out[name] = _describe(got, want)
    return out


def snapshot(s3: Any, lake: Lake, rewritten: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """Every object of the zones with its ETag, but for the `(zone, key)`s every run rewrites by design (the
    scraper's checkpoint and lease): a run with nothing new must leave everything else as it was."""
    skip = {lake.uri(zone, key).removeprefix("s3://") for zone, key in rewritten}
    out = {}
    for zone in ZONES_COMPARED:
        bucket, _, prefix = lake.zone_roots[zone].removeprefix("s3://").partition("/")
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for obj in (o for page in pages for o in page.get("Contents", [])):
            if f"{bucket}/{obj['Key']}" not in skip:
                out[f"{bucket}/{obj['Key']}"] = obj["ETag"]
    return out
