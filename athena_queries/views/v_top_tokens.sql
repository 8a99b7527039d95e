-- Non-stopword token occurrences per KST day. Additive over days: a post has one day,
-- so sum(posts) over a period is the number of distinct posts using the token.
-- Top tokens of a period: SELECT token, token_pos, sum(occurrences) ... WHERE dt BETWEEN ...
CREATE OR REPLACE VIEW v_top_tokens AS
SELECT
  dt,
  CAST(dt AS date) AS post_date,
  token,
  token_pos,
  count(*) AS occurrences,
  count(DISTINCT post_id) AS posts
FROM tokens_fact
WHERE NOT is_stopword
GROUP BY dt, token, token_pos
