-- Keyword groups asked about together. period is a KST month ('2026-07', month_start its first day)
-- or 'all' (the whole history, month_start NULL), so a dashboard picks one period and reads each
-- lift as it is. For each ordered pair of groups (both orders: filtering group_a shows every
-- partner): the posts in both, in each and in the period, and the lift against independence,
-- P(a and b) / (P(a) P(b)) over the period's posts = posts_both * posts / (posts_a * posts_b):
-- 1 when the two groups meet as often as chance would have them, above 1 when they come together.
-- Only pairs that met in the period have a row.
CREATE OR REPLACE VIEW v_group_cooccurrence AS
WITH post_periods AS (
  SELECT dt, post_id, substr(dt, 1, 7) AS period
  FROM posts_dim
  UNION ALL
  SELECT dt, post_id, 'all' AS period
  FROM posts_dim
),
post_groups AS (
  SELECT DISTINCT pp.period, k.post_id, k.group_id
  FROM post_keyword_groups AS k
  JOIN post_periods AS pp ON pp.post_id = k.post_id AND pp.dt = k.dt
),
periods AS (
  SELECT period, count(*) AS posts
  FROM post_periods
  GROUP BY period
),
singles AS (
  SELECT period, group_id, count(*) AS posts
  FROM post_groups
  GROUP BY period, group_id
),
pairs AS (
  SELECT a.period, a.group_id AS group_id_a, b.group_id AS group_id_b, count(*) AS posts_both
  FROM post_groups AS a
  JOIN post_groups AS b ON b.period = a.period AND b.post_id = a.post_id AND b.group_id <> a.group_id
  GROUP BY a.period, a.group_id, b.group_id
)
SELECT
  p.period,
  CASE WHEN p.period <> 'all' THEN CAST(concat(p.period, '-01') AS date) END AS month_start,
  ga.group_name AS group_a,
  ga.display_name AS display_a,
  gb.group_name AS group_b,
  gb.display_name AS display_b,
  p.posts_both,
  sa.posts AS posts_a,
  sb.posts AS posts_b,
  m.posts,
  CAST(p.posts_both AS double) * m.posts / (CAST(sa.posts AS double) * sb.posts) AS lift
FROM pairs AS p
JOIN periods AS m ON m.period = p.period
JOIN singles AS sa ON sa.period = p.period AND sa.group_id = p.group_id_a
JOIN singles AS sb ON sb.period = p.period AND sb.group_id = p.group_id_b
JOIN keyword_groups_dim AS ga ON ga.group_id = p.group_id_a
JOIN keyword_groups_dim AS gb ON gb.group_id = p.group_id_b
