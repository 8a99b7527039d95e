-- cleansed post_hour is an hour of the KST day, 0-23; a null hour (time unknown) passes here,
-- and posts_post_hour_known checks that it is null only when time_known is false.
SELECT post_id, dt, post_hour
FROM posts
WHERE post_hour NOT BETWEEN 0 AND 23
