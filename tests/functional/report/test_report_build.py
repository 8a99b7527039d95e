"""`cafelake report` on a lake the real pipeline built: the views through the local engine,
every chart drawn, each reading true to the data."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cafelake.athena.local import LocalAthena
from cafelake.cli import _register, app
from cafelake.lake import Lake
from cafelake.pipeline import Pipeline
from tests.unit.report.pngs import is_blank

SLUGS = {
    "daily_trend",
    "posts_by_hour",
    "authors_by_post_count",
    "cohort_retention",
    "top_tokens",
    "top_tfidf",
    "group_top_tokens",
    "group_daily_trend",
    "rising_tokens",
    "group_cooccurrence",
    "rising_groups",
    "age_by_group",
    "skin_body_parts",
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(report_lake, tmp_path_factory) -> tuple[Path, str, str]:
    """(output folder, stdout, page) of one `cafelake report` run with the fever group."""
    _register("report", "Write the report.")
    out = tmp_path_factory.mktemp("report") / "out"
    result = CliRunner().invoke(app, ["report", "--lake", report_lake.root, "--out", str(out), "--group", "fever"])
    assert result.exit_code == 0, result.output
    return out, result.stdout, (out / "report.html").read_text(encoding="utf-8")


def _readings(page: str) -> dict[str, str]:
    return {
        slug: html.unescape(text)
        for slug, text in re.findall(r'<section id="(\w+)">\n<h2>.*?</h2>\n<p class="reading">(.*?)</p>', page)
    }


def test_the_command_prints_the_html_path(built):
    out, stdout, _ = built
    assert stdout.strip().splitlines()[-1] == str(out / "report.html")


def test_report_holds_every_chart_and_its_reading(built):
    out, _, page = built
    assert set(re.findall(r'<img id="img-(\w+)" alt="[^"]*" src="data:image/png;base64,', page)) == SLUGS
    readings = _readings(page)
    assert set(readings) == SLUGS and all(r.strip() for r in readings.values())
    for slug in SLUGS:
        assert not is_blank(out / f"{slug}.png"), f"{slug}.png shows no data"


def test_readings_agree_with_the_lake(report_lake, built):
    """Spot-checks against independent computations on posts_dim and the group view."""
    readings = _readings(built[2])
    posts = report_lake.read_table("posts_dim", columns=["post_hour", "author_key"]).to_pandas()
    by_hour = posts["post_hour"].value_counts().reindex(range(24), fill_value=0)
    pairs = {h: by_hour[h] + by_hour[(h + 1) % 24] for h in range(24)}
    peak = max(pairs, key=pairs.get)
    assert readings["posts_by_hour"].startswith(f"Posts peak at {peak:02d}:00")
    assert f"({pairs[peak]:,} of {by_hour.sum():,})" in readings["posts_by_hour"]  # the posts with a known hour
    per_author = posts["author_key"].value_counts()
    assert readings["authors_by_post_count"].startswith(f"{(per_author >= 2).sum():,} authors wrote two")
    assert f"the most active wrote {per_author.max():,}" in readings["authors_by_post_count"]
    fever = LocalAthena(report_lake).view("v_group_top_tokens", "group_name = 'fever' AND rank = 1")
    token, occurrences = fever["token"].iloc[0], int(fever["occurrences"].iloc[0])
    assert f"'{token}' comes first ({occurrences:,} occurrences)" in readings["group_top_tokens"]
    tagged = report_lake.read_table("post_keyword_groups", columns=["post_id", "group_id"]).to_pandas()
    names = report_lake.read_table("keyword_groups_dim", columns=["group_id", "display_name"]).to_pandas()
    per_group = tagged.drop_duplicates().merge(names, on="group_id")["display_name"].value_counts()
    assert readings["group_daily_trend"].startswith(
        f"'{per_group.index[0]}' is the largest group: {per_group.iloc[0]:,} posts"
    )


def test_an_empty_lake_gives_a_report_of_messages(tmp_path):
    page = Pipeline(Lake(str(tmp_path / "empty"))).report(tmp_path / "out").path.read_text(encoding="utf-8")
    assert "<img" not in page
    assert len(re.findall(r'<p class="empty">', page)) == len(SLUGS)
    assert "No posts yet, so no hourly pattern." in page


def test_the_symptom_readings_agree_with_the_lake(report_lake, built):
    """The strongest pair's lift, computed from post_keyword_groups and posts_dim; the rising weeks from the view."""
    readings = _readings(built[2])
    groups = report_lake.read_table("keyword_groups_dim").to_pandas().set_index("group_id")
    tagged = report_lake.read_table("post_keyword_groups", columns=["post_id", "group_id"]).to_pandas()
    posts = report_lake.read_table("posts_dim", columns=["post_id"]).num_rows
    by_group = tagged.groupby("group_id")["post_id"].apply(set)
    best = None
    for a in by_group.index:
        for b in by_group.index:
            if groups.loc[a, "group_name"] < groups.loc[b, "group_name"]:
                both = len(by_group[a] & by_group[b])
                if both >= 10:
                    lift = both * posts / (len(by_group[a]) * len(by_group[b]))
                    best = max(
                        best or (0, "", 0),
                        (lift, f"{groups.loc[a, 'display_name']} + {groups.loc[b, 'display_name']}", both),
                    )
    lift, pair, both = best
    assert f"{pair} ×{lift:.1f} ({both:,} posts)" in readings["group_cooccurrence"]
    rising = LocalAthena(report_lake).view("v_rising_groups")
    flagged = int(rising["rising"].sum())
    weeks = rising["week_start"].nunique()
    if flagged:
        assert readings["rising_groups"].startswith(f"{flagged} rising group-week(s) in {weeks} complete weeks")
    else:
        assert readings["rising_groups"].startswith(f"No group was rising in any of the {weeks} complete weeks")


def test_the_age_and_body_part_readings_name_what_the_corpus_planted(built):
    """The sample corpus plants 태열 in the youngest babies and on the face (docs/sample-corpus.md)."""
    readings = _readings(built[2])
    assert readings["age_by_group"].startswith("'태열' is asked about youngest"), readings["age_by_group"]
    assert "태열 mostly 얼굴" in readings["skin_body_parts"], readings["skin_body_parts"]
