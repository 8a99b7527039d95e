-- every post_keyword_groups row names a group of keyword_groups_dim.
SELECT p.post_id, p.dt, p.group_id
FROM post_keyword_groups AS p
LEFT JOIN keyword_groups_dim AS g ON g.group_id = p.group_id
WHERE g.group_id IS NULL
