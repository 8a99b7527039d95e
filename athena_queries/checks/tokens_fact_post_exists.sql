-- every tokens_fact row belongs to a post of posts_dim.
SELECT t.post_id, t.dt, count(*) AS orphan_tokens
FROM tokens_fact AS t
LEFT JOIN posts_dim AS p ON p.post_id = t.post_id
WHERE p.post_id IS NULL
GROUP BY t.post_id, t.dt
