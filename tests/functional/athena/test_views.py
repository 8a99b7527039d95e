"""Every view, run locally by DuckDB from the Athena SQL files, equals an independent pandas computation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cafelake.athena import sqlfiles
from cafelake.athena.local import LocalAthena
from cafelake.settings import Settings
from cafelake.tokenize.age import BANDS
from cafelake.tokenize.tfidf import MEAN_MIN_DOCS, MEAN_MIN_SHARE, compute_tfidf

TOP_N = 40


@pytest.fixture(scope="module", params=["synthetic", pytest.param("pipeline", marks=pytest.mark.slow)])
def lake(request):
    """The synthetic mart (token_tfidf from the tokenize stage's TF-IDF), then the real pipeline's."""
    if request.param == "pipeline":
        return request.getfixturevalue("pipeline_lake")
    lake = request.getfixturevalue("mart_lake")
    lake.write_table("token_tfidf", compute_tfidf(_chunks(lake), Settings.load({}).keyword_groups, top_n=TOP_N))
    return lake


@pytest.fixture(scope="module")
def frames(lake):
    """The mart as pandas, read with pyarrow (not DuckDB)."""
    out = {
        name: lake.read_table(name).to_pandas()
        for name in ("posts_dim", "tokens_fact", "post_keyword_groups", "keyword_groups_dim", "post_body_parts")
    }
    out["posts_dim"]["post_date"] = out["posts_dim"]["post_date"].map(lambda d: d.isoformat())
    return out


@pytest.fixture(scope="module")
def engine(lake):
    with LocalAthena(lake) as e:
        yield e


def _chunks(lake):
    def chunks():
        for dts in np.array_split(lake.partitions("tokens_fact"), 4):
            yield (lake.read_table("tokens_fact", dts=list(dts)), lake.read_table("post_keyword_groups", dts=list(dts)))

    return chunks


def _norm(df: pd.DataFrame) -> pd.DataFrame:
    """Plain comparable values: dates as ISO text, numbers as float, flags as bool or None, text as object."""
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d").astype(object)
        elif pd.api.types.is_bool_dtype(s):
            out[col] = s.astype(object).where(s.notna(), None)
        elif pd.api.types.is_numeric_dtype(s):
            out[col] = s.astype(float)
        else:
            out[col] = s.map(lambda v: v.isoformat() if isinstance(v, dt.date) else v).astype(object)
    return pd.DataFrame(out)


def assert_same(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    assert len(expected) > 0, "the expected frame is empty: the test would prove nothing"
    missing = set(expected.columns) - set(actual.columns)
    assert not missing, f"view lacks columns {missing}"
    a = _norm(actual[list(expected.columns)]).sort_values(keys).reset_index(drop=True)
    e = _norm(expected).sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, e, check_dtype=False, check_exact=False, rtol=1e-9, atol=1e-12)


def _non_stop(frames):
    t = frames["tokens_fact"]
    return t[~t["is_stopword"]]


def test_every_view_file_is_tested_here():
    tested = {name[len("test_") :] for name in globals() if name.startswith("test_v_")}
    assert {v.name for v in sqlfiles.views()} <= tested


def test_v_posts_by_hour(engine, frames):
    p = frames["posts_dim"]
    expected = p.groupby(["dt", "post_date", "post_hour"]).size().rename("posts").reset_index()
    assert_same(engine.view("v_posts_by_hour"), expected, ["dt", "post_hour"])


def test_v_posts_by_hour_leaves_out_posts_whose_hour_is_unknown(small_mart):
    lake, t = small_mart
    p = t["posts_dim"]
    unknown = pa.array([i % 10 == 0 for i in range(p.num_rows)])  # the source showed only their day
    for name, value in (
        ("post_hour", pa.scalar(None, pa.int32())),
        ("posted_at", pa.scalar(None, p["posted_at"].type)),
        ("time_known", pa.scalar(False)),
    ):
        p = p.set_column(p.schema.get_field_index(name), name, pc.if_else(unknown, value, p[name]))
    lake.write_table("posts_dim", p)
    known = p.filter(pc.invert(unknown)).to_pandas()
    known["post_date"] = known["post_date"].map(lambda d: d.isoformat())
    expected = known.groupby(["dt", "post_date", "post_hour"]).size().rename("posts").reset_index()
    with LocalAthena(lake) as e:
        got = e.view("v_posts_by_hour")
    assert got["post_hour"].notna().all() and got["posts"].sum() == len(known) < p.num_rows
    assert_same(got, expected, ["dt", "post_hour"])


def test_v_daily_posts(engine, frames):
    p = frames["posts_dim"]
    expected = p.groupby(["dt", "post_date"]).agg(posts=("post_id", "size"), authors=("author_key", "nunique"))
    assert_same(engine.view("v_daily_posts"), expected.reset_index(), ["dt"])


def test_v_group_daily_posts(engine, frames):
    g = frames["post_keyword_groups"].merge(frames["keyword_groups_dim"], on="group_id")
    expected = g.groupby(["dt", "group_id", "group_name", "display_name"])["post_id"].nunique().rename("posts")
    expected = expected.reset_index()
    expected["post_date"] = expected["dt"]
    assert_same(engine.view("v_group_daily_posts"), expected, ["dt", "group_id"])


def test_v_group_by_age(engine, frames):
    aged = frames["posts_dim"].dropna(subset=["baby_age_band"])[["post_id", "dt", "baby_age_band"]]
    band_posts = aged.groupby("baby_age_band").size().rename("band_posts")
    g = (
        frames["post_keyword_groups"]
        .merge(aged, on=["post_id", "dt"])
        .merge(frames["keyword_groups_dim"], on="group_id")
    )
    cells = g.groupby(["group_id", "group_name", "display_name", "baby_age_band"])["post_id"].nunique().rename("posts")
    expected = cells.reset_index().merge(band_posts.reset_index(), on="baby_age_band")
    expected["band_order"] = expected["baby_age_band"].map({label: i for i, (_, label) in enumerate(BANDS)})
    expected["share_of_band"] = expected["posts"] / expected["band_posts"]
    expected["share_of_group"] = expected["posts"] / expected.groupby("group_id")["posts"].transform("sum")
    got = engine.view("v_group_by_age")
    assert len(got) > 50 and got["share_of_group"].between(0, 1).all()
    assert_same(got, expected, ["group_id", "baby_age_band"])


def test_v_group_body_parts(engine, frames):
    g, b = frames["post_keyword_groups"], frames["post_body_parts"]
    group_posts = g.groupby("group_id")["post_id"].nunique().rename("group_posts")
    both = b.merge(g[["post_id", "dt", "group_id"]], on=["post_id", "dt"]).merge(
        frames["keyword_groups_dim"], on="group_id"
    )
    cells = both.groupby(["group_id", "group_name", "display_name_y", "part_id", "part_name", "display_name_x"])
    expected = cells["post_id"].nunique().rename("posts").reset_index()
    expected = expected.rename(columns={"display_name_y": "display_name", "display_name_x": "part_display_name"})
    expected = expected.merge(group_posts.reset_index(), on="group_id")
    expected["share_of_group"] = expected["posts"] / expected["group_posts"]
    got = engine.view("v_group_body_parts")
    assert len(got) > 20
    assert_same(got, expected, ["group_id", "part_id"])


def test_v_author_post_frequency(engine, frames):
    per_author = frames["posts_dim"]["author_key"].value_counts()
    expected = per_author[per_author >= 2].value_counts().rename("authors").rename_axis("post_count").reset_index()
    assert_same(engine.view("v_author_post_frequency"), expected, ["post_count"])


def test_v_top_tokens(engine, frames):
    t = _non_stop(frames)
    expected = (
        t.groupby(["dt", "token", "token_pos"])
        .agg(occurrences=("post_id", "size"), posts=("post_id", "nunique"))
        .reset_index()
    )
    expected["post_date"] = expected["dt"]
    assert_same(engine.view("v_top_tokens"), expected, ["dt", "token", "token_pos"])


def test_v_top_tokens_summed_over_a_month_counts_distinct_posts(engine, frames):
    t = _non_stop(frames)
    month = sorted(t["dt"].str[:7].unique())[1]
    expected = (
        t[t["dt"].str.startswith(month)]
        .groupby(["token", "token_pos"])
        .agg(occurrences=("post_id", "size"), posts=("post_id", "nunique"))
        .reset_index()
    )
    actual = engine.query(
        "SELECT token, token_pos, sum(occurrences) AS occurrences, sum(posts) AS posts "
        f"FROM v_top_tokens WHERE dt BETWEEN '{month}-01' AND '{month}-31' GROUP BY 1, 2"
    )
    assert_same(actual, expected, ["token", "token_pos"])


def _rank(df: pd.DataFrame, by: list[str], ascending: list[bool], within: str) -> pd.Series:
    return df.sort_values(by, ascending=ascending).groupby(within).cumcount().reindex(df.index) + 1


def test_v_group_top_tokens(engine, frames):
    j = _non_stop(frames).merge(frames["post_keyword_groups"][["post_id", "group_id"]], on="post_id")
    c = (
        j.groupby(["group_id", "token", "token_pos"])
        .agg(occurrences=("post_id", "size"), posts=("post_id", "nunique"))
        .reset_index()
    )
    c = c.merge(frames["keyword_groups_dim"][["group_id", "group_name", "display_name"]], on="group_id")
    c["rank"] = _rank(c, ["occurrences", "token", "token_pos"], [False, True, True], "group_id")
    assert_same(engine.view("v_group_top_tokens"), c, ["group_id", "rank"])


def test_v_author_cohort_retention(engine, frames):
    p = frames["posts_dim"]
    months = pd.to_datetime(p["post_date"]).dt.to_period("M")
    am = pd.DataFrame({"author_key": p["author_key"], "month": months}).drop_duplicates()
    am["cohort"] = am.groupby("author_key")["month"].transform("min")
    am["months_since_first"] = [(m - c).n for m, c in zip(am["month"], am["cohort"], strict=True)]
    e = am.groupby(["cohort", "months_since_first"]).size().rename("authors").reset_index()
    e["cohort_authors"] = e.groupby("cohort")["authors"].transform(
        lambda s: s[e.loc[s.index, "months_since_first"] == 0].sum()
    )
    e["retention"] = e["authors"] / e["cohort_authors"]
    e["cohort_month"] = e["cohort"].map(lambda m: m.start_time.date().isoformat())
    e = e.drop(columns="cohort")
    assert (e["months_since_first"] > 0).any(), "the mart should have returning authors"
    assert_same(engine.view("v_author_cohort_retention"), e, ["cohort_month", "months_since_first"])


def test_v_posts_enriched(engine, frames):
    p = frames["posts_dim"]
    g = frames["post_keyword_groups"].merge(frames["keyword_groups_dim"], on="group_id").sort_values("group_id")
    per_post = (
        g.groupby("post_id")
        .agg(
            group_count=("group_id", "size"),
            group_names=("group_name", ",".join),
            display_names=("display_name", ",".join),
        )
        .reset_index()
    )
    e = p[["dt", "post_id", "post_date", "post_hour", "time_known", "author_key", "comment_count"]].merge(
        per_post, on="post_id", how="left"
    )
    e["group_count"] = e["group_count"].fillna(0)
    e["has_group"] = e["group_names"].notna()
    e["is_multi_group"] = e["group_count"] > 1
    unknown = e["post_hour"].isna()  # the hour flags are unknown (null) with the hour
    e["is_evening"] = e["post_hour"].between(21, 23).astype("boolean").mask(unknown)
    e["is_night"] = e["post_hour"].between(0, 5).astype("boolean").mask(unknown)
    weekday = pd.to_datetime(e["post_date"]).dt.day_of_week + 1
    e["post_weekday"] = weekday
    e["is_weekend"] = weekday >= 6
    e["is_unanswered"] = e["comment_count"] == 0
    assert e["has_group"].any() and not e["has_group"].all()
    assert_same(engine.view("v_posts_enriched"), e, ["post_id"])


def _token_trends(tokens: pd.DataFrame, top: int = 100) -> pd.DataFrame:
    """Every week's true count of each token that is in some week's top `top`; rank NaN where absent."""
    t = tokens[~tokens["is_stopword"]].copy()
    day = pd.to_datetime(t["dt"])
    t["week_start"] = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d")
    w = (
        t.groupby(["week_start", "token", "token_pos"])
        .agg(occurrences=("post_id", "size"), posts=("post_id", "nunique"))
        .reset_index()
    )
    w["rank"] = _rank(w, ["occurrences", "token", "token_pos"], [False, True, True], "week_start")
    totals = w.groupby("week_start")["occurrences"].sum().rename("total").reset_index()
    candidates = w.loc[w["rank"] <= top, ["token", "token_pos"]].drop_duplicates()
    grid = totals.merge(candidates, how="cross").merge(w, on=["week_start", "token", "token_pos"], how="left")
    grid[["occurrences", "posts"]] = grid[["occurrences", "posts"]].fillna(0)
    grid["share"] = grid["occurrences"] / grid.pop("total")
    return grid


def test_v_token_trends(engine, frames):
    expected = _token_trends(frames["tokens_fact"])
    assert_same(engine.view("v_token_trends"), expected, ["week_start", "token", "token_pos"])


def test_v_token_trends_keeps_every_week_of_a_token_crossing_rank_100(tmp_path):
    """A token at rank 100 one week and 101 the next keeps its true count, not a gap read as 0."""
    import pyarrow as pa

    from cafelake.lake import Lake

    def row(day: str, token: str, n: int, stop: bool = False) -> dict:
        return {"dt": day, "token": token, "token_pos": "NNG", "is_stopword": stop, "occurrences": n, "posts": n}

    rows = [row(day, f"f{i:03d}", 1000 - i) for day in ("2026-03-02", "2026-03-09") for i in range(99)]
    rows += [
        row("2026-03-02", "경계", 500),
        row("2026-03-10", "경계", 200),
        row("2026-03-11", "경계", 200),
        row("2026-03-09", "신규", 450),
        row("2026-03-02", "밖", 10),
        row("2026-03-09", "밖", 10),
        row("2026-03-03", "것", 5000, stop=True),
    ]
    lake = Lake(str(tmp_path / "lake"))
    lake.write_table("token_daily_counts", pa.Table.from_pylist(rows))
    with LocalAthena(lake) as local:
        got = _norm(local.view("v_token_trends")).set_index(["token", "week_start"])
    assert len(got) == 2 * 101 and "밖" not in got.index.get_level_values("token")
    assert got.loc[("경계", "2026-03-02"), ["occurrences", "rank"]].tolist() == [500, 100]
    assert got.loc[("경계", "2026-03-09"), ["occurrences", "posts", "rank"]].tolist() == [400, 400, 101]
    absent = got.loc[("신규", "2026-03-02")]
    assert absent["occurrences"] == 0 and absent["share"] == 0 and np.isnan(absent["rank"])
    week_total = sum(1000 - i for i in range(99)) + 400 + 450 + 10
    assert got.loc[("신규", "2026-03-09"), "share"] == pytest.approx(450 / week_total)


def test_v_top_tfidf(engine, lake):
    t = lake.read_table("token_tfidf").to_pandas()
    labels = {g.group_name: g.display_name for g in Settings.load({}).keyword_groups}
    t["scope_label"] = t["scope"].map(lambda s: labels.get(s, s))
    assert set(t["ranking"]) == {"sum", "mean"}
    assert_same(engine.view("v_top_tfidf"), t, ["scope", "ranking", "rank"])


def tfidf_numpy(frames) -> pd.DataFrame:
    """The shared TF-IDF definition, written out plainly with pandas and numpy: both rankings' rows."""
    t = _non_stop(frames)
    tf = t.groupby(["post_id", "token", "token_pos"]).size().rename("tf").reset_index()
    pkg = frames["post_keyword_groups"].merge(frames["keyword_groups_dim"], on="group_id")
    scopes = {"all": tf}
    for name, posts in pkg.groupby("group_name")["post_id"]:
        scopes[name] = tf[tf["post_id"].isin(set(posts))]

    def weighed(s: pd.DataFrame) -> pd.DataFrame:  # smooth idf over s, L2-normalised per post
        n = s["post_id"].nunique()
        df = s.groupby(["token", "token_pos"])["post_id"].nunique().rename("doc_freq")
        s = s.join(df, on=["token", "token_pos"])
        x = s["tf"].to_numpy(float) * (np.log((1 + n) / (1 + s["doc_freq"].to_numpy(float))) + 1)
        norm = np.sqrt(pd.Series(x * x).groupby(s["post_id"].to_numpy()).transform("sum").to_numpy())
        return s.assign(w=x / norm)

    board = weighed(tf)[["post_id", "token", "token_pos", "w"]].rename(columns={"w": "w_board"})
    rows = []
    for scope, s in scopes.items():
        if s.empty:
            continue
        n = s["post_id"].nunique()
        s = weighed(s).merge(board, on=["post_id", "token", "token_pos"])
        agg = (
            s.groupby(["token", "token_pos"])
            .agg(
                doc_freq=("doc_freq", "first"),
                term_freq=("tf", "sum"),
                tfidf_score=("w", "sum"),
                board=("w_board", "sum"),
            )
            .reset_index()
        )
        agg["scope"] = scope
        agg["mean_tfidf"] = agg.pop("board") / agg["doc_freq"]
        rows.append(agg.assign(ranking="sum"))
        frequent = (agg["doc_freq"] >= MEAN_MIN_DOCS) & (agg["doc_freq"] * MEAN_MIN_SHARE >= n)
        rows.append(agg[frequent].assign(ranking="mean"))
    out = pd.concat(rows, ignore_index=True)
    out["key"] = np.where(out["ranking"] == "sum", out["tfidf_score"], out["mean_tfidf"])
    out["scope_ranking"] = out["scope"] + "/" + out["ranking"]
    out["rank"] = _rank(out, ["key", "token", "token_pos"], [False, True, True], "scope_ranking")
    return out


def _stable_ranks(df: pd.DataFrame, tol: float = 1e-9) -> pd.Series:
    """True where no other term of the scope and ranking scores within `tol` (float noise cannot swap its rank)."""
    s = df.sort_values(["scope_ranking", "key"])
    gap_prev = s.groupby("scope_ranking")["key"].diff().abs()
    gap_next = s.groupby("scope_ranking")["key"].diff(-1).abs()
    return ((gap_prev.isna() | (gap_prev > tol)) & (gap_next.isna() | (gap_next > tol))).reindex(df.index)


def test_v_tfidf_sql(engine, frames):
    expected = tfidf_numpy(frames)
    actual = engine.view("v_tfidf_sql")
    keys = ["scope", "ranking", "token", "token_pos"]
    assert_same(actual, expected[[*keys, "doc_freq", "term_freq", "tfidf_score", "mean_tfidf"]], keys)
    merged = actual.merge(expected, on=keys, suffixes=("", "_np"))
    stable = _stable_ranks(merged)
    assert stable.mean() > 0.5
    assert (merged.loc[stable, "rank"] == merged.loc[stable, "rank_np"]).all()
    # The minimum document frequency bites: some terms are ranked by their sum only.
    per_ranking = expected.groupby(["scope", "ranking"]).size().unstack()
    assert (per_ranking["mean"] < per_ranking["sum"]).any() and per_ranking["mean"].sum() > 0


def test_v_tfidf_sql_equals_the_tokenize_stage_top_n(engine, lake):
    """The SQL view and the scikit-learn implementation (cafelake.tokenize.tfidf) agree to 1e-9, both rankings."""
    mart = lake.read_table("token_tfidf").to_pandas()
    assert set(mart["ranking"]) == {"sum", "mean"}
    top_n = int(mart["rank"].max())
    sql = engine.query(f"SELECT * FROM v_tfidf_sql WHERE rank <= {top_n}")
    keys = ["scope", "ranking", "token", "token_pos"]
    merged = mart.merge(sql, on=keys, how="outer", suffixes=("_sk", "_sql"), indicator=True)
    both = merged[merged["_merge"] == "both"]
    for col in ("tfidf_score", "mean_tfidf"):
        np.testing.assert_allclose(both[f"{col}_sk"], both[f"{col}_sql"], rtol=1e-9, atol=1e-12)
    assert (both["doc_freq_sk"] == both["doc_freq_sql"]).all()
    assert (both["term_freq_sk"] == both["term_freq_sql"]).all()
    # Both rank on the score rounded to 10 decimals, so float noise cannot reorder exact ties:
    # the same terms, with the same ranks, on both sides.
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][keys]
    assert (both["rank_sk"] == both["rank_sql"]).all()
    assert set(mart["scope"]) == set(sql["scope"])
    # The two rankings differ: mean is not sum in another order of the same leaders.
    for scope, rows in mart.groupby("scope"):
        if len(rows) >= 20:
            lead = {r: set(rows[(rows["ranking"] == r) & (rows["rank"] <= 10)]["token"]) for r in ("sum", "mean")}
            assert lead["sum"] != lead["mean"], scope


def _cooccurrence(frames) -> pd.DataFrame:
    """Both orders of every pair of groups that met in a post, per month and over all, with the lift."""
    pkg = frames["post_keyword_groups"][["dt", "post_id", "group_id"]].drop_duplicates()
    posts = frames["posts_dim"]
    out = []
    for period_of in (lambda dts: dts.str[:7], lambda dts: pd.Series("all", index=dts.index)):
        k = pkg.assign(period=period_of(pkg["dt"]))
        pairs = k.merge(k, on=["period", "post_id"], suffixes=("_a", "_b"))
        pairs = pairs[pairs["group_id_a"] != pairs["group_id_b"]]
        e = pairs.groupby(["period", "group_id_a", "group_id_b"]).size().rename("posts_both").reset_index()
        single = k.groupby(["period", "group_id"]).size()
        e["posts_a"] = [single[m, g] for m, g in zip(e["period"], e["group_id_a"], strict=True)]
        e["posts_b"] = [single[m, g] for m, g in zip(e["period"], e["group_id_b"], strict=True)]
        e["posts"] = e["period"].map(period_of(posts["dt"]).value_counts())
        out.append(e)
    e = pd.concat(out, ignore_index=True)
    e["month_start"] = (e["period"] + "-01").where(e["period"] != "all", None)
    e["lift"] = e["posts_both"] * e["posts"] / (e["posts_a"] * e["posts_b"])
    g = frames["keyword_groups_dim"].set_index("group_id")
    for side in ("a", "b"):
        ids = e.pop(f"group_id_{side}")
        e[f"group_{side}"] = ids.map(g["group_name"])
        e[f"display_{side}"] = ids.map(g["display_name"])
    return e


def test_v_group_cooccurrence(engine, frames):
    expected = _cooccurrence(frames)
    assert (expected["lift"] != 1).any() and expected["period"].nunique() > 3
    assert_same(engine.view("v_group_cooccurrence"), expected, ["period", "group_a", "group_b"])


def _weeks(dts: pd.Series) -> pd.Series:
    day = pd.to_datetime(dts)
    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def _rising_groups(frames) -> pd.DataFrame:
    """v_rising_groups from the frames: complete weeks, 0 counts included, the reference's test on them."""
    from cafelake.alerts.settings import load_config
    from tests.unit.alerts.rising_reference import rising

    cfg = load_config(Settings.load({}).files)
    days = pd.to_datetime(frames["posts_dim"]["dt"])
    board = _weeks(frames["posts_dim"]["dt"]).value_counts().sort_index()
    board = board[(board.index >= days.min()) & (board.index + pd.Timedelta(days=6) <= days.max())]
    assert (np.diff(board.index.to_numpy()) == np.timedelta64(7, "D")).all(), "the reference needs every week"
    pkg = frames["post_keyword_groups"]
    groups = frames["keyword_groups_dim"].sort_values("group_id")
    counts = (
        pkg.assign(week=_weeks(pkg["dt"]))
        .groupby(["group_id", "week"])["post_id"]
        .nunique()
        .unstack(fill_value=0)
        .reindex(index=groups["group_id"], columns=board.index, fill_value=0)
    )
    r = rising(
        counts.to_numpy(),
        board.to_numpy(),
        trailing=cfg.trailing_weeks,
        z=cfg.z_threshold,
        min_posts=cfg.min_posts,
    )
    board_trailing = pd.Series(board.to_numpy()).rolling(cfg.trailing_weeks).sum().shift(1).to_numpy()
    out = []
    for i, g in enumerate(groups.itertuples()):
        out.append(
            pd.DataFrame(
                {
                    "week_start": board.index.strftime("%Y-%m-%d"),
                    "group_id": g.group_id,
                    "group_name": g.group_name,
                    "display_name": g.display_name,
                    "posts": counts.iloc[i].to_numpy(),
                    "board_posts": board.to_numpy(),
                    "trailing_posts": r.trailing_posts[i],
                    "trailing_board_posts": np.where(np.isnan(r.trailing_posts[i]), np.nan, board_trailing),
                    "expected": r.expected[i],
                    "seasonal_factor": r.seasonal_factor[i],
                    "score": r.score[i],
                    "rising": r.rising[i],
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def test_v_rising_groups(engine, frames):
    expected = _rising_groups(frames)
    assert expected["score"].notna().sum() > 100 and (expected["score"] > 1).any()
    assert_same(engine.view("v_rising_groups"), expected, ["week_start", "group_id"])


def test_v_rising_groups_expects_last_years_season_again(tmp_path, mart_builder):
    """Two years of board: a group that surged for three weeks of the first year is expected to surge again in the
    same weeks of the second (the seasonal factor), so only a surge at a new time is rising there."""
    from cafelake.lake import Lake

    lake = Lake(str(tmp_path / "lake"))
    t = mart_builder(lake, posts=16_000, days=742, start=dt.date(2024, 1, 1))
    posts = t["posts_dim"].to_pandas()[["post_id", "dt"]]
    week = _weeks(posts["dt"])
    first = [pd.Timestamp("2024-07-01") + pd.Timedelta(weeks=k) for k in range(3)]
    again = [w + pd.Timedelta(weeks=52) for w in first]
    new = pd.Timestamp("2025-04-07")
    surge = posts[week.isin([*first, *again, new]) & (posts.index % 4 == 0)]
    pkg = t["post_keyword_groups"].to_pandas()
    hand_foot = 8
    extra = surge[~surge["post_id"].isin(pkg.loc[pkg["group_id"] == hand_foot, "post_id"])]
    pkg = pd.concat(
        [pkg, extra.assign(group_id=hand_foot, matched_keywords=[["수족구"]] * len(extra))], ignore_index=True
    )
    lake.write_table("post_keyword_groups", pa.Table.from_pandas(pkg, preserve_index=False))
    frames = {name: lake.read_table(name).to_pandas() for name in ("posts_dim", "post_keyword_groups")}
    frames["keyword_groups_dim"] = t["keyword_groups_dim"].to_pandas()
    expected = _rising_groups(frames)
    with LocalAthena(lake) as e:
        got = e.view("v_rising_groups")
    assert_same(got, expected, ["week_start", "group_id"])
    hf = got[got["group_name"] == "hand_foot"].set_index(got.loc[got["group_name"] == "hand_foot", "week_start"])
    hf.index = pd.to_datetime(hf.index)
    assert hf.loc[first[0], "rising"] and hf.loc[first[0], "seasonal_factor"] == 1.0
    assert (hf.loc[again, "seasonal_factor"] > 1.5).all() and not hf.loc[again, "rising"].any()
    assert hf.loc[new, "rising"]
    assert set(hf.index[hf["rising"]]) <= {*first, new}
