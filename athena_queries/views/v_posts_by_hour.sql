-- Posts per KST day and hour: the "after the children sleep" evening pattern.
-- Filter on dt (YYYY-MM-DD) to prune partitions; post_date is the same day as a date.
CREATE OR REPLACE VIEW v_posts_by_hour AS
SELECT
  dt,
  post_date,
  post_hour,
  count(*) AS posts
FROM posts_dim
GROUP BY dt, post_date, post_hour
