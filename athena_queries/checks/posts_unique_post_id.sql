-- cleansed posts have one row per post_id (the cleanse de-duplicates across runs and days).
SELECT post_id, count(*) AS rows_with_id
FROM posts
GROUP BY post_id
HAVING count(*) > 1
