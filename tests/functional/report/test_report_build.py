"""build_report on a lake: the real views through the local engine, every chart drawn and read."""

from __future__ import annotations

import html
import re

import pandas as pd
from matplotlib.image import imread
from typer.testing import CliRunner

from cafelake.athena.local import LocalAthena
from cafelake.cli import app, _register
from cafelake.lake import Lake
from cafelake.report import build_report
from cafelake.report.html import make_charts, read_views

SLUGS = {"daily_trend", "posts_by_hour", "authors_by_post_count", "cohort_retention", "top_tokens", "top_tfidf",
         "group_top_tokens", "rising_tokens"}


def _inked_share(path) -> float:
    pixels = imread(path)[..., :3]
    return float((pixels.min(axis=2) < 0.9).mean())


def test_report_holds_every_chart_and_its_reading(mart_lake, tmp_path):
    path = build_report(mart_lake, tmp_path / "out")
    page = path.read_text(encoding="utf-8")
    images = set(re.findall(r'<img id="img-(\w+)" alt="[^"]*" src="data:image/png;base64,', page))
    assert images == SLUGS
    readings = re.findall(r'<p class="reading">(.*?)</p>', page)
    assert len(readings) == len(SLUGS) and all(r.strip() for r in readings)
    for slug in SLUGS:
        png = tmp_path / "out" / f"{slug}.png"
        assert _inked_share(png) > 0.01, f"{slug}.png looks blank"


def test_readings_agree_with_the_mart(mart_lake):
    """Spot-check two readings against an independent pandas computation on posts_dim."""
    posts = mart_lake.read_table("posts_dim", columns=["post_hour", "author_key"]).to_pandas()
    charts = {c.slug: c for c in make_charts(read_views(mart_lake))}
    by_hour = posts["post_hour"].value_counts().reindex(range(24), fill_value=0)
    pairs = {h: by_hour[h] + by_hour[(h + 1) % 24] for h in range(24)}
    peak = max(pairs, key=pairs.get)
    assert f"Posts peak at {peak:02d}:00" in charts["posts_by_hour"].reading
    assert f"({pairs[peak]:,} of {len(posts):,})" in charts["posts_by_hour"].reading
    per_author = posts["author_key"].value_counts()
    assert charts["authors_by_post_count"].reading.startswith(f"{(per_author >= 2).sum():,} authors wrote two")
    assert f"the most active wrote {per_author.max():,}" in charts["authors_by_post_count"].reading


def test_an_empty_lake_gives_a_report_of_messages(tmp_path):
    page = build_report(Lake(str(tmp_path / "empty")), tmp_path / "out").read_text(encoding="utf-8")
    assert "<img" not in page
    assert len(re.findall(r'<p class="empty">', page)) == len(SLUGS)
    assert html.escape("No posts yet, so no hourly pattern.", quote=False) in page


def test_report_command_prints_the_html_path(mart_lake, tmp_path):
    _register("report", "report")
    out = tmp_path / "cli"
    result = CliRunner().invoke(app, ["report", "--lake", mart_lake.root, "--out", str(out), "--group", "fever"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == str(out / "report.html")
    page = (out / "report.html").read_text(encoding="utf-8")
    fever = LocalAthena(mart_lake).view("v_group_top_tokens", "group_name = 'fever' AND rank = 1")
    assert isinstance(fever, pd.DataFrame) and len(fever) == 1
    assert f"'{fever['token'].iloc[0]}' comes first ({int(fever['occurrences'].iloc[0]):,} occurrences)" in page
