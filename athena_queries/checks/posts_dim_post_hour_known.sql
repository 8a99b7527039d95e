-- posts_dim: post_hour and posted_at are set exactly when time_known is true.
SELECT post_id, dt, time_known, posted_at, post_hour
FROM posts_dim
WHERE time_known IS NULL
   OR time_known <> (post_hour IS NOT NULL)
   OR time_known <> (posted_at IS NOT NULL)
