-- cleansed posts keys are never null.
SELECT post_id, dt, posted_at, post_date, post_hour
FROM posts
WHERE post_id IS NULL OR dt IS NULL OR posted_at IS NULL OR post_date IS NULL OR post_hour IS NULL
