-- post_keyword_groups rows name their post and group.
SELECT post_id, dt, group_id
FROM post_keyword_groups
WHERE post_id IS NULL OR dt IS NULL OR group_id IS NULL
