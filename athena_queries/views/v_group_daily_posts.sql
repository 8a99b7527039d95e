-- Posts per KST day and keyword group (a post in two groups counts in both).
CREATE OR REPLACE VIEW v_group_daily_posts AS
SELECT
  p.dt,
  CAST(p.dt AS date) AS post_date,
  g.group_id,
  g.group_name,
  g.display_name,
  count(DISTINCT p.post_id) AS posts
FROM post_keyword_groups AS p
JOIN keyword_groups_dim AS g ON g.group_id = p.group_id
GROUP BY p.dt, g.group_id, g.group_name, g.display_name
