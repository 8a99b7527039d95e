"""The report's questions as Athena SQL over the views: one text for Athena and for DuckDB.

The views keep a date column so dashboards can filter by period; the report wants the
whole history, so each query aggregates inside the engine and only a few hundred rows
travel to pandas, whether the engine is the local lake or Athena.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd

from cafelake.environment import ENGINES
from cafelake.errors import UsageError
from cafelake.lake import Lake
from cafelake.settings import Settings

log = logging.getLogger(__name__)

QUERIES: dict[str, str] = {
    "v_daily_posts": "SELECT post_date, sum(posts) AS posts, sum(authors) AS authors "
    "FROM v_daily_posts GROUP BY post_date",
    "v_posts_by_hour": "SELECT post_hour, sum(posts) AS posts FROM v_posts_by_hour GROUP BY post_hour",
    "v_author_post_frequency": "SELECT post_count, authors FROM v_author_post_frequency",
    "v_author_cohort_retention": "SELECT cohort_month, months_since_first, authors, retention "
    "FROM v_author_cohort_retention",
    "v_top_tokens": "SELECT token, token_pos, sum(occurrences) AS occurrences, sum(posts) AS posts "
    "FROM v_top_tokens GROUP BY token, token_pos ORDER BY occurrences DESC, token LIMIT 200",
    "v_top_tfidf": "SELECT scope, ranking, token, token_pos, tfidf_score, mean_tfidf, rank FROM v_top_tfidf "
    "WHERE rank <= 50",
    "v_group_top_tokens": "SELECT group_name, display_name, token, token_pos, occurrences, rank "
    "FROM v_group_top_tokens WHERE rank <= 50",
    "v_group_daily_posts": "SELECT post_date, group_name, display_name, sum(posts) AS posts "
    "FROM v_group_daily_posts GROUP BY post_date, group_name, display_name",
    "v_token_trends": "SELECT week_start, token, sum(occurrences) AS occurrences "
    "FROM v_token_trends GROUP BY week_start, token",
    "v_group_cooccurrence": "SELECT period, group_a, display_a, group_b, display_b, posts_both, posts_a, posts_b, "
    "posts, lift FROM v_group_cooccurrence WHERE period = 'all'",
    "v_rising_groups": "SELECT week_start, group_name, display_name, posts, expected, score, rising "
    "FROM v_rising_groups",
    "v_group_by_age": "SELECT group_name, display_name, baby_age_band, band_order, posts, band_posts, "
    "share_of_band, share_of_group FROM v_group_by_age",
    "v_group_body_parts": "SELECT group_name, display_name, part_name, part_display_name, posts, group_posts, "
    "share_of_group FROM v_group_body_parts",
}


def run_queries(query: Callable[[str], pd.DataFrame]) -> dict[str, pd.DataFrame | Exception]:
    """Every report query through `query` (Athena SQL in, DataFrame out).

    A failing query is kept as its exception, so the report shows which view broke and
    draws the others.
    """
    out: dict[str, pd.DataFrame | Exception] = {}
    for view, sql in QUERIES.items():
        try:
            out[view] = query(sql)
        except Exception as exc:
            log.warning("report query on %s failed: %s", view, exc)
            out[view] = exc
    return out


Query = Callable[[str], pd.DataFrame]


def query_engine(
    engine: str | None = None,
    *,
    lake: Lake | str | None = None,
    database: str | None = None,
    workgroup: str | None = None,
    settings: Settings | None = None,
) -> Query:
    """Athena SQL in, DataFrame out, on the local lake (DuckDB) or on Athena (awswrangler).

    The one switch of the notebook: `engine`, else the settings' (CAFELAKE_ENGINE, local|athena).
    Athena reads the views of the settings' database (CAFELAKE_DATABASE, default cafelake)
    through their workgroup (CAFELAKE_WORKGROUP, default: the workgroup of the deployed stack
    CAFELAKE_STACK, default CafeLake, which sets the result location and the scan cutoff).
    """
    settings = settings or Settings.load(lake=None if isinstance(lake, Lake) else lake)
    warehouse = settings.env.warehouse
    engine = (engine or warehouse.engine).lower()
    if engine == "local":
        from cafelake.athena.local import LocalAthena

        the_lake = lake if isinstance(lake, Lake) else Lake.from_settings(settings.env)
        return LocalAthena(the_lake, memory_limit=settings.env.duckdb_memory).query
    if engine == "athena":
        import awswrangler as wr

        from cafelake.athena.deploy import stack_workgroup

        database = database or warehouse.database
        workgroup = workgroup or warehouse.workgroup or stack_workgroup(warehouse.stack)
        # ctas_approach=False: plain SELECTs, no temporary tables to create or clean up; results are small
        return lambda sql: wr.athena.read_sql_query(sql, database=database, workgroup=workgroup, ctas_approach=False)
    raise UsageError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
