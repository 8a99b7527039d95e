-- Author cohorts by the month of their first post: how many of them post again
-- 0, 1, 2, ... months later. retention = authors / cohort_authors.
CREATE OR REPLACE VIEW v_author_cohort_retention AS
WITH author_months AS (
  SELECT DISTINCT
    author_key,
    CAST(date_trunc('month', post_date) AS date) AS activity_month
  FROM posts_dim
  WHERE author_key IS NOT NULL
),
cohorts AS (
  SELECT author_key, min(activity_month) AS cohort_month
  FROM author_months
  GROUP BY author_key
),
counts AS (
  SELECT
    c.cohort_month,
    (year(a.activity_month) - year(c.cohort_month)) * 12
      + month(a.activity_month) - month(c.cohort_month) AS months_since_first,
    count(*) AS authors
  FROM author_months AS a
  JOIN cohorts AS c ON c.author_key = a.author_key
  GROUP BY 1, 2
)
SELECT
  cohort_month,
  months_since_first,
  authors,
  max(CASE WHEN months_since_first = 0 THEN authors END) OVER (PARTITION BY cohort_month) AS cohort_authors,
  CAST(authors AS double)
    / max(CASE WHEN months_since_first = 0 THEN authors END) OVER (PARTITION BY cohort_month) AS retention
FROM counts
