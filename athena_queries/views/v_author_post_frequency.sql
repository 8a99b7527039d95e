-- How many authors wrote 2, 3, ... posts over the whole history (authors with >= 2 posts).
CREATE OR REPLACE VIEW v_author_post_frequency AS
WITH per_author AS (
  SELECT author_key, count(*) AS post_count
  FROM posts_dim
  WHERE author_key IS NOT NULL
  GROUP BY author_key
)
SELECT
  post_count,
  count(*) AS authors
FROM per_author
WHERE post_count >= 2
GROUP BY post_count
