-- Weekly (Monday-start, KST) occurrences of the trend candidates, to spot rising symptoms.
-- Candidates are the non-stopword tokens in the top 100 of at least one week; each has a row
-- for every week with any non-stopword token, with its true count (0 when absent that week),
-- so a token dipping out of the top 100 never reads as a fall to nothing and back.
-- share = occurrences / all non-stopword occurrences that week; rank = the token's rank that
-- week among all non-stopword tokens (NULL when it did not occur).
-- Read from token_daily_counts (tokens_fact summed per day; posts are additive over days).
CREATE OR REPLACE VIEW v_token_trends AS
WITH weekly AS (
  SELECT
    CAST(date_trunc('week', CAST(dt AS date)) AS date) AS week_start,
    token,
    token_pos,
    CAST(sum(occurrences) AS bigint) AS occurrences,
    CAST(sum(posts) AS bigint) AS posts
  FROM token_daily_counts
  WHERE NOT is_stopword
  GROUP BY 1, 2, 3
),
ranked AS (
  SELECT
    week_start,
    token,
    token_pos,
    occurrences,
    posts,
    sum(occurrences) OVER (PARTITION BY week_start) AS week_occurrences,
    row_number() OVER (PARTITION BY week_start ORDER BY occurrences DESC, token ASC, token_pos ASC) AS rank
  FROM weekly
),
candidates AS (
  SELECT DISTINCT token, token_pos
  FROM ranked
  WHERE rank <= 100
),
weeks AS (
  SELECT DISTINCT week_start, week_occurrences
  FROM ranked
)
SELECT
  w.week_start,
  c.token,
  c.token_pos,
  coalesce(r.occurrences, 0) AS occurrences,
  coalesce(r.posts, 0) AS posts,
  CAST(coalesce(r.occurrences, 0) AS double) / w.week_occurrences AS share,
  r.rank
FROM candidates AS c
CROSS JOIN weeks AS w
LEFT JOIN ranked AS r
  ON r.week_start = w.week_start AND r.token = c.token AND r.token_pos = c.token_pos
