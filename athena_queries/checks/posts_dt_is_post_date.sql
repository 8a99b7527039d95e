-- cleansed posts: the dt partition is the KST post date.
SELECT post_id, dt, post_date
FROM posts
WHERE dt <> CAST(post_date AS varchar)
