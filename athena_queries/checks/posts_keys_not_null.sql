-- cleansed posts keys are never null (posted_at and post_hour are null when the time of
-- day is unknown: posts_post_hour_known checks those).
SELECT post_id, dt, post_date, time_known
FROM posts
WHERE post_id IS NULL OR dt IS NULL OR post_date IS NULL OR time_known IS NULL
