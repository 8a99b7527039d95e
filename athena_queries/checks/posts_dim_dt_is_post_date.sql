-- the dt partition is the KST post date (partition pruning on dt relies on it).
SELECT post_id, dt, post_date
FROM posts_dim
WHERE dt <> CAST(post_date AS varchar)
