-- a group match sits in its post's dt partition (v_group_daily_posts reads the date from dt).
SELECT g.post_id, g.group_id, g.dt AS group_dt, p.dt AS post_dt
FROM post_keyword_groups AS g
JOIN posts_dim AS p ON p.post_id = g.post_id
WHERE g.dt <> p.dt
