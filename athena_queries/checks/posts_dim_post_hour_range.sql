-- post_hour is an hour of the KST day, 0-23.
SELECT post_id, dt, post_hour
FROM posts_dim
WHERE post_hour NOT BETWEEN 0 AND 23
