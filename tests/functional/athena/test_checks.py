"""The data-quality checks pass on a clean mart and catch each planted fault."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cafelake.athena import sqlfiles
from cafelake.athena.checks import run_checks
from cafelake.errors import UsageError
from cafelake.lake import Lake
from cafelake.tokenize.mart import token_daily_counts


def _failing(lake) -> dict[str, int]:
    return {r.name: r.failing_rows for r in run_checks(lake) if not r.passed}


def test_clean_mart_passes_every_check(mart_lake):
    results = run_checks(mart_lake)
    assert [r.name for r in results] == [c.name for c in sqlfiles.checks()]
    assert all(r.passed and r.failing_rows == 0 for r in results), [r for r in results if not r.passed]


def test_empty_lake_passes_and_runs_every_check(tmp_path):
    results = run_checks(Lake(str(tmp_path)))
    assert len(results) == len(sqlfiles.checks()) and all(r.passed for r in results)


def _append(lake, name, tables, rows: pa.Table):
    """Write the table back with extra rows (in the partitions they name); token facts with
    their daily counts, as the tokenize stage writes them."""
    tbl = tables[name]
    merged = pa.concat_tables([tbl, rows.select(tbl.column_names).cast(tbl.schema)])
    lake.write_table(name, merged)
    if name == "tokens_fact":
        lake.write_table("token_daily_counts", token_daily_counts(merged))


def test_duplicate_post_id_in_posts_dim(small_mart):
    lake, t = small_mart
    dup = t["posts_dim"].slice(0, 1)
    other_day = next(d for d in t["posts_dim"].column("dt").to_pylist() if d != dup.column("dt")[0].as_py())
    dup = dup.set_column(dup.schema.get_field_index("dt"), "dt", pa.array([other_day]))
    _append(lake, "posts_dim", t, dup)
    failing = _failing(lake)
    assert failing.pop("posts_dim_unique_post_id") == 1
    assert failing.pop("posts_dim_dt_is_post_date") == 1  # the copy sits in the wrong day, too
    assert set(failing) <= {"tokens_fact_dt_is_post_dt", "post_keyword_groups_dt_is_post_dt"}


def test_orphan_token_and_orphan_group_match(small_mart):
    lake, t = small_mart
    orphan = t["tokens_fact"].slice(0, 3)
    orphan = orphan.set_column(0, "post_id", pa.array(["naver_cafe:10050146:999999"] * 3))
    _append(lake, "tokens_fact", t, orphan)
    pkg = t["post_keyword_groups"].slice(0, 1).set_column(0, "post_id", pa.array(["naver_cafe:10050146:999998"]))
    _append(lake, "post_keyword_groups", t, pkg)
    failing = _failing(lake)
    assert failing == {"tokens_fact_post_exists": 1, "post_keyword_groups_post_exists": 1}


def test_hour_24_and_dt_not_post_date(small_mart):
    lake, t = small_mart
    p = t["posts_dim"]
    hours = p.column("post_hour").to_pylist()
    hours[5] = 24
    dts = p.column("dt").to_pylist()
    bad = p.set_column(p.schema.get_field_index("post_hour"), "post_hour", pa.array(hours, pa.int32()))
    lake.write_table("posts_dim", bad)
    # move one whole post (row and its tokens) to the wrong partition
    shifted = "2030-01-01"
    victim = p.column("post_id")[10].as_py()
    moved = bad.set_column(
        bad.schema.get_field_index("dt"),
        "dt",
        pa.array(
            [shifted if pid == victim else d for pid, d in zip(p.column("post_id").to_pylist(), dts, strict=True)]
        ),
    )
    lake.drop_partitions("posts_dim", lake.partitions("posts_dim"))
    lake.write_table("posts_dim", moved)
    failing = _failing(lake)
    assert failing.pop("posts_dim_post_hour_range") == 1
    assert failing.pop("posts_dim_dt_is_post_date") == 1
    # the victim's tokens and group matches now sit in another partition than their post
    assert set(failing) <= {"tokens_fact_dt_is_post_dt", "post_keyword_groups_dt_is_post_dt"}
    assert "tokens_fact_dt_is_post_dt" in failing


def test_unknown_group_and_null_keys(small_mart):
    lake, t = small_mart
    pkg = t["post_keyword_groups"].slice(0, 1)
    pkg = pkg.set_column(pkg.schema.get_field_index("group_id"), "group_id", pa.array([999], pa.int32()))
    _append(lake, "post_keyword_groups", t, pkg)
    tok = t["tokens_fact"].slice(0, 2)
    tok = tok.set_column(tok.schema.get_field_index("token"), "token", pa.nulls(2, pa.string()))
    _append(lake, "tokens_fact", t, tok)
    failing = _failing(lake)
    assert failing == {"post_keyword_groups_group_exists": 1, "tokens_fact_keys_not_null": 2}


def test_duplicate_group_match_and_duplicate_cleansed_post(small_mart):
    lake, t = small_mart
    _append(lake, "post_keyword_groups", t, t["post_keyword_groups"].slice(3, 2))
    posts = t["posts"]
    first_dt = posts.column("dt")[0].as_py()
    _append(lake, "posts", t, posts.filter(pc.equal(posts.column("dt"), first_dt)).slice(0, 1))
    failing = _failing(lake)
    assert failing == {"post_keyword_groups_unique": 2, "posts_unique_post_id": 1}


def test_daily_token_counts_that_disagree_with_tokens_fact(small_mart):
    lake, t = small_mart
    counts = t["token_daily_counts"]
    occurrences = counts.column("occurrences").to_pylist()
    occurrences[0] += 1
    counts = counts.set_column(
        counts.schema.get_field_index("occurrences"), "occurrences", pa.array(occurrences, pa.int64())
    )
    lake.write_table("token_daily_counts", counts.slice(0, counts.num_rows - 1))  # and one token left out
    extra = (
        t["tokens_fact"]
        .slice(0, 1)
        .set_column(t["tokens_fact"].schema.get_field_index("token"), "token", pa.array(["새말"]))
    )
    lake.write_table("tokens_fact", pa.concat_tables([t["tokens_fact"], extra]))  # a token never counted
    [result] = run_checks(lake, only=["token_daily_counts_match_tokens_fact"])
    assert result.failing_rows == 3
    last = counts.slice(counts.num_rows - 1).to_pylist()[0]
    assert {(r["dt"], r["token"], r["counted_occurrences"]) for r in result.sample.to_dict("records")} == {
        (counts.column("dt")[0].as_py(), counts.column("token")[0].as_py(), occurrences[0]),
        (last["dt"], last["token"], None),
        (extra.column("dt")[0].as_py(), "새말", None),
    }


def test_sample_shows_the_failing_rows(small_mart):
    lake, t = small_mart
    orphan = t["tokens_fact"].slice(0, 1).set_column(0, "post_id", pa.array(["naver_cafe:10050146:424242"]))
    _append(lake, "tokens_fact", t, orphan)
    [result] = run_checks(lake, only=["tokens_fact_post_exists"])
    assert not result.passed
    assert result.sample["post_id"].tolist() == ["naver_cafe:10050146:424242"]
    with pytest.raises(UsageError, match="no_such_check"):
        run_checks(lake, only=["no_such_check"])


def test_token_tfidf_ranks_run_once_per_scope_and_ranking(small_mart):
    from cafelake.settings import Settings
    from cafelake.tokenize.tfidf import compute_tfidf

    lake, t = small_mart
    chunks = lambda: iter([(t["tokens_fact"], t["post_keyword_groups"])])  # noqa: E731
    tfidf = compute_tfidf(chunks, Settings.load({}).keyword_groups, top_n=20)
    lake.write_table("token_tfidf", tfidf)
    assert "token_tfidf_ranks" not in _failing(lake)
    rows = tfidf.to_pylist()
    first_mean = next(r for r in rows if (r["scope"], r["ranking"]) == ("all", "mean"))
    rows.append(first_mean | {"token": "다른말"})  # rank 1 of 'all'/'mean' twice
    rows.append(first_mean | {"ranking": "median", "rank": 1})  # a ranking nobody knows
    lake.write_table("token_tfidf", pa.Table.from_pylist(rows, schema=tfidf.schema))
    assert _failing(lake) == {"token_tfidf_ranks": 2}


def test_a_post_id_that_does_not_name_its_source_fails(small_mart):
    """A lake cleansed before post ids named their source: its old rows are found, the new ones pass."""
    lake, t = small_mart
    posts = t["posts"]
    ids = zip(*(posts.column(c).to_pylist() for c in ("post_id", "club_id", "article_id")), strict=True)
    old = [f"{c}-{a}" if i < 3 else p for i, (p, c, a) in enumerate(ids)]
    lake.write_table("posts", posts.set_column(0, "post_id", pa.array(old)))
    assert _failing(lake) == {"posts_post_id_names_its_source": 3}
