-- Weekly (Monday-start, KST) occurrences of each week's top 100 non-stopword tokens,
-- to spot rising symptoms. share = occurrences / all non-stopword occurrences that week.
CREATE OR REPLACE VIEW v_token_trends AS
WITH weekly AS (
  SELECT
    CAST(date_trunc('week', CAST(dt AS date)) AS date) AS week_start,
    token,
    token_pos,
    count(*) AS occurrences,
    count(DISTINCT post_id) AS posts
  FROM tokens_fact
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
)
SELECT
  week_start,
  token,
  token_pos,
  occurrences,
  posts,
  CAST(occurrences AS double) / week_occurrences AS share,
  rank
FROM ranked
WHERE rank <= 100
