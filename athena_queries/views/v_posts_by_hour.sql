-- Posts per KST day and hour: the "after the children sleep" evening pattern.
-- Counts only posts with a known hour: a post whose source showed just the day
-- (time_known false, post_hour null) is left out rather than piled on a false hour;
-- v_daily_posts counts every post. Filter on dt (YYYY-MM-DD) to prune partitions;
-- post_date is the same day as a date.
CREATE OR REPLACE VIEW v_posts_by_hour AS
SELECT
  dt,
  post_date,
  post_hour,
  count(*) AS posts
FROM posts_dim
WHERE post_hour IS NOT NULL
GROUP BY dt, post_date, post_hour
