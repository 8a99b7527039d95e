-- Non-stopword tokens most used by the posts of each keyword group, over the whole
-- history; rank 1 = most occurrences (ties by token, then part of speech).
CREATE OR REPLACE VIEW v_group_top_tokens AS
WITH counts AS (
  SELECT
    p.group_id,
    t.token,
    t.token_pos,
    count(*) AS occurrences,
    count(DISTINCT t.post_id) AS posts
  FROM tokens_fact AS t
  JOIN post_keyword_groups AS p ON p.post_id = t.post_id
  WHERE NOT t.is_stopword
  GROUP BY p.group_id, t.token, t.token_pos
)
SELECT
  g.group_id,
  g.group_name,
  g.display_name,
  c.token,
  c.token_pos,
  c.occurrences,
  c.posts,
  row_number() OVER (PARTITION BY g.group_id ORDER BY c.occurrences DESC, c.token ASC, c.token_pos ASC) AS rank
FROM counts AS c
JOIN keyword_groups_dim AS g ON g.group_id = c.group_id
