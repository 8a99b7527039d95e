-- posts_dim has one row per post_id.
SELECT post_id, count(*) AS rows_with_id
FROM posts_dim
GROUP BY post_id
HAVING count(*) > 1
