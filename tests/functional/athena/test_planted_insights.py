"""The sample board through the real pipeline: the baby's age and the body parts the generator planted come
back out of v_group_by_age and v_group_body_parts.

Each view first equals an independent pandas computation over the mart the pipeline wrote; then its shares
are compared with the planted ones, on the same posts (paired, so no sampling error to allow for): for a
group, the share of its posts in each age band (the generator's age, on the posts that write one) and the
share naming each body part (the generator's {part}, on the posts that write one). What is planted is in
config/corpus_topics.yaml (`ages`, `parts`) and docs/sample-corpus.md.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cafelake.athena.local import LocalAthena
from cafelake.settings import Settings
from cafelake.tokenize.age import BANDS, age_band

pytestmark = pytest.mark.slow

AGE_TOLERANCE = 0.06  # a band's share of a group, planted against found
PART_TOLERANCE = 0.06  # a part's share of a group's posts, planted against found
SKIN_GROUPS = ("seborrheic", "heat_rash", "atopy", "skin", "urticaria", "hand_foot")


@pytest.fixture(scope="module")
def views(pipeline_lake):
    with LocalAthena(pipeline_lake) as engine:
        return {name: engine.view(name) for name in ("v_group_by_age", "v_group_body_parts")}


@pytest.fixture(scope="module")
def mart(pipeline_lake):
    names = {g.group_id: g.group_name for g in Settings.load({}).keyword_groups}
    posts = pipeline_lake.read_table("posts_dim", columns=["post_id", "dt", "baby_age_months", "baby_age_band"])
    groups = pipeline_lake.read_table("post_keyword_groups", columns=["post_id", "dt", "group_id"]).to_pandas()
    parts = pipeline_lake.read_table("post_body_parts", columns=["post_id", "dt", "part_name"]).to_pandas()
    return posts.to_pandas(), groups.assign(group_name=groups["group_id"].map(names)), parts


@pytest.fixture(scope="module")
def truth(pipeline_corpus, mart) -> pd.DataFrame:
    """Per post of the mart whose whole text reached it: the planted groups, age and body part."""
    rows = []
    for post_id in mart[0]["post_id"]:
        art = pipeline_corpus.article(int(post_id.rsplit(":", 1)[1]))
        if art.status != "ok" or (art.broken is not None and not art.broken.startswith("odd_date")):
            continue
        t = art.truth
        rows.append((post_id, t["groups"], t["age_months"] if t["age_written"] else None, t["body_part"]))
    return pd.DataFrame(rows, columns=["post_id", "groups", "age_months", "body_part"])


def test_v_group_by_age_equals_pandas_on_the_pipelines_mart(views, mart):
    posts, groups, _ = mart
    aged = posts.dropna(subset=["baby_age_band"])
    cells = groups.merge(aged, on=["post_id", "dt"]).groupby(["group_name", "baby_age_band"])["post_id"].nunique()
    share = cells / cells.groupby(level=0).transform("sum")
    got = views["v_group_by_age"].set_index(["group_name", "baby_age_band"])
    pd.testing.assert_series_equal(
        got["share_of_group"].sort_index(), share.sort_index().rename("share_of_group"), check_index_type=False
    )
    band = aged.groupby("baby_age_band").size()
    assert (got["band_posts"] == band.reindex(got.index.get_level_values(1)).to_numpy()).all()


def test_v_group_body_parts_equals_pandas_on_the_pipelines_mart(views, mart):
    _, groups, parts = mart
    cells = groups.merge(parts, on=["post_id", "dt"]).groupby(["group_name", "part_name"])["post_id"].nunique()
    share = cells / groups.groupby("group_name")["post_id"].nunique().reindex(cells.index.get_level_values(0)).values
    got = views["v_group_body_parts"].set_index(["group_name", "part_name"])["share_of_group"]
    pd.testing.assert_series_equal(got.sort_index(), share.sort_index().rename("share_of_group"))


def _planted_bands(truth: pd.DataFrame, group: str) -> pd.Series:
    aged = truth[truth["groups"].map(lambda g: group in g) & truth["age_months"].notna()]
    return aged["age_months"].map(lambda m: age_band(int(m))).value_counts(normalize=True)


@pytest.mark.parametrize("group", ["seborrheic", "hand_foot", "atopy", "heat_rash", "fever", "stool"])
def test_the_age_bands_of_a_group_come_out_as_planted(views, truth, group):
    planted = _planted_bands(truth, group)
    got = views["v_group_by_age"].set_index(["group_name", "baby_age_band"])["share_of_group"]
    found = got.xs(group).reindex([label for _, label in BANDS], fill_value=0.0)
    planted = planted.reindex(found.index, fill_value=0.0)
    table = pd.DataFrame({"planted": planted, "found": found}).round(3)
    assert len(truth[truth["groups"].map(lambda g: group in g)]) >= 40, group
    assert (found - planted).abs().max() <= AGE_TOLERANCE, f"{group}\n{table}"


def test_the_planted_ages_read_as_the_issue_says(views):
    """태열 in newborns, 수족구 at one to three, 아토피 later. A group is a mixture: a 땀띠 post (planted up to
    24 months) that mentions 태열 is a 태열 post too, so 태열's young share is the highest, not all of it."""
    got = views["v_group_by_age"].pivot_table(
        index="group_name", columns="baby_age_band", values="share_of_group", fill_value=0.0
    )
    young = got[["0 신생아", "01-03개월"]].sum(axis=1)
    assert young["seborrheic"] > 0.6 and young.idxmax() == "seborrheic", young.sort_values()
    assert got.loc["hand_foot", ["13-24개월", "25-36개월"]].sum() > 0.9
    assert got.loc["atopy", ["13-24개월", "25-36개월", "37개월+"]].sum() > 0.8


def test_the_sample_corpus_age_is_read_where_it_is_written(pipeline_corpus, mart, truth):
    """On the board's posts that write an age, the parser labels nearly all and is right on nearly all it labels."""
    posts = mart[0].set_index("post_id")
    written = truth.dropna(subset=["age_months"])
    got = posts.loc[written["post_id"], "baby_age_months"]
    labelled = got.notna()
    right = (got[labelled].to_numpy() == written["age_months"][labelled.to_numpy()].to_numpy()).mean()
    assert labelled.mean() >= 0.95 and right >= 0.97, (labelled.mean(), right)


@pytest.mark.parametrize("group", SKIN_GROUPS)
def test_the_body_parts_of_a_skin_group_come_out_as_planted(views, truth, mart, group):
    parts_by_name = {p.display_name: p.group_name for p in Settings.load({}).body_parts}
    in_group = truth[truth["groups"].map(lambda g: group in g)]
    planted = in_group["body_part"].map(parts_by_name).value_counts() / len(in_group)
    got = views["v_group_body_parts"].set_index(["group_name", "part_name"])["share_of_group"]
    found = got.xs(group)
    names = sorted(set(planted.index) | set(found.index))
    table = pd.DataFrame({"planted": planted.reindex(names, fill_value=0), "found": found.reindex(names, fill_value=0)})
    assert len(in_group) >= 40 and len(planted) >= 3, group
    assert planted.idxmax() == found.idxmax(), f"{group}\n{table.round(3)}"
    worst = (table["found"] - table["planted"]).loc[planted.index].abs().max()
    assert worst <= PART_TOLERANCE, f"{group}\n{table.round(3)}"
