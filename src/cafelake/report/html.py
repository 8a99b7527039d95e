"""The report: one self-contained HTML file (charts embedded as base64 PNG, the Korean font as a subset)
and the PNGs beside it.

`render_report` is pure (DataFrames of the views in, files out), so the notebook can
feed it Athena results; `read_views` reads them from the local lake. `make_charts` +
`write_report` are the same in two steps, for a caller that must know which charts failed
(`Pipeline.report`, which `cafelake report` and the demo run).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import matplotlib
import pandas as pd

from cafelake.environment import DEFAULT_DUCKDB_MEMORY
from cafelake.lake import Lake
from cafelake.report import charts, fonts
from cafelake.report.queries import run_queries
from cafelake.report.visuals import DEFAULT_GROUP, VISUALS

REPORT_FILE = "report.html"


def make_charts(views: Mapping[str, pd.DataFrame | Exception], *, group: str = DEFAULT_GROUP) -> list[charts.Chart]:
    """Every chart of the report, in the order of the shared description; a view that failed becomes a message,
    not a crash."""
    draw: dict[str, Callable[[pd.DataFrame], charts.Chart]] = {
        "daily_trend": charts.daily_trend,
        "posts_by_hour": charts.posts_by_hour,
        "authors_by_post_count": charts.authors_by_post_count,
        "cohort_retention": lambda df: charts.cohort_retention(df, last_day=_last_day(views.get("v_daily_posts"))),
        "top_tokens": charts.top_tokens,
        "top_tfidf": lambda df: charts.top_tfidf(df, frequent=_frame(views.get("v_top_tokens"))),
        "group_top_tokens": lambda df: charts.group_top_tokens(df, group=group),
        "group_daily_trend": charts.group_daily_trend,
        "rising_tokens": lambda df: charts.rising_tokens(df, last_day=_last_day(views.get("v_daily_posts"))),
        "group_cooccurrence": charts.group_cooccurrence,
        "rising_groups": charts.rising_groups,
        "age_by_group": charts.age_by_group,
        "skin_body_parts": charts.skin_body_parts,
    }
    out = []
    for visual in VISUALS:
        view, slug, title = visual.view, visual.slug, visual.title
        data = views.get(view)
        if data is None or isinstance(data, Exception):
            why = f"{type(data).__name__}: {data}" if data is not None else "not provided"
            out.append(charts.Chart(slug, title, f"The view {view} could not be read ({why}).", failed=True))
            continue
        try:
            out.append(draw[slug](data))
        except charts.ViewShapeError as exc:
            out.append(
                charts.Chart(slug, title, f"The view {view} does not have the expected shape: {exc}", failed=True)
            )
    return out


def _frame(data: pd.DataFrame | Exception | None) -> pd.DataFrame | None:
    return data if isinstance(data, pd.DataFrame) else None


def _last_day(daily: pd.DataFrame | Exception | None) -> pd.Timestamp | None:
    """The last day with posts: tells whether the last week of the trends is complete."""
    if not isinstance(daily, pd.DataFrame) or daily.empty or "post_date" not in daily.columns:
        return None
    return pd.to_datetime(daily["post_date"]).max()


def png_bytes(fig) -> bytes:
    """The figure as PNG, drawn with the Korean font."""
    buf = io.BytesIO()
    with matplotlib.rc_context(fonts.rc()):
        fig.savefig(buf, format="png", facecolor="white")
    return buf.getvalue()


def render_report(
    views: Mapping[str, pd.DataFrame | Exception],
    out_dir: str | Path,
    *,
    group: str = DEFAULT_GROUP,
    source: str = "the cafelake views",
) -> Path:
    """Write `report.html` and one PNG per drawn chart into `out_dir`; return the HTML path."""
    return write_report(make_charts(views, group=group), out_dir, source=source)


def write_report(drawn: list[charts.Chart], out_dir: str | Path, *, source: str = "the cafelake views") -> Path:
    """Write `report.html` of these charts and the PNG of each drawn one into `out_dir`; return the HTML path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections = []
    for chart in drawn:
        png_path = out / f"{chart.slug}.png"
        if chart.figure is None:
            png_path.unlink(missing_ok=True)  # no stale picture from an earlier run
            body = f'<p class="empty">{html.escape(chart.reading, quote=False)}</p>'
        else:
            png = png_bytes(chart.figure)
            png_path.write_bytes(png)
            body = (
                f'<p class="reading">{html.escape(chart.reading, quote=False)}</p>\n'
                f'<img id="img-{chart.slug}" alt="{html.escape(chart.title)}" '
                f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'
            )
        sections.append(f'<section id="{chart.slug}">\n<h2>{html.escape(chart.title)}</h2>\n{body}\n</section>')
    path = out / REPORT_FILE
    fields = {
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "source": html.escape(source),
        "sections": "\n".join(sections),
    }
    # the font is cut to the characters of the page (markup and base64 images are ASCII: a few glyphs more)
    text = html.unescape(_PAGE.format(font_faces="", family=fonts.PAGE_FAMILY, **fields))
    path.write_text(
        _PAGE.format(font_faces=fonts.font_face_css(text), family=fonts.PAGE_FAMILY, **fields), encoding="utf-8"
    )
    return path


def read_views(lake: Lake, *, memory_limit: str = DEFAULT_DUCKDB_MEMORY) -> dict[str, pd.DataFrame | Exception]:
    """The report's queries over the views, run by the local engine (DuckDB on the lake)."""
    from cafelake.athena.local import LocalAthena

    with LocalAthena(lake, memory_limit=memory_limit) as engine:
        return run_queries(engine.query)


def local_source(lake: Lake) -> str:
    """How the page names a local lake."""
    return f"local lake {lake.root}"


_PAGE = """<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cafelake report</title>
<style>
{font_faces}
body {{ font-family: "{family}", "NanumGothic", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; margin: 2rem auto;
       max-width: 1040px; padding: 0 1rem; color: #222; }}
header p {{ color: #666; margin: 0.2rem 0; }}
section {{ border-top: 1px solid #ddd; padding: 1rem 0; }}
h2 {{ font-size: 1.2rem; margin: 0.3rem 0; }}
p.reading {{ font-size: 1.05rem; }}
p.empty {{ color: #a94442; background: #f2dede; padding: 0.6rem; }}
img {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<header>
<h1>cafelake · 질문 게시판 분석</h1>
<p>Generated {generated} from {source}.</p>
<p>Each chart comes with one line computed from the same data.</p>
</header>
{sections}
</body>
</html>
"""
