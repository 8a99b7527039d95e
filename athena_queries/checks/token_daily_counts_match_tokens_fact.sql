-- token_daily_counts is tokens_fact summed per day: the same (dt, token, token_pos,
-- is_stopword) rows with the same occurrences and distinct posts (v_top_tokens reads it).
-- Null-safe keys: a null token is tokens_fact_keys_not_null's fault, not a mismatch.
WITH fact AS (
  SELECT dt, token, token_pos, is_stopword, count(*) AS occurrences, count(DISTINCT post_id) AS posts
  FROM tokens_fact
  GROUP BY dt, token, token_pos, is_stopword
)
SELECT
  coalesce(f.dt, c.dt) AS dt,
  coalesce(f.token, c.token) AS token,
  coalesce(f.token_pos, c.token_pos) AS token_pos,
  coalesce(f.is_stopword, c.is_stopword) AS is_stopword,
  f.occurrences AS fact_occurrences,
  c.occurrences AS counted_occurrences,
  f.posts AS fact_posts,
  c.posts AS counted_posts
FROM fact AS f
FULL OUTER JOIN token_daily_counts AS c
  ON c.dt = f.dt AND c.token IS NOT DISTINCT FROM f.token AND c.token_pos IS NOT DISTINCT FROM f.token_pos
  AND c.is_stopword IS NOT DISTINCT FROM f.is_stopword
WHERE f.occurrences IS DISTINCT FROM c.occurrences OR f.posts IS DISTINCT FROM c.posts
