-- a post is in a group at most once (else group counts and TF-IDF scopes double-count).
SELECT post_id, group_id, count(*) AS rows_with_pair
FROM post_keyword_groups
GROUP BY post_id, group_id
HAVING count(*) > 1
