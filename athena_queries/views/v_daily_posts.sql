-- Posts and distinct authors per KST day. Summing `authors` over days counts an author
-- once per day they posted, not once per period (use posts_dim for distinct authors).
CREATE OR REPLACE VIEW v_daily_posts AS
SELECT
  dt,
  post_date,
  count(*) AS posts,
  count(DISTINCT author_key) AS authors
FROM posts_dim
GROUP BY dt, post_date
