-- a token sits in its post's dt partition (the token views read the post date from dt).
SELECT t.post_id, t.dt AS token_dt, p.dt AS post_dt, count(*) AS tokens
FROM tokens_fact AS t
JOIN posts_dim AS p ON p.post_id = t.post_id
WHERE t.dt <> p.dt
GROUP BY t.post_id, t.dt, p.dt
