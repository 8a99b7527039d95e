"""Each chart's reading is computed from its data; empty or drifted views are handled."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from cafelake.report import charts


def _hours(counts: dict[int, int], days: int = 3) -> pd.DataFrame:
    """v_posts_by_hour rows spread over `days` dates, so the chart has to sum them."""
    rows = []
    for hour, n in counts.items():
        for d in range(days):
            share = n // days + (1 if d < n % days else 0)
            if share:
                rows.append({"post_date": date(2026, 1, 1) + timedelta(days=d), "post_hour": hour, "posts": share})
    return pd.DataFrame(rows)


def test_posts_by_hour_finds_the_busiest_two_hours():
    counts = {h: 2 for h in range(24)} | {21: 30, 22: 25, 23: 20, 4: 0}
    chart = charts.posts_by_hour(_hours(counts))
    total = sum(counts.values())
    assert chart.figure is not None
    assert "21:00–22:59 KST" in chart.reading
    assert f"{55 / total:.0%}" in chart.reading and f"(55 of {total})" in chart.reading
    assert "quietest hour is 04:00" in chart.reading


def test_posts_by_hour_window_wraps_past_midnight():
    chart = charts.posts_by_hour(_hours({23: 10, 0: 10, 12: 15}))
    assert "23:00–00:59 KST" in chart.reading


def test_authors_by_post_count_ignores_single_post_authors():
    df = pd.DataFrame({"post_count": [1, 2, 3, 5, 40], "authors": [500, 6, 2, 1, 1]})
    chart = charts.authors_by_post_count(df)
    assert chart.reading.startswith("10 authors wrote two posts or more; 80% of them wrote exactly 2–3")
    assert "the most active wrote 40" in chart.reading
    labels = [t.get_text() for t in chart.figure.axes[0].get_xticklabels()]
    assert labels[-1] == "15+"  # the long tail is folded into one bar


def test_daily_trend_counts_missing_days_as_zero():
    df = pd.DataFrame({"post_date": [date(2026, 3, 1), date(2026, 3, 4)], "posts": [4, 8], "authors": [4, 7]})
    chart = charts.daily_trend(df)
    assert chart.reading.startswith("12 questions over 4 days (3.0 a day); the busiest day was 2026-03-04 with 8")


def test_daily_trend_compares_the_last_four_weeks_when_there_are_eight():
    days = pd.date_range("2026-01-01", periods=56, freq="D")
    posts = [10] * 28 + [15] * 28
    chart = charts.daily_trend(pd.DataFrame({"post_date": days, "posts": posts, "authors": posts}))
    assert "the last 28 days are +50% on the 28 before" in chart.reading


def test_top_tokens_sums_per_day_rows_and_names_the_leader():
    df = pd.DataFrame(
        {
            "dt": ["2026-01-01", "2026-01-02", "2026-01-01", "2026-01-02"],
            "token": ["열", "열", "기침", "기침"],
            "token_pos": ["NNG"] * 4,
            "occurrences": [30, 30, 20, 20],
            "posts": [20, 25, 10, 10],
        }
    )
    chart = charts.top_tokens(df)
    assert chart.reading == "'열' leads with 60 occurrences in 45 posts, 1.5× the runner-up '기침'."


def test_top_tokens_labels_one_form_with_two_tags_apart():
    df = pd.DataFrame(
        {"token": ["열", "열", "기침"], "token_pos": ["NNG", "VV", "NNG"], "occurrences": [9, 5, 7], "posts": [9, 5, 7]}
    )
    labels = [t.get_text() for t in charts.top_tokens(df).figure.axes[0].get_yticklabels()]
    assert sorted(labels) == ["기침", "열 (NNG)", "열 (VV)"]


def test_top_tfidf_draws_the_mean_ranking_of_one_scope_and_names_what_the_sum_and_frequency_miss():
    rows = [
        ("all", "mean", "땀띠", 0.9, 1),
        ("all", "mean", "아토피", 0.8, 2),
        ("all", "mean", "기침", 0.7, 3),
        ("all", "mean", "열", 0.2, 4),
        ("all", "sum", "감기", 90.0, 1),
        ("all", "sum", "열", 80.0, 2),
        ("all", "sum", "기침", 70.0, 3),
        ("skin", "mean", "보습", 0.99, 1),
    ]
    tfidf = pd.DataFrame(rows, columns=["scope", "ranking", "token", "mean_tfidf", "rank"]).assign(token_pos="NNG")
    frequent = pd.DataFrame(
        {
            "token": ["감기", "열", "기침", "아기"],
            "token_pos": ["NNG"] * 4,
            "occurrences": [60, 50, 40, 30],
            "posts": [9, 9, 9, 9],
        }
    )
    chart = charts.top_tfidf(tfidf, frequent=frequent, n=3)
    labels = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert labels == ["땀띠", "아토피", "기침"]  # the mean ranking of scope 'all', in rank order
    assert chart.reading.startswith("Mean TF-IDF ranks '땀띠', '아토피', '기침' highest across all posts")
    assert "rank high '감기' (#1; below #4 by mean), '열' (#2; #4 by mean)" in chart.reading
    assert "2 of these 3 are not among the 3 most frequent tokens (e.g. '땀띠')" in chart.reading


def test_group_top_tokens_for_the_chosen_group_and_a_clear_message_for_an_unknown_one():
    df = pd.DataFrame(
        {
            "group_name": ["skin"] * 4 + ["fever"],
            "display_name": ["피부"] * 4 + ["열"],
            "token": ["피부", "건조", "각질", "로션", "해열제"],
            "token_pos": ["NNG"] * 5,
            "occurrences": [50, 30, 10, 10, 99],
            "rank": [1, 2, 3, 4, 1],
        }
    )
    chart = charts.group_top_tokens(df, group="skin")
    assert "피부 (skin)" in chart.title
    assert "'피부' comes first (50 occurrences)" in chart.reading and "top 3 hold 90%" in chart.reading
    missing = charts.group_top_tokens(df, group="otitis")
    assert missing.figure is None and "otitis" in missing.reading and "fever, skin" in missing.reading


def test_retention_separates_not_yet_observable_from_nobody_came_back():
    df = pd.DataFrame(
        {
            "cohort_month": [date(2026, 1, 1)] * 3 + [date(2026, 2, 1), date(2026, 3, 1)],
            "months_since_first": [0, 1, 2, 0, 0],
            "authors": [10, 3, 1, 5, 4],
            "retention": [1.0, 0.3, 0.1, 1.0, 1.0],
        }
    )
    share, sizes = charts.retention_matrix(df)
    assert share.loc["2026-01", 1] == pytest.approx(0.3) and share.loc["2026-01", 2] == pytest.approx(0.1)
    assert share.loc["2026-02", 1] == 0  # March is in the data: February's authors did not return
    assert np.isnan(share.loc["2026-02", 2]) and np.isnan(share.loc["2026-03", 1])  # April is not
    assert sizes.to_dict() == {"2026-01": 10, "2026-02": 5, "2026-03": 4}
    chart = charts.cohort_retention(df)
    assert chart.reading.startswith("20% of a month's new authors post again the next month")  # (3 + 0) / (10 + 5)


def test_the_current_partial_month_is_marked_partial_and_left_out_of_the_averages():
    from matplotlib.patches import Rectangle

    df = pd.DataFrame(
        {
            "cohort_month": [date(2026, 1, 1)] * 3 + [date(2026, 2, 1)] * 2 + [date(2026, 3, 1)],
            "months_since_first": [0, 1, 2, 0, 1, 0],
            "authors": [10, 4, 1, 5, 1, 4],
            "retention": [1.0, 0.4, 0.1, 1.0, 0.2, 1.0],
        }
    )
    whole = charts.cohort_retention(df, last_day=pd.Timestamp("2026-03-31"))  # March is complete
    assert whole.reading.startswith("33% of a month's new authors") and "partial" not in whole.reading  # 5 / 15
    chart = charts.cohort_retention(df, last_day=pd.Timestamp("2026-03-12"))  # March is still going
    assert chart.reading.startswith("40% of a month's new authors")  # February's month 1 (March) left out: 4 / 10
    assert "2026-03 is partial (posts through 2026-03-12)" in chart.reading
    ax = chart.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2026-01", "2026-02", "2026-03 (partial)"]
    hatched = sorted(
        (round(p.get_x() + 0.5), round(p.get_y() + 0.5))
        for p in ax.patches
        if isinstance(p, Rectangle) and p.get_hatch()
    )
    assert hatched == [(0, 2), (1, 1), (2, 0)]  # (months since, cohort row): every cell that counts March


def test_group_daily_trend_sums_days_into_monday_weeks_and_names_the_largest_group():
    days = pd.date_range("2026-03-02", periods=21, freq="D")  # three weeks, from a Monday
    rows = [{"post_date": d, "group_name": "skin", "display_name": "피부", "posts": 2} for d in days]
    rows += [
        {"post_date": d, "group_name": "fever", "display_name": "열", "posts": 5 if i == 9 else 1}
        for i, d in enumerate(days)
    ]
    rows += [{"post_date": days[0], "group_name": g, "display_name": g, "posts": 1} for g in "abcde"]
    chart = charts.group_daily_trend(pd.DataFrame(rows))
    assert chart.reading == (
        "'피부' is the largest group: 42 posts, 58% of the group tallies (a post in two groups "
        "counts in both); its busiest week began 2026-03-02 with 14 posts."
    )
    lines = {line.get_label(): list(line.get_ydata()) for line in chart.figure.axes[0].lines}
    assert len(lines) == 5 and lines["열"] == [7, 11, 7]  # day 9 (a Wednesday) is in the second week
    assert charts.group_daily_trend(pd.DataFrame(rows), n=2).figure.axes[0].get_legend_handles_labels()[1] == [
        "피부",
        "열",
    ]


def _trends(weeks: int, rising_from: int) -> pd.DataFrame:
    start = pd.Timestamp("2026-01-05")  # a Monday
    rows = []
    for w in range(weeks):
        rows.append({"week_start": start + pd.Timedelta(weeks=w), "token": "열", "occurrences": 20})
        rows.append(
            {
                "week_start": start + pd.Timedelta(weeks=w),
                "token": "수족구",
                "occurrences": 30 if w >= rising_from else 5,
            }
        )
    return pd.DataFrame(rows)


def test_rising_tokens_compares_the_last_four_weeks_with_the_four_before():
    chart = charts.rising_tokens(_trends(10, rising_from=6))
    assert chart.reading.startswith("'수족구' rose most: 120 occurrences in the last 4 weeks against 20")
    assert "'열'" not in chart.reading  # flat, not rising


def test_rising_tokens_leaves_out_a_week_in_progress():
    df = _trends(10, rising_from=9)  # only the last week rises
    last_week = pd.Timestamp("2026-01-05") + pd.Timedelta(weeks=9)
    assert "'수족구' rose most" in charts.rising_tokens(df, last_day=last_week + pd.Timedelta(days=6)).reading
    unfinished = charts.rising_tokens(df, last_day=last_week + pd.Timedelta(days=2))
    assert unfinished.figure is None and "No token grew" in unfinished.reading


@pytest.mark.parametrize(
    "draw, columns",
    [
        (charts.authors_by_post_count, ["post_count", "authors"]),
        (charts.posts_by_hour, ["post_date", "post_hour", "posts"]),
        (charts.daily_trend, ["post_date", "posts", "authors"]),
        (charts.top_tokens, ["token", "token_pos", "occurrences", "posts"]),
        (charts.top_tfidf, ["scope", "ranking", "token", "mean_tfidf", "rank"]),
        (charts.group_top_tokens, ["group_name", "display_name", "token", "occurrences", "rank"]),
        (charts.cohort_retention, ["cohort_month", "months_since_first", "authors", "retention"]),
        (charts.group_daily_trend, ["post_date", "display_name", "posts"]),
        (charts.rising_tokens, ["week_start", "token", "occurrences"]),
        (
            charts.group_cooccurrence,
            ["period", "group_a", "display_a", "group_b", "display_b", "posts_both", "posts_a", "lift"],
        ),
        (charts.rising_groups, ["week_start", "display_name", "posts", "expected", "score", "rising"]),
    ],
)
def test_every_chart_turns_an_empty_view_into_a_message_and_a_drifted_one_into_an_error(draw, columns):
    chart = draw(pd.DataFrame({c: [] for c in columns}))
    assert chart.figure is None and chart.reading
    with pytest.raises(ValueError, match="missing columns"):
        draw(pd.DataFrame({"unexpected": [1]}))


def test_rising_tokens_prefers_a_clear_rise_to_a_jump_from_almost_nothing():
    start = pd.Timestamp("2026-01-05")
    weekly = {"열": [50] * 4 + [65] * 4, "땀띠": [0, 0, 1, 0, 1, 2, 1, 2]}  # 200 -> 260 against 1 -> 6
    df = pd.DataFrame(
        [
            {"week_start": start + pd.Timedelta(weeks=w), "token": t, "occurrences": c}
            for t, counts in weekly.items()
            for w, c in enumerate(counts)
        ]
    )
    reading = charts.rising_tokens(df).reading
    assert reading.startswith("'열' rose most: 260 occurrences in the last 4 weeks against 200 in the 4 before (×1.3)")
    assert "also rising: '땀띠'" in reading


def _weekly(counts: dict[str, list[int | None]]) -> pd.DataFrame:
    """v_token_trends rows from weekly counts per token; None = no row for that week."""
    start = pd.Timestamp("2026-01-05")
    return pd.DataFrame(
        [
            {"week_start": start + pd.Timedelta(weeks=w), "token": t, "occurrences": c}
            for t, cs in counts.items()
            for w, c in enumerate(cs)
            if c is not None
        ]
    )


def test_rising_tokens_does_not_read_a_missing_week_as_zero():
    """Rows missing from two 'before' weeks would look like 200 -> 400 if they counted as 0."""
    chart = charts.rising_tokens(_weekly({"열": [20] * 8, "경계": [100, None, 100, None] + [100] * 4}))
    assert chart.figure is None
    assert chart.reading == (
        "No token grew over the last 4 weeks against the 4 before "
        "(1 token with weeks missing from the view not compared)."
    )


def test_rising_tokens_counts_a_real_zero_and_breaks_the_line_at_a_missing_week():
    chart = charts.rising_tokens(_weekly({"열": [20] * 10, "경계": [None, 0, 100, 0, 100, 0] + [100] * 4}))
    assert chart.reading.startswith("'경계' rose most: 400 occurrences in the last 4 weeks against 200 in the 4 before")
    assert "not compared" not in chart.reading
    line = chart.figure.axes[0].lines[0]
    assert line.get_label() == "경계"
    assert np.isnan(line.get_ydata()[0]) and line.get_ydata()[1] == 0


def test_group_cooccurrence_names_the_pairs_asked_about_together_beyond_chance():
    from tests.unit.report.test_html import _pairs

    chart = charts.group_cooccurrence(_pairs())
    assert chart.figure is not None
    assert chart.reading.index("설사 + 구토 ×10.0 (40 posts)") < chart.reading.index("열 + 구토 ×1.2")
    assert "열 + 피부" in chart.reading  # lift 1.0: listed third, as chance has it
    few = charts.group_cooccurrence(_pairs(), min_both=100)
    assert "No two groups share 100 posts" in few.reading


def test_rising_groups_marks_the_flagged_weeks_and_names_the_first():
    from tests.unit.report.test_html import _weekly_groups

    chart = charts.rising_groups(_weekly_groups())
    assert "1 rising group-week(s) in 12 complete weeks" in chart.reading
    assert "수족구 in the week of 2026-07-13 (45 posts against 12.0 expected)" in chart.reading
    assert "Latest complete week (2026-07-20): no group rising." in chart.reading
    ax = chart.figure.axes[0]
    marked = [c for c in ax.collections if len(c.get_offsets())]
    assert len(marked) == 1 and marked[0].get_offsets()[0][1] == 45
    quiet = _weekly_groups().assign(rising=False)
    assert "No group was rising in any of the 12 complete weeks" in charts.rising_groups(quiet).reading


def test_age_by_group_puts_the_youngest_group_on_top_and_reads_it():
    from tests.unit.report.test_html import _by_age

    chart = charts.age_by_group(_by_age(), min_posts=10)
    assert chart.figure is not None
    assert chart.reading.startswith("'태열' is asked about youngest: 87% of its posts")
    assert "'아토피' oldest" in chart.reading
    rows = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert rows == ["태열", "수족구", "아토피"]


def test_age_by_group_leaves_out_groups_with_few_aged_posts():
    from tests.unit.report.test_html import _by_age

    chart = charts.age_by_group(_by_age(), min_posts=41)  # 태열 52, 수족구 42, 아토피 40 posts
    assert "'수족구' oldest" in chart.reading and "(2 groups" in chart.reading
    assert (
        charts.age_by_group(_by_age(), min_posts=45).reading
        == "Only '태열' has 45 posts stating an age: 48% at 01-03개월."
    )
    assert "No keyword group" in charts.age_by_group(_by_age(), min_posts=1000).reading


def test_skin_body_parts_keeps_the_skin_groups_and_names_each_ones_main_part():
    from tests.unit.report.test_html import _views

    chart = charts.skin_body_parts(_views()["v_group_body_parts"])
    assert chart.figure is not None
    assert "태열 mostly 얼굴 (60%)" in chart.reading and "땀띠 mostly 목 (42%)" in chart.reading
    assert [t.get_text() for t in chart.figure.axes[0].get_yticklabels()] == ["땀띠", "태열"]  # no 열: not skin
