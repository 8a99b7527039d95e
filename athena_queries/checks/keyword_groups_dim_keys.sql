-- keyword_groups_dim: group_id and group_name present and unique.
SELECT group_id, group_name
FROM keyword_groups_dim
WHERE group_id IS NULL
   OR group_name IS NULL
   OR group_id IN (SELECT group_id FROM keyword_groups_dim GROUP BY group_id HAVING count(*) > 1)
   OR group_name IN (SELECT group_name FROM keyword_groups_dim GROUP BY group_name HAVING count(*) > 1)
