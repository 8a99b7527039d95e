"""The HTML page: self-contained, one section per chart, PNGs beside it, failures shown not raised."""

from __future__ import annotations

import base64
import html
import re
import warnings
from datetime import date, timedelta

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.image import imread

from cafelake.report import charts, fonts, render_report
from cafelake.report.html import make_charts, png_bytes
from cafelake.report.queries import QUERIES
from cafelake.tokenize.age import BANDS
from tests.unit.report.pngs import is_blank

SLUGS = [
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
]


def _views() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(3)
    days = [date(2026, 1, 5) + timedelta(days=i) for i in range(70)]
    daily = pd.DataFrame({"post_date": days, "posts": rng.integers(3, 12, len(days))})
    daily["authors"] = daily["posts"] - 1
    tokens = ["열", "기침", "피부", "건조", "수족구"]
    weeks = [pd.Timestamp("2026-01-05") + pd.Timedelta(weeks=w) for w in range(10)]
    return {
        "v_daily_posts": daily,
        "v_posts_by_hour": pd.DataFrame({"post_hour": range(24), "posts": rng.integers(1, 30, 24)}),
        "v_author_post_frequency": pd.DataFrame({"post_count": [2, 3, 4], "authors": [40, 12, 3]}),
        "v_author_cohort_retention": pd.DataFrame(
            {
                "cohort_month": [date(2026, 1, 1)] * 3 + [date(2026, 2, 1)] * 2 + [date(2026, 3, 1)],
                "months_since_first": [0, 1, 2, 0, 1, 0],
                "authors": [50, 12, 8, 40, 9, 30],
                "retention": [1.0, 0.24, 0.16, 1.0, 0.225, 1.0],
            }
        ),
        "v_top_tokens": pd.DataFrame(
            {"token": tokens, "token_pos": "NNG", "occurrences": [90, 70, 40, 30, 20], "posts": [60, 50, 30, 20, 15]}
        ),
        "v_top_tfidf": pd.DataFrame(
            {
                "scope": "all",
                "ranking": ["sum"] * 5 + ["mean"] * 5,
                "token": tokens * 2,
                "token_pos": "NNG",
                "tfidf_score": [5.0, 4.0, 3.0, 2.0, 1.0] * 2,
                "mean_tfidf": [0.1, 0.2, 0.3, 0.4, 0.5] * 2,
                "rank": [*range(1, 6), *range(5, 0, -1)],
            }
        ),
        "v_group_top_tokens": pd.DataFrame(
            {
                "group_name": "skin",
                "display_name": "피부",
                "token": ["피부", "건조"],
                "token_pos": "NNG",
                "occurrences": [12, 7],
                "rank": [1, 2],
            }
        ),
        "v_group_daily_posts": pd.DataFrame(
            {
                "post_date": days[:14] * 2,
                "group_name": ["skin"] * 14 + ["fever"] * 14,
                "display_name": ["피부"] * 14 + ["열"] * 14,
                "posts": rng.integers(1, 6, 28),
            }
        ),
        "v_token_trends": pd.DataFrame(
            [
                {"week_start": w, "token": t, "occurrences": 5 + (i * 3 if t == "수족구" else 0)}
                for i, w in enumerate(weeks)
                for t in tokens
            ]
        ),
        "v_group_cooccurrence": _pairs(),
        "v_rising_groups": _weekly_groups(),
        "v_group_by_age": _by_age(),
        "v_group_body_parts": pd.DataFrame(
            {
                "group_name": ["seborrheic", "seborrheic", "heat_rash", "heat_rash", "fever"],
                "display_name": ["태열", "태열", "땀띠", "땀띠", "열"],
                "part_name": ["face", "scalp", "neck", "back", "face"],
                "part_display_name": ["얼굴", "두피", "목", "등", "얼굴"],
                "posts": [30, 10, 25, 20, 5],
                "group_posts": [50, 50, 60, 60, 90],
                "share_of_group": [0.6, 0.2, 25 / 60, 20 / 60, 5 / 90],
            }
        ),
    }


def _pairs() -> pd.DataFrame:
    """v_group_cooccurrence over all: 설사 + 구토 together far beyond chance, 열 + 피부 about as chance has it."""
    rows = []
    for (a, da, na), (b, db, nb), both in (
        (("diarrhea", "설사", 100), ("vomit", "구토", 80), 40),
        (("fever", "열", 400), ("skin", "피부", 300), 60),
        (("fever", "열", 400), ("vomit", "구토", 80), 20),
    ):
        for (g1, d1, n1), (g2, d2, n2) in (((a, da, na), (b, db, nb)), ((b, db, nb), (a, da, na))):
            rows.append(
                {
                    "period": "all",
                    "group_a": g1,
                    "display_a": d1,
                    "group_b": g2,
                    "display_b": d2,
                    "posts_both": both,
                    "posts_a": n1,
                    "posts_b": n2,
                    "posts": 2000,
                    "lift": both * 2000 / (n1 * n2),
                }
            )
    return pd.DataFrame(rows)


def _weekly_groups() -> pd.DataFrame:
    """v_rising_groups: 수족구 flagged in one week of twelve, 열 flat."""
    rows = []
    for w in range(12):
        week = pd.Timestamp("2026-05-04") + pd.Timedelta(weeks=w)
        rows.append(
            {
                "week_start": week,
                "group_name": "fever",
                "display_name": "열",
                "posts": 40,
                "expected": 40.0,
                "score": 0.0,
                "rising": False,
            }
        )
        surge = w == 10
        rows.append(
            {
                "week_start": week,
                "group_name": "hand_foot",
                "display_name": "수족구",
                "posts": 45 if surge else 12,
                "expected": 12.0,
                "score": 7.1 if surge else 0.3,
                "rising": surge,
            }
        )
    return pd.DataFrame(rows)


def _by_age() -> pd.DataFrame:
    """Three groups over the bands: 태열 young, 수족구 at one to three, 아토피 older."""
    bands = [label for _, label in BANDS]
    counts = {"태열": [20, 25, 5, 2, 0, 0, 0], "수족구": [0, 0, 1, 4, 20, 15, 2], "아토피": [0, 1, 2, 3, 8, 10, 16]}
    names = {"태열": "seborrheic", "수족구": "hand_foot", "아토피": "atopy"}
    rows = [
        {"group_name": names[g], "display_name": g, "baby_age_band": b, "band_order": i, "posts": n}
        for g, ns in counts.items()
        for i, (b, n) in enumerate(zip(bands, ns, strict=True))
        if n
    ]
    df = pd.DataFrame(rows)
    df["band_posts"] = df.groupby("baby_age_band")["posts"].transform("sum")
    df["share_of_band"] = df["posts"] / df["band_posts"]
    df["share_of_group"] = df["posts"] / df.groupby("group_name")["posts"].transform("sum")
    return df


def test_the_views_the_report_reads_are_the_views_it_draws():
    assert set(QUERIES) == {
        "v_daily_posts",
        "v_posts_by_hour",
        "v_author_post_frequency",
        "v_author_cohort_retention",
        "v_top_tokens",
        "v_top_tfidf",
        "v_group_top_tokens",
        "v_group_daily_posts",
        "v_token_trends",
        "v_group_cooccurrence",
        "v_rising_groups",
        "v_group_by_age",
        "v_group_body_parts",
    }
    assert all(re.search(rf"\bFROM {view}\b", sql) for view, sql in QUERIES.items())


def test_report_embeds_every_chart_with_its_reading_and_writes_the_pngs(tmp_path):
    views = _views()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = render_report(views, tmp_path)
    assert not [w for w in caught if "missing from font" in str(w.message)]  # no tofu
    page = path.read_text(encoding="utf-8")
    assert path.name == "report.html" and "<script" not in page and 'src="http' not in page
    for chart in make_charts(views):
        assert chart.figure is not None, chart.reading
        png = (tmp_path / f"{chart.slug}.png").read_bytes()
        assert f'src="data:image/png;base64,{base64.b64encode(png).decode()}"' in page
        assert html.escape(chart.reading, quote=False) in page
        assert not is_blank(tmp_path / f"{chart.slug}.png"), chart.slug
    assert [m for m in re.findall(r'<section id="(\w+)">', page)] == SLUGS


def test_blank_check_detects_a_blank_png(tmp_path):
    Figure().savefig(tmp_path / "blank.png", facecolor="white")
    assert is_blank(tmp_path / "blank.png")


def test_blank_check_rejects_axes_title_and_labels_without_data(tmp_path):
    with matplotlib.rc_context(fonts.rc()):
        fig, ax = charts._figure()
        ax.set(
            title="Rising tokens, weekly · 주간 급상승 토큰",
            xlabel="week",
            ylabel="occurrences per week",
            xlim=(0, 10),
            ylim=(0, 100),
        )
    (tmp_path / "axes.png").write_bytes(png_bytes(fig))
    assert (imread(tmp_path / "axes.png")[..., :3].min(axis=2) < 0.9).mean() > 0.01  # ink enough to fool a count
    assert is_blank(tmp_path / "axes.png")
    ax.bar([5], [40], color=charts.BASE)
    (tmp_path / "bar.png").write_bytes(png_bytes(fig))
    assert not is_blank(tmp_path / "bar.png")


def test_failed_and_empty_views_become_messages_and_no_stale_png_stays(tmp_path):
    render_report(_views(), tmp_path)
    views = _views() | {
        "v_top_tokens": RuntimeError("table tokens_fact not found"),
        "v_posts_by_hour": pd.DataFrame({"post_hour": [], "posts": []}),
    }
    views.pop("v_token_trends")
    assert [c.slug for c in make_charts(views) if c.failed] == ["top_tokens", "rising_tokens"]  # empty is no failure
    page = render_report(views, tmp_path).read_text(encoding="utf-8")
    assert "v_top_tokens could not be read (RuntimeError: table tokens_fact not found)" in page
    assert "v_token_trends could not be read (not provided)" in page
    assert "No posts yet, so no hourly pattern." in page
    for slug in ("top_tokens", "posts_by_hour", "rising_tokens"):
        assert not (tmp_path / f"{slug}.png").exists()
        assert f'id="img-{slug}"' not in page
    assert (tmp_path / "daily_trend.png").exists()


def test_a_view_with_drifted_columns_is_reported_not_raised(tmp_path):
    views = _views() | {"v_author_post_frequency": pd.DataFrame({"posts": [2], "n": [3]})}
    page = render_report(views, tmp_path).read_text(encoding="utf-8")
    assert "v_author_post_frequency does not have the expected shape" in page
    assert [c.slug for c in make_charts(views) if c.failed] == ["authors_by_post_count"]


def test_report_embeds_a_subset_of_the_korean_font_covering_every_character_of_the_page(tmp_path):
    import io

    from fontTools.ttLib import TTFont

    page = render_report(_views(), tmp_path).read_text(encoding="utf-8")
    faces = re.findall(
        r'@font-face \{ font-family: "([^"]+)"; font-weight: (\w+); src: url\(data:font/ttf;base64,([^)]+)\)', page
    )
    assert [(family, weight) for family, weight, _ in faces] == [
        (fonts.PAGE_FAMILY, "normal"),
        (fonts.PAGE_FAMILY, "bold"),
    ]
    assert f'font-family: "{fonts.PAGE_FAMILY}"' in page
    text = html.unescape(re.sub(r"<style>.*?</style>|<img [^>]*>", "", page, flags=re.S))
    hangul = {c for c in text if "\uac00" <= c <= "\ud7a3"}
    assert len(hangul) > 10  # the title and the readings
    for _, _, data in faces:
        raw = base64.b64decode(data)
        cmap = TTFont(io.BytesIO(raw)).getBestCmap()
        assert {c for c in hangul if ord(c) not in cmap} == set()
        assert len(cmap) < 400 and len(raw) < 150_000  # a subset, not the 2 MB font
