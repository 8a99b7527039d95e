-- Non-stopword token occurrences per KST day. Additive over days: a post has one day,
-- so sum(posts) over a period is the number of distinct posts using the token.
-- Top tokens of a period: SELECT token, token_pos, sum(occurrences) ... WHERE dt BETWEEN ...
-- Read from token_daily_counts (tokens_fact summed per day by the tokenize stage), so a
-- period's question reads one small row per token and day, not every occurrence.
CREATE OR REPLACE VIEW v_top_tokens AS
SELECT
  dt,
  CAST(dt AS date) AS post_date,
  token,
  token_pos,
  occurrences,
  posts
FROM token_daily_counts
WHERE NOT is_stopword
