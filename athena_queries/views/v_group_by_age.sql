-- Keyword group × the baby's age band (posts_dim.baby_age_band, read from the text): the group's posts
-- at that age, its share of the band's posts (what the parents of babies that age ask about) and the
-- band's share of the group's posts with an age (at what age a problem comes up). Posts that state no
-- age are left out; a post in two groups counts in both.
CREATE OR REPLACE VIEW v_group_by_age AS
WITH aged AS (
  SELECT
    post_id,
    dt,
    baby_age_band,
    CASE baby_age_band
      WHEN '0 신생아' THEN 0
      WHEN '01-03개월' THEN 1
      WHEN '04-06개월' THEN 2
      WHEN '07-12개월' THEN 3
      WHEN '13-24개월' THEN 4
      WHEN '25-36개월' THEN 5
      ELSE 6
    END AS band_order
  FROM posts_dim
  WHERE baby_age_band IS NOT NULL
),
band AS (
  SELECT baby_age_band, count(*) AS band_posts
  FROM aged
  GROUP BY baby_age_band
),
cell AS (
  SELECT p.group_id, a.baby_age_band, a.band_order, count(DISTINCT a.post_id) AS posts
  FROM aged AS a
  JOIN post_keyword_groups AS p ON p.post_id = a.post_id AND p.dt = a.dt
  GROUP BY p.group_id, a.baby_age_band, a.band_order
)
SELECT
  c.group_id,
  g.group_name,
  g.display_name,
  c.baby_age_band,
  c.band_order,
  c.posts,
  b.band_posts,
  CAST(c.posts AS double) / b.band_posts AS share_of_band,
  CAST(c.posts AS double) / sum(c.posts) OVER (PARTITION BY c.group_id) AS share_of_group
FROM cell AS c
JOIN band AS b ON b.baby_age_band = c.baby_age_band
JOIN keyword_groups_dim AS g ON g.group_id = c.group_id
