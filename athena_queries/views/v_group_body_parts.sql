-- Keyword group × body part (post_body_parts): the group's posts that name the part, and their share of
-- the group's posts (where on the body a skin problem shows). A post in two groups or naming two parts
-- counts in each.
CREATE OR REPLACE VIEW v_group_body_parts AS
WITH group_posts AS (
  SELECT group_id, count(DISTINCT post_id) AS group_posts
  FROM post_keyword_groups
  GROUP BY group_id
),
cell AS (
  SELECT g.group_id, b.part_id, b.part_name, b.display_name AS part_display_name, count(DISTINCT b.post_id) AS posts
  FROM post_body_parts AS b
  JOIN post_keyword_groups AS g ON g.post_id = b.post_id AND g.dt = b.dt
  GROUP BY g.group_id, b.part_id, b.part_name, b.display_name
)
SELECT
  c.group_id,
  d.group_name,
  d.display_name,
  c.part_id,
  c.part_name,
  c.part_display_name,
  c.posts,
  n.group_posts,
  CAST(c.posts AS double) / n.group_posts AS share_of_group
FROM cell AS c
JOIN group_posts AS n ON n.group_id = c.group_id
JOIN keyword_groups_dim AS d ON d.group_id = c.group_id
