"""The pictures of cafelake, described once: the HTML report and the QuickSight dashboard both read `VISUALS`.

A visual names its view, the view's columns it draws (`fields`), its chart kind and its title in English
and Korean. The report (`cafelake.report.html`) draws them in this order under these titles and refuses a
view that lacks a field; the dashboard (`infra/cafelake_infra/dashboard_definition.py`) turns each into a
QuickSight visual on its sheet, with the same fields, limits and fixed selections. So a chart cannot be
added, renamed or pointed at another column in one and not the other, and a test holds every field to
the columns its view really has on the local engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal["line", "bar", "hbar", "heatmap"]
Granularity = Literal["DAY", "WEEK", "MONTH"]

GROUP_COLUMN = "group_name"  # what the group control selects on, in the views that have it
DEFAULT_GROUP = "skin"  # the group both the report and the dashboard show first
# The skin conditions whose body parts the product team asked about (issue 20), in keyword_groups.yaml names.
SKIN_GROUPS = ("seborrheic", "heat_rash", "atopy", "urticaria", "rash", "hand_foot", "blister", "skin")


@dataclass(frozen=True)
class Sheet:
    """A dashboard sheet (the report is one page, in `VISUALS` order)."""

    key: str
    title_en: str
    title_ko: str

    @property
    def title(self) -> str:
        return f"{self.title_en} · {self.title_ko}"


@dataclass(frozen=True)
class Condition:
    """A fixed selection of rows: `column` equal to `equals`, one of `one_of`, or between `at_least` and
    `at_most` (inclusive)."""

    column: str
    equals: str | None = None
    at_least: int | None = None
    at_most: int | None = None
    one_of: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        given = (
            self.equals is not None,
            self.one_of is not None,
            self.at_least is not None or self.at_most is not None,
        )
        if sum(given) != 1:
            raise ValueError(f"condition on {self.column}: give `equals`, `one_of` or a range, exactly one")

    def values(self) -> tuple[str, ...] | None:
        """The values a category condition keeps (None for a range)."""
        return (self.equals,) if self.equals is not None else self.one_of


@dataclass(frozen=True)
class Visual:
    """One picture. `x` is the bars' categories, the line's time axis or the heatmap's rows; `series` is one
    line per value or the heatmap's columns; `value` is the measure, aggregated with `aggregation`."""

    slug: str  # the report's PNG and section id, the dashboard's visual id
    view: str
    kind: Kind
    title_en: str
    title_ko: str
    x: str
    value: str
    aggregation: Literal["SUM", "MAX"] = "SUM"
    series: str | None = None
    tooltip: tuple[str, ...] = ()
    granularity: Granularity | None = None  # of a date `x`
    rolling_mean: int | None = None  # days: a second line, the trailing mean of `value`
    top: int | None = None  # at most this many bars (or lines), the largest first
    where: tuple[Condition, ...] = ()
    by_group: bool = False  # one keyword group at a time, DEFAULT_GROUP first (the report's --group)
    sheet: str | None = None  # the dashboard sheet; None with `report_only` saying why
    report_only: str | None = None

    def __post_init__(self) -> None:
        if (self.sheet is None) == (self.report_only is None):
            raise ValueError(f"visual {self.slug}: a dashboard sheet, or the reason it is only in the report")

    @property
    def title(self) -> str:
        return f"{self.title_en} · {self.title_ko}"

    def condition(self, column: str) -> Condition:
        """The fixed selection on `column` (KeyError if there is none)."""
        for cond in self.where:
            if cond.column == column:
                return cond
        raise KeyError(f"visual {self.slug} has no condition on {column}")

    @property
    def fields(self) -> tuple[str, ...]:
        """Every column of the view the visual uses, in first-use order."""
        named = [
            self.x,
            self.value,
            self.series,
            *self.tooltip,
            *(c.column for c in self.where),
            GROUP_COLUMN if self.by_group else None,
        ]
        return tuple(dict.fromkeys(c for c in named if c is not None))


SHEETS = (
    Sheet("overview", "Questions and authors", "질문과 작성자"),
    Sheet("words", "Words", "단어"),
    Sheet("groups", "Keyword groups", "키워드 그룹"),
    Sheet("symptoms", "Symptoms together and rising", "함께 나타나는 증상과 급상승"),
    Sheet("age_body", "The baby's age and body parts", "아기 월령과 부위"),
)

VISUALS = (
    Visual(
        "daily_trend",
        "v_daily_posts",
        "line",
        "Questions per day",
        "일별 질문 수",
        x="post_date",
        value="posts",
        granularity="DAY",
        rolling_mean=7,
        sheet="overview",
    ),
    Visual(
        "posts_by_hour",
        "v_posts_by_hour",
        "bar",
        "Posts by hour of day (KST)",
        "시간대별 질문 수",
        x="post_hour",
        value="posts",
        sheet="overview",
    ),
    Visual(
        "authors_by_post_count",
        "v_author_post_frequency",
        "bar",
        "Authors by number of posts (≥ 2)",
        "작성자별 게시글 수",
        x="post_count",
        value="authors",
        where=(Condition("post_count", at_least=2),),
        sheet="overview",
    ),
    Visual(
        "cohort_retention",
        "v_author_cohort_retention",
        "heatmap",
        "Author cohort retention",
        "작성자 코호트 재방문율",
        x="cohort_month",
        series="months_since_first",
        value="retention",
        aggregation="MAX",
        granularity="MONTH",
        where=(Condition("months_since_first", at_most=12),),
        sheet="overview",
    ),
    Visual(
        "top_tokens",
        "v_top_tokens",
        "hbar",
        "Top tokens",
        "상위 토큰",
        x="token",
        value="occurrences",
        tooltip=("posts",),
        top=20,
        sheet="words",
    ),
    Visual(
        "top_tfidf",
        "v_top_tfidf",
        "hbar",
        "Top distinctive TF-IDF tokens",
        "TF-IDF 특징 토큰",
        x="token",
        value="mean_tfidf",
        aggregation="MAX",
        top=20,
        where=(Condition("scope", equals="all"), Condition("ranking", equals="mean")),
        sheet="words",
    ),
    Visual(
        "group_top_tokens",
        "v_group_top_tokens",
        "hbar",
        "Top tokens of the chosen group",
        "그룹 상위 토큰",
        x="token",
        value="occurrences",
        top=15,
        by_group=True,
        sheet="groups",
    ),
    Visual(
        "group_daily_trend",
        "v_group_daily_posts",
        "line",
        "Posts per keyword group, weekly",
        "키워드 그룹별 주간 질문 수",
        x="post_date",
        value="posts",
        series="display_name",
        granularity="WEEK",
        top=5,
        sheet="groups",
    ),
    Visual(
        "rising_tokens",
        "v_token_trends",
        "line",
        "Rising tokens, weekly",
        "주간 급상승 토큰",
        x="week_start",
        value="occurrences",
        series="token",
        granularity="WEEK",
        top=5,
        report_only="the rise score (the last four complete weeks against the four before, scaled by "
        "their Poisson noise) is computed in pandas; a dashboard needs it in a view, as "
        "v_rising_groups has it for groups (rising_groups)",
    ),
    Visual(
        "group_cooccurrence",
        "v_group_cooccurrence",
        "heatmap",
        "Keyword groups asked about together (lift)",
        "함께 묻는 키워드 그룹 (향상도)",
        x="display_a",
        series="display_b",
        value="lift",
        aggregation="MAX",
        tooltip=("posts_both",),
        where=(Condition("period", equals="all"),),
        sheet="symptoms",
    ),
    Visual(
        "rising_groups",
        "v_rising_groups",
        "line",
        "Keyword groups per week, against their expectation",
        "키워드 그룹 주간 질문 수와 기대값",
        x="week_start",
        value="posts",
        series="display_name",
        tooltip=("expected", "score"),
        granularity="WEEK",
        top=5,
        sheet="symptoms",
    ),
    Visual(
        "age_by_group",
        "v_group_by_age",
        "heatmap",
        "The baby's age in each keyword group (share of the group's posts that state an age)",
        "키워드 그룹별 아기 월령",
        x="display_name",
        series="baby_age_band",
        value="share_of_group",
        aggregation="MAX",
        sheet="age_body",
    ),
    Visual(
        "skin_body_parts",
        "v_group_body_parts",
        "heatmap",
        "Body parts of the skin groups (share of the group's posts naming the part)",
        "피부 질환별 부위",
        x="display_name",
        series="part_display_name",
        value="share_of_group",
        aggregation="MAX",
        where=(Condition("group_name", one_of=SKIN_GROUPS),),
        sheet="age_body",
    ),
)

BY_SLUG: Mapping[str, Visual] = {v.slug: v for v in VISUALS}


def missing_columns(visuals: Iterable[Visual], columns: Mapping[str, Iterable[str]]) -> list[str]:
    """One line per field a visual names that its view does not have (or per view that is not there)."""
    problems = []
    for visual in visuals:
        if visual.view not in columns:
            problems.append(f"{visual.slug}: no view {visual.view}")
            continue
        have = set(columns[visual.view])
        problems += [f"{visual.slug}: {visual.view} has no column {c}" for c in visual.fields if c not in have]
    return problems
