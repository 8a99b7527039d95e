"""One function per chart: a view's DataFrame in, a `Chart` (figure + reading) out.

Each reading is a sentence computed from the same data as the picture, so it stays true
when the data changes. Titles, the columns each chart needs and its limits come from the shared
description (`cafelake.report.visuals`), which the QuickSight dashboard reads too. With no data
a chart has no figure and its reading says so: an empty lake gives a report of clear messages,
never a crash. Figures are built on `matplotlib.figure.Figure` (no pyplot state), under the
Korean font's rcParams.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import PercentFormatter

from cafelake.report import fonts
from cafelake.report.visuals import BY_SLUG, DEFAULT_GROUP

ACCENT = "#d9534f"
BASE = "#4a78b5"
MUTED = "#b8c7dc"


@dataclass(frozen=True)
class Chart:
    """A chart of the report: `figure` is None when there was nothing to draw.

    `failed` tells a broken view (unreadable, or the wrong columns) from one with no data
    yet, so `cafelake report` can fail on the first and not on a new, empty lake.
    """

    slug: str
    title: str
    reading: str
    figure: Figure | None = None
    failed: bool = False


def _korean(fn: Callable[..., Chart]) -> Callable[..., Chart]:
    """Build the figure under the Korean font's rcParams (fonts are bound when text is created)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs) -> Chart:
        with matplotlib.rc_context(fonts.rc()):
            return fn(*args, **kwargs)

    return wrapper


def _figure(width: float = 9.0, height: float = 4.5) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


class ViewShapeError(ValueError):
    """A view lacks a column a chart needs: its contract drifted."""


def _require(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Fail loudly if a view lost a column (the analysts' contract), instead of plotting nonsense."""
    if missing := [c for c in columns if c not in df.columns]:
        raise ViewShapeError(f"view is missing columns {missing}; it has {list(df.columns)}")
    return df


def _pct(x: float) -> str:
    return f"{x:.0%}" if x >= 0.1 or x == 0 else f"{x:.1%}"


def _hbar(ax: Axes, labels: list[str], values: list[float], highlight: int = 1) -> None:
    """Horizontal bars, largest on top, the first `highlight` in the accent colour."""
    y = np.arange(len(labels))[::-1]
    colors = [ACCENT if i < highlight else BASE for i in range(len(labels))]
    ax.barh(y, values, color=colors)
    ax.set_yticks(y, labels)
    ax.margins(y=0.01)


# --- authors -----------------------------------------------------------------------
@_korean
def authors_by_post_count(df: pd.DataFrame, *, max_bars: int = 15) -> Chart:
    """v_author_post_frequency: how many authors wrote 2, 3, ... posts."""
    visual = BY_SLUG["authors_by_post_count"]
    slug, title, least = visual.slug, visual.title, visual.condition("post_count").at_least
    df = _require(df, *visual.fields)
    df = df[df["post_count"] >= least].groupby("post_count", as_index=False)["authors"].sum()
    total = int(df["authors"].sum())
    if total == 0:
        return Chart(slug, title, "No author has written two posts or more yet.")
    counts = df.set_index("post_count")["authors"].sort_index()
    two_three = int(counts.loc[counts.index <= 3].sum())
    most = int(counts.index.max())
    top = counts[counts.index < max_bars]
    labels = [str(i) for i in top.index]
    values = list(top.values)
    if (tail := int(counts[counts.index >= max_bars].sum())) > 0:
        labels.append(f"{max_bars}+")
        values.append(tail)
    fig, ax = _figure()
    ax.bar(labels, values, color=[ACCENT if lbl in ("2", "3") else BASE for lbl in labels])
    ax.set_xlabel("posts per author")
    ax.set_ylabel("authors")
    ax.set_title(title)
    reading = (
        f"{total:,} authors wrote two posts or more; {_pct(two_three / total)} of them wrote "
        f"exactly 2–3, and the most active wrote {most:,}."
    )
    return Chart(slug, title, reading, fig)


# --- time ----------------------------------------------------------------------------
@_korean
def posts_by_hour(df: pd.DataFrame) -> Chart:
    """v_posts_by_hour: posts per KST hour of day, summed over the dates; the busiest 2 hours marked."""
    slug, title = BY_SLUG["posts_by_hour"].slug, BY_SLUG["posts_by_hour"].title
    df = _require(df, *BY_SLUG["posts_by_hour"].fields)
    by_hour = df.groupby("post_hour")["posts"].sum().reindex(range(24), fill_value=0).astype(int)
    total = int(by_hour.sum())
    if total == 0:
        return Chart(slug, title, "No posts yet, so no hourly pattern.")
    window = by_hour.to_numpy() + np.roll(by_hour.to_numpy(), -1)  # hour h and h+1 (wrapping)
    peak = int(window.argmax())
    peak_hours = {peak, (peak + 1) % 24}
    fig, ax = _figure()
    ax.bar(by_hour.index, by_hour.values, color=[ACCENT if h in peak_hours else BASE for h in by_hour.index])
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel("hour (KST)")
    ax.set_ylabel("posts")
    ax.set_title(title)
    quiet = int(by_hour.idxmin())
    reading = (
        f"Posts peak at {peak:02d}:00–{(peak + 1) % 24:02d}:59 KST: {_pct(window[peak] / total)} of the "
        f"day's questions ({int(window[peak]):,} of {total:,}); the quietest hour is {quiet:02d}:00."
    )
    return Chart(slug, title, reading, fig)


@_korean
def daily_trend(df: pd.DataFrame, *, window: int = BY_SLUG["daily_trend"].rolling_mean) -> Chart:
    """v_daily_posts: posts per KST day (missing days are zero), with a rolling mean."""
    slug, title = BY_SLUG["daily_trend"].slug, BY_SLUG["daily_trend"].title
    df = _require(df, *BY_SLUG["daily_trend"].fields)
    days = df.assign(post_date=pd.to_datetime(df["post_date"])).groupby("post_date")["posts"].sum()
    if days.empty or days.sum() == 0:
        return Chart(slug, title, "No posts yet, so no daily trend.")
    days = days.reindex(pd.date_range(days.index.min(), days.index.max(), freq="D"), fill_value=0)
    rolling = days.rolling(window, min_periods=1).mean()
    fig, ax = _figure(height=4.0)
    ax.plot(days.index, days.values, color=MUTED, linewidth=0.8, label="posts")
    ax.plot(rolling.index, rolling.values, color=BASE, linewidth=2, label=f"{window}-day mean")
    busiest = days.idxmax()
    ax.scatter([busiest], [days.max()], color=ACCENT, zorder=3, label="busiest day")
    ax.set_ylabel("posts")
    ax.legend(frameon=False, loc="upper left")
    ax.set_title(title)
    fig.autofmt_xdate()
    n = len(days)
    reading = (
        f"{int(days.sum()):,} questions over {n:,} days ({days.mean():.1f} a day); the busiest day was "
        f"{busiest:%Y-%m-%d} with {int(days.max()):,}"
    )
    span = 28
    if n >= 2 * span and (before := days.iloc[-2 * span : -span].sum()) > 0:
        change = days.iloc[-span:].sum() / before - 1
        trend = f"{change:+.0%} on" if round(change, 2) else "level with"
        reading += f"; the last {span} days are {trend} the {span} before"
    return Chart(slug, title, reading + ".", fig)


# --- words -------------------------------------------------------------------------
def _labels(df: pd.DataFrame) -> list[str]:
    """Token labels; the part of speech is added only where one form shows with two tags."""
    if "token_pos" not in df.columns:
        return list(df["token"])
    twice = df["token"].duplicated(keep=False)
    return [f"{t} ({p})" if d else t for t, p, d in zip(df["token"], df["token_pos"], twice, strict=True)]


@_korean
def top_tokens(df: pd.DataFrame, *, n: int = BY_SLUG["top_tokens"].top) -> Chart:
    """v_top_tokens: the most frequent non-stopword tokens."""
    slug, title = BY_SLUG["top_tokens"].slug, BY_SLUG["top_tokens"].title
    df = _require(df, *BY_SLUG["top_tokens"].fields, "token_pos")
    df = (
        df.groupby(["token", "token_pos"], as_index=False)[["occurrences", "posts"]]
        .sum()  # per-day rows too
        .sort_values(["occurrences", "token"], ascending=[False, True])
        .head(n)
    )
    if df.empty:
        return Chart(slug, title, "No tokens yet: the tokenized zone is empty.")
    fig, ax = _figure(height=0.28 * len(df) + 1.2)
    _hbar(ax, _labels(df), list(df["occurrences"]))
    ax.set_xlabel("occurrences")
    ax.set_title(title)
    first = df.iloc[0]
    reading = (
        f"'{first['token']}' leads with {int(first['occurrences']):,} occurrences in {int(first['posts']):,} posts"
    )
    if len(df) > 1:
        second = df.iloc[1]
        reading += f", {first['occurrences'] / second['occurrences']:.1f}× the runner-up '{second['token']}'"
    return Chart(slug, title, reading + ".", fig)


@_korean
def top_tfidf(
    df: pd.DataFrame,
    *,
    scope: str = BY_SLUG["top_tfidf"].condition("scope").equals,
    n: int = BY_SLUG["top_tfidf"].top,
    frequent: pd.DataFrame | None = None,
) -> Chart:
    """v_top_tfidf's distinctive ('mean') ranking for one scope, read against the summed one and frequency.

    The summed ranking tracks frequency (감기 near the top); the mean ranking is what TF-IDF
    adds, so the chart draws it and the reading names the summed leaders it pushes down.
    """
    visual = BY_SLUG["top_tfidf"]
    slug, title, drawn = visual.slug, visual.title, visual.condition("ranking").equals
    df = _require(df, *visual.fields, "rank")
    df = df[df["scope"] == scope]
    top = df[df["ranking"] == drawn].sort_values(["rank", "token"]).head(n)
    if top.empty:
        return Chart(slug, title, f"No TF-IDF scores for scope '{scope}' yet.")
    fig, ax = _figure(height=0.28 * len(top) + 1.2)
    _hbar(ax, _labels(top), list(top["mean_tfidf"]), highlight=3)
    ax.set_xlabel("mean TF-IDF weight in the posts using the token")
    ax.set_title(title)
    leaders = ", ".join(f"'{t}'" for t in top["token"].head(3))
    reading = f"Mean TF-IDF ranks {leaders} highest across {'all posts' if scope == 'all' else scope}"
    summed = df[df["ranking"] == "sum"].sort_values(["rank", "token"])
    pushed = summed[~summed["token"].isin(set(top["token"]))].head(3)
    if not pushed.empty:
        means = df[df["ranking"] == "mean"]
        mean_rank, last = dict(zip(means["token"], means["rank"], strict=True)), int(means["rank"].max())
        where = ", ".join(
            f"'{t}' (#{r}; #{mean_rank[t]} by mean)" if t in mean_rank else f"'{t}' (#{r}; below #{last} by mean)"
            for t, r in zip(pushed["token"], pushed["rank"], strict=True)
        )
        reading += f"; summed scores, which track frequency, rank high {where}"
    if frequent is not None and not frequent.empty:
        top_freq = set(frequent.sort_values("occurrences", ascending=False).head(len(top))["token"])
        novel = [t for t in top["token"] if t not in top_freq]
        if novel:
            verb = "is" if len(novel) == 1 else "are"
            reading += (
                f"; {len(novel)} of these {len(top)} {verb} not among the {len(top)} most frequent tokens "
                f"(e.g. '{novel[0]}')"
            )
        else:
            reading += f"; all {len(top)} are also among the {len(top)} most frequent tokens"
    return Chart(slug, title, reading + ".", fig)


@_korean
def group_top_tokens(
    df: pd.DataFrame, *, group: str = DEFAULT_GROUP, n: int = BY_SLUG["group_top_tokens"].top
) -> Chart:
    """v_group_top_tokens for one keyword group (default skin)."""
    slug = BY_SLUG["group_top_tokens"].slug
    df = _require(df, *BY_SLUG["group_top_tokens"].fields, "display_name", "rank")
    rows = df[df["group_name"] == group].sort_values(["rank", "token"]).head(n)
    label = f"{rows['display_name'].iloc[0]} ({group})" if not rows.empty else group
    title = f"{BY_SLUG['group_top_tokens'].title}: {label}"
    if rows.empty:
        known = ", ".join(sorted(df["group_name"].unique())) or "none"
        return Chart(slug, title, f"No tokens for group '{group}' (groups with data: {known}).")
    fig, ax = _figure(height=0.3 * len(rows) + 1.2)
    _hbar(ax, _labels(rows), list(rows["occurrences"]), highlight=3)
    ax.set_xlabel("occurrences")
    ax.set_title(title)
    share = rows["occurrences"].head(3).sum() / rows["occurrences"].sum()
    first = rows.iloc[0]
    reading = (
        f"In {label} posts '{first['token']}' comes first ({int(first['occurrences']):,} occurrences); "
        f"the top 3 hold {_pct(share)} of the occurrences of these {len(rows)} tokens."
    )
    return Chart(slug, title, reading, fig)


@_korean
def group_daily_trend(df: pd.DataFrame, *, n: int = BY_SLUG["group_daily_trend"].top) -> Chart:
    """v_group_daily_posts: posts per week (weeks start on Monday) of the `n` groups with the most posts."""
    visual = BY_SLUG["group_daily_trend"]
    slug, title = visual.slug, visual.title
    df = _require(df, *visual.fields)
    if df.empty or df["posts"].sum() == 0:
        return Chart(slug, title, "No post is in a keyword group yet.")
    weeks = pd.to_datetime(df["post_date"]).dt.to_period("W-SUN").dt.start_time
    weekly = df.assign(week=weeks).pivot_table(
        index="week", columns=visual.series, values="posts", aggfunc="sum", fill_value=0
    )
    weekly = weekly.reindex(pd.date_range(weekly.index.min(), weekly.index.max(), freq="7D"), fill_value=0)
    totals = weekly.sum().sort_values(ascending=False, kind="stable")
    top = list(totals.index[:n])
    fig, ax = _figure()
    for i, group in enumerate(top):
        ax.plot(
            weekly.index,
            weekly[group],
            marker="o",
            markersize=3,
            linewidth=2.2 if i == 0 else 1.2,
            color=ACCENT if i == 0 else None,
            label=group,
        )
    ax.set_ylim(bottom=0)
    ax.set_ylabel("posts per week")
    ax.legend(frameon=False, ncols=min(len(top), 5), loc="upper left")
    ax.set_title(title)
    fig.autofmt_xdate()
    first = top[0]
    busiest = weekly[first].idxmax()
    reading = (
        f"'{first}' is the largest group: {int(totals[first]):,} posts, {_pct(totals[first] / totals.sum())} "
        f"of the group tallies (a post in two groups counts in both); its busiest week began "
        f"{busiest:%Y-%m-%d} with {int(weekly[first].max()):,} posts."
    )
    return Chart(slug, title, reading, fig)


# --- cohorts -------------------------------------------------------------------------
def retention_matrix(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Share of each cohort's authors active k months after their first post, and the cohort sizes.

    A cell is NaN when month k of that cohort lies after the latest month in the data
    (not yet observable), and 0 when it is observable but nobody came back.
    """
    df = _require(df, "cohort_month", "months_since_first", "authors")
    if df.empty:
        return pd.DataFrame(dtype=float), pd.Series(dtype=float)
    df = df.assign(cohort=pd.to_datetime(df["cohort_month"].astype(str)).dt.to_period("M"))
    active = df[df["authors"] > 0]
    last = max(
        c + int(k) for c, k in zip(active["cohort"], active["months_since_first"], strict=True)
    )  # latest month seen
    counts = df.pivot_table(
        index="cohort", columns="months_since_first", values="authors", aggfunc="sum", fill_value=0
    ).sort_index()
    counts = counts.reindex(columns=range(int(counts.columns.max()) + 1), fill_value=0)
    sizes = counts[0].where(counts[0] > 0)
    observable = np.array([[c + k <= last for k in counts.columns] for c in counts.index])
    share = counts.div(sizes, axis=0).where(observable)
    share.index = sizes.index = share.index.astype(str)
    return share, sizes


def _weighted(share: pd.DataFrame, sizes: pd.Series, k: int) -> float | None:
    """Retention at month k averaged over the cohorts that can show it, weighted by cohort size."""
    if k not in share.columns or (col := share[k].dropna()).empty:
        return None
    weights = sizes.reindex(col.index)
    return float((col * weights).sum() / weights.sum())


def partial_month(last_day: pd.Timestamp | None) -> str | None:
    """The month of `last_day` (the last day with posts, e.g. '2026-12') if the data stop before its end, else None."""
    if last_day is None:
        return None
    day = pd.Timestamp(last_day)
    return None if day.is_month_end else str(day.to_period("M"))


def _in_month(share: pd.DataFrame, month: str | None) -> np.ndarray:
    """Cells of the retention matrix that count activity in `month` (cohort + k == month)."""
    if month is None or share.empty:
        return np.zeros(share.shape, dtype=bool)
    cohorts, wanted = pd.PeriodIndex(share.index.astype(str), freq="M"), pd.Period(month, "M")
    return np.array([[c + int(k) == wanted for k in share.columns] for c in cohorts])


@_korean
def cohort_retention(
    df: pd.DataFrame,
    *,
    max_months: int = BY_SLUG["cohort_retention"].condition("months_since_first").at_most,
    last_day: pd.Timestamp | None = None,
) -> Chart:
    """v_author_cohort_retention as a heatmap: rows are first-post months, columns months since.

    The view's `retention` is what the dashboard draws; here it is recomputed from `authors` so that a
    month a cohort cannot show yet (blank) is told apart from one nobody came back in (0). With `last_day`
    (the last day with posts) a month still in progress is marked partial: its cells are hatched, its
    cohort's label says so, and the averages leave it out (a half month understates retention).
    """
    slug, title = BY_SLUG["cohort_retention"].slug, BY_SLUG["cohort_retention"].title
    share, sizes = retention_matrix(_require(df, *BY_SLUG["cohort_retention"].fields))
    partial = partial_month(last_day) if not share.empty else None
    in_partial = _in_month(share, partial)
    full = share.mask(in_partial) if partial else share
    month1 = _weighted(full, sizes, 1)
    if month1 is None:
        return Chart(slug, title, "Fewer than two months of posts: no cohort has a second month yet.")
    share = share.iloc[:, : max_months + 1]
    fig, ax = _figure(width=9.0, height=0.35 * len(share) + 1.8)
    later = np.nan_to_num(share.iloc[:, 1:].to_numpy(dtype=float))
    top = max(0.05, float(later.max()))  # scale to the returning shares; month 0 (100 %) saturates
    image = ax.imshow(share.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=top, aspect="auto")
    ax.set_xticks(range(share.shape[1]), [str(c) for c in share.columns])
    ax.set_yticks(range(len(share)), [f"{c} (partial)" if c == partial else c for c in share.index])
    for i, j in zip(*np.nonzero(in_partial[:, : share.shape[1]]), strict=True):
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="0.45", linewidth=0))
    ax.set_xlabel("months since first post")
    ax.set_ylabel("cohort (first-post month)")
    if share.size <= 200:
        for (i, j), v in np.ndenumerate(share.to_numpy(dtype=float)):
            if not np.isnan(v) and j > 0:
                ax.text(
                    j, i, f"{v:.0%}", ha="center", va="center", fontsize=7, color="white" if v > 0.6 * top else "black"
                )
    fig.colorbar(image, ax=ax, format=PercentFormatter(1.0, decimals=0), shrink=0.8)
    ax.set_title(title)
    reading = f"{_pct(month1)} of a month's new authors post again the next month"
    if (month3 := _weighted(full, sizes, 3)) is not None:
        reading += f", {_pct(month3)} three months later"
    reading += f" (averaged over {len(share)} monthly cohorts, weighted by size)."
    if partial:
        reading += (
            f" {partial} is partial (posts through {pd.Timestamp(last_day):%Y-%m-%d}): its cells are hatched "
            "and left out of these averages."
        )
    return Chart(slug, title, reading, fig)


# --- trends --------------------------------------------------------------------------
@_korean
def rising_tokens(
    df: pd.DataFrame,
    *,
    last_day: pd.Timestamp | None = None,
    n: int = BY_SLUG["rising_tokens"].top,
    span: int = 4,
    min_recent: int = 5,
) -> Chart:
    """v_token_trends: the tokens whose last `span` weeks rose most clearly over the `span` weeks before.

    The view has a row, 0 included, for every week of each token it reports. A missing row
    (a week without data) is unknown, not 0: the line breaks there and a token lacking a
    week of the comparison is not scored, so a gap never reads as a rise from nothing.
    With `last_day` (the last day with posts) a week still in progress is left out, so a
    partial week does not read as a fall.
    """
    slug, title = BY_SLUG["rising_tokens"].slug, BY_SLUG["rising_tokens"].title
    df = _require(df, *BY_SLUG["rising_tokens"].fields)
    if df.empty:
        return Chart(slug, title, "No weekly token counts yet.")
    weekly = (
        df.assign(week_start=pd.to_datetime(df["week_start"]))
        .pivot_table(index="week_start", columns="token", values="occurrences", aggfunc="sum")  # NaN: no row
        .sort_index()
    )
    weekly = weekly.reindex(pd.date_range(weekly.index.min(), weekly.index.max(), freq="7D"))
    if last_day is not None and weekly.index[-1] + pd.Timedelta(days=6) > pd.Timestamp(last_day):
        weekly = weekly.iloc[:-1]
    if len(weekly) < 2 * span:
        return Chart(slug, title, f"Fewer than {2 * span} complete weeks of data: too early to call a token rising.")
    compared = weekly.iloc[-2 * span :]
    complete = compared.columns[compared.notna().all()]
    gaps = len(compared.columns) - len(complete)
    note = f" ({gaps} token{'s' if gaps > 1 else ''} with weeks missing from the view not compared)" if gaps else ""
    recent, before = compared[complete].iloc[-span:].sum(), compared[complete].iloc[:span].sum()
    # The rise scaled by its Poisson noise: a jump from 200 to 260 outranks one from 1 to 6.
    score = ((recent - before) / np.sqrt(recent + before)).where(recent >= min_recent).dropna()
    rising = score[score > 0].sort_values(ascending=False).head(n)
    if rising.empty:
        return Chart(slug, title, f"No token grew over the last {span} weeks against the {span} before{note}.")
    fig, ax = _figure()
    shown = weekly.iloc[-4 * span :]
    for i, token in enumerate(rising.index):
        ax.plot(
            shown.index,
            shown[token],
            marker="o",
            markersize=3,
            linewidth=2.2 if i == 0 else 1.2,
            color=ACCENT if i == 0 else None,
            label=token,
        )
    ax.axvspan(shown.index[-span], shown.index[-1], color=MUTED, alpha=0.3, linewidth=0)
    ax.set_ylabel("occurrences per week")
    ax.legend(frameon=False, ncols=min(len(rising), 5), loc="upper left")
    ax.set_title(title)
    fig.autofmt_xdate()
    top = rising.index[0]
    ratio = f" (×{recent[top] / before[top]:.1f})" if before[top] else ""
    reading = (
        f"'{top}' rose most: {int(recent[top]):,} occurrences in the last {span} weeks against "
        f"{int(before[top]):,} in the {span} before{ratio}"
    )
    if len(rising) > 1:
        reading += "; also rising: " + ", ".join(f"'{t}'" for t in rising.index[1:])
    return Chart(slug, title, reading + note + ".", fig)


# --- symptoms together and rising ------------------------------------------------------
@_korean
def group_cooccurrence(
    df: pd.DataFrame, *, n: int = 12, min_both: int = 10, period: str = BY_SLUG["group_cooccurrence"].where[0].equals
) -> Chart:
    """v_group_cooccurrence over one period (the whole history): the lift of each pair of the `n` largest groups.

    Cells of pairs with fewer than `min_both` posts in both are left blank: a lift of 4 from three posts is
    noise. Colours are log-scaled around 1 (independence): red above, blue below.
    """
    visual = BY_SLUG["group_cooccurrence"]
    slug, title = visual.slug, visual.title
    df = _require(df, *visual.fields, "group_a", "group_b", "posts_a")
    df = df[df["period"] == period]
    if df.empty:
        return Chart(slug, title, "No post is in two keyword groups yet.")
    sizes = df.groupby("display_a")["posts_a"].max().sort_values(ascending=False, kind="stable")
    shown = list(sizes.index[:n])
    cells = df[df["display_a"].isin(shown) & df["display_b"].isin(shown) & (df["posts_both"] >= min_both)]
    lift = cells.pivot_table(index="display_a", columns="display_b", values="lift", aggfunc="max").reindex(
        index=shown, columns=shown
    )
    fig, ax = _figure(width=8.5, height=7.0)
    log_lift = np.log2(lift.to_numpy(dtype=float))
    image = ax.imshow(log_lift, cmap="RdBu_r", vmin=-2, vmax=2, aspect="auto")
    ax.set_xticks(range(len(shown)), shown, rotation=45, ha="right")
    ax.set_yticks(range(len(shown)), shown)
    for (i, j), v in np.ndenumerate(lift.to_numpy(dtype=float)):
        if not np.isnan(v):
            ax.text(
                j,
                i,
                f"{v:.1f}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if abs(np.log2(v)) > 1.2 else "black",
            )
    bar = fig.colorbar(image, ax=ax, shrink=0.8, ticks=[-2, -1, 0, 1, 2])
    bar.ax.set_yticklabels(["¼", "½", "1", "2", "4"])
    bar.set_label("lift (× what independence gives)")
    ax.set_title(title)
    pairs = df[(df["group_a"] < df["group_b"]) & (df["posts_both"] >= min_both)]
    top = pairs.sort_values(["lift", "posts_both"], ascending=[False, False]).head(3)
    if top.empty:
        return Chart(slug, title, f"No two groups share {min_both} posts or more yet.", fig)
    named = "; ".join(
        f"{r.display_a} + {r.display_b} ×{r.lift:.1f} ({int(r.posts_both):,} posts)" for r in top.itertuples()
    )
    reading = (
        f"Among pairs with at least {min_both} posts in both, the groups asked about together most beyond chance "
        f"(lift = P(both) / (P(a) P(b))) are {named}."
    )
    return Chart(slug, title, reading, fig)


@_korean
def rising_groups(df: pd.DataFrame, *, n: int = BY_SLUG["rising_groups"].top) -> Chart:
    """v_rising_groups: weekly posts of the groups that rose (else the highest-scoring), each against its expectation
    (dashed), the weeks flagged rising marked."""
    visual = BY_SLUG["rising_groups"]
    slug, title = visual.slug, visual.title
    df = _require(df, *visual.fields, "rising")
    if df.empty:
        return Chart(slug, title, "No complete week yet, so nothing to compare.")
    df = df.assign(week_start=pd.to_datetime(df["week_start"]), rising=df["rising"].fillna(False).astype(bool))
    flagged = df[df["rising"]].sort_values(["week_start", "score"], ascending=[True, False])
    best = df.groupby(visual.series)["score"].max().sort_values(ascending=False, kind="stable")
    chosen = list(dict.fromkeys([*flagged[visual.series], *best.index]))[:n]
    fig, ax = _figure()
    for i, group in enumerate(chosen):
        rows = df[df[visual.series] == group].sort_values("week_start")
        (line,) = ax.plot(rows["week_start"], rows["posts"], linewidth=2.0 if i == 0 else 1.2, label=group)
        ax.plot(rows["week_start"], rows["expected"], linestyle="--", linewidth=0.9, color=line.get_color())
        hits = rows[rows["rising"]]
        ax.scatter(hits["week_start"], hits["posts"], color=ACCENT, s=45, zorder=3, edgecolor="black", linewidth=0.5)
    ax.scatter([], [], color=ACCENT, s=45, edgecolor="black", linewidth=0.5, label="rising (alert)")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("posts per week (dashed: expected)")
    ax.legend(frameon=False, ncols=3, loc="upper left")
    ax.set_title(title)
    fig.autofmt_xdate()
    weeks = df["week_start"].nunique()
    latest = df["week_start"].max()
    now = flagged[flagged["week_start"] == latest][visual.series].tolist()
    if flagged.empty:
        reading = f"No group was rising in any of the {weeks} complete weeks."
    else:
        first = flagged.drop_duplicates(visual.series)
        named = "; ".join(
            f"{r.display_name} in the week of {r.week_start:%Y-%m-%d} ({int(r.posts)} posts against "
            f"{r.expected:.1f} expected)"
            for r in first.head(3).itertuples()
        )
        reading = f"{len(flagged)} rising group-week(s) in {weeks} complete weeks; first flagged: {named}"
    reading += f". Latest complete week ({latest:%Y-%m-%d}): " + (
        ", ".join(now) + " rising." if now else "no group rising."
    )
    return Chart(slug, title, reading, fig)


# --- the baby's age and body parts ------------------------------------------------------
def _heatmap(ax: Axes, table: pd.DataFrame, fig: Figure, top: float) -> None:
    """Shares as a heatmap with each cell written in, rows top to bottom in the table's order."""
    image = ax.imshow(table.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=top, aspect="auto")
    ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns], rotation=30, ha="right")
    ax.set_yticks(range(len(table)), list(table.index))
    for (i, j), v in np.ndenumerate(table.to_numpy(dtype=float)):
        if v >= 0.005:
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7, color="white" if v > 0.6 * top else "black")
    fig.colorbar(image, ax=ax, format=PercentFormatter(1.0, decimals=0), shrink=0.8)


@_korean
def age_by_group(df: pd.DataFrame, *, min_posts: int = 20) -> Chart:
    """v_group_by_age as a heatmap: a row per keyword group with at least `min_posts` posts stating an age, its
    posts spread over the age bands (each row sums to 100 %), the youngest groups on top."""
    visual = BY_SLUG["age_by_group"]
    slug, title = visual.slug, visual.title
    df = _require(df, *visual.fields, "posts", "band_order")
    if df.empty:
        return Chart(slug, title, "No post in a keyword group states the baby's age yet.")
    bands = df.drop_duplicates("baby_age_band").sort_values("band_order")["baby_age_band"].tolist()
    posts = df.groupby(visual.x)["posts"].sum()
    kept = posts[posts >= min_posts].index
    if kept.empty:
        return Chart(slug, title, f"No keyword group has {min_posts} posts stating the baby's age yet.")
    table = df[df[visual.x].isin(kept)].pivot_table(
        index=visual.x, columns=visual.series, values=visual.value, aggfunc="max", fill_value=0.0
    )
    table = table.reindex(columns=bands, fill_value=0.0)
    mean_band = (table * np.arange(len(bands))).sum(axis=1)
    table = table.loc[mean_band.sort_values(kind="stable").index]
    fig, ax = _figure(width=9.0, height=0.32 * len(table) + 1.8)
    _heatmap(ax, table, fig, max(0.05, float(table.to_numpy().max())))
    ax.set_xlabel("the baby's age (months, as the post states it)")
    ax.set_title(title)
    young, old = table.index[0], table.index[-1]
    if len(table) == 1:
        reading = f"Only '{young}' has {min_posts} posts stating an age: {_pct(table.loc[young].max())} at "
        return Chart(slug, title, f"{reading}{table.loc[young].idxmax()}.", fig)
    reading = (
        f"'{young}' is asked about youngest: {_pct(table.loc[young].iloc[:2].sum())} of its posts with an age "
        f"are about babies of {bands[0]} or {bands[1]}; '{old}' oldest, with {_pct(table.loc[old].iloc[-3:].sum())} "
        f"at {bands[-3]} or older ({len(table)} groups with at least {min_posts} posts stating an age)."
    )
    return Chart(slug, title, reading, fig)


@_korean
def skin_body_parts(df: pd.DataFrame, *, parts: int = 12) -> Chart:
    """v_group_body_parts for the skin groups as a heatmap: where on the body each is, as the share of the
    group's posts naming each part (a post may name several), the `parts` parts named most across them."""
    visual = BY_SLUG["skin_body_parts"]
    slug, title = visual.slug, visual.title
    df = _require(df, *visual.fields)
    df = df[df["group_name"].isin(visual.condition("group_name").values())]
    if df.empty:
        return Chart(slug, title, "No post of a skin group names a body part yet.")
    table = df.pivot_table(index=visual.x, columns=visual.series, values=visual.value, aggfunc="max", fill_value=0.0)
    table = table[table.sum().sort_values(ascending=False, kind="stable").index[:parts]]
    fig, ax = _figure(width=9.0, height=0.4 * len(table) + 1.8)
    _heatmap(ax, table, fig, max(0.05, float(table.to_numpy().max())))
    ax.set_title(title)
    tops = table.idxmax(axis=1)
    reading = "Where each skin condition shows: " + "; ".join(
        f"{group} mostly {tops[group]} ({_pct(table.loc[group, tops[group]])})" for group in table.index
    )
    return Chart(slug, title, reading + ".", fig)
