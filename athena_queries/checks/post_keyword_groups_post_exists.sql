-- every post_keyword_groups row belongs to a post of posts_dim.
SELECT g.post_id, g.dt, g.group_id
FROM post_keyword_groups AS g
LEFT JOIN posts_dim AS p ON p.post_id = g.post_id
WHERE p.post_id IS NULL
