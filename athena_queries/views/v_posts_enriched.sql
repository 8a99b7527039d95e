-- One flat row per post with its keyword groups, for QuickSight (SPICE-friendly: no
-- arrays, no body text). group_names/display_names are comma-joined in group_id order,
-- NULL when the post is in no group. Weekday flags use ISO days (Monday = 1). Joining on dt
-- too (a match sits in its post's partition) lets a dt filter prune post_keyword_groups.
-- A post whose source showed only a day (time_known false) has a null post_hour, so its
-- is_evening/is_night are null (unknown), not false.
CREATE OR REPLACE VIEW v_posts_enriched AS
WITH groups_per_post AS (
  SELECT
    p.dt,
    p.post_id,
    count(*) AS group_count,
    array_join(array_agg(g.group_name ORDER BY g.group_id), ',') AS group_names,
    array_join(array_agg(g.display_name ORDER BY g.group_id), ',') AS display_names
  FROM post_keyword_groups AS p
  JOIN keyword_groups_dim AS g ON g.group_id = p.group_id
  GROUP BY p.dt, p.post_id
)
SELECT
  d.dt,
  d.post_id,
  d.url,
  d.title,
  d.post_date,
  d.post_hour,
  d.time_known,
  d.post_year,
  d.post_month,
  day_of_week(d.post_date) AS post_weekday,
  d.author_key,
  d.read_count,
  d.comment_count,
  d.token_count,
  coalesce(g.group_count, 0) AS group_count,
  g.group_names,
  g.display_names,
  g.post_id IS NOT NULL AS has_group,
  coalesce(g.group_count, 0) > 1 AS is_multi_group,
  d.post_hour BETWEEN 21 AND 23 AS is_evening,
  d.post_hour BETWEEN 0 AND 5 AS is_night,
  day_of_week(d.post_date) >= 6 AS is_weekend,
  d.comment_count = 0 AS is_unanswered
FROM posts_dim AS d
LEFT JOIN groups_per_post AS g ON g.post_id = d.post_id AND g.dt = d.dt
