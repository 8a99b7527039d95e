-- Keyword groups rising this week: one row per group and complete ISO week (Monday to Sunday in
-- KST, every day of it inside the data; a week still in progress has no row), 0 posts included.
-- expected = the group's posts in the ${trailing_weeks} weeks before (trailing_posts), scaled by
-- the board's posts this week against those weeks (board_posts / trailing_board_posts), times the
-- seasonal_factor; it, the trailing counts and the score are NULL (no test) until ${trailing_weeks}
-- complete weeks precede the week.
-- seasonal_factor: where the data reaches a year back, how far the same three weeks a year
-- earlier (52 weeks back, and one either side) rose over their own expectation,
-- (their posts + 1) / (their flat expectation + 1), held between 1 and 3 (a season that came
-- last year is expected again; a quiet one never lowers the bar); else 1.
-- score: the week's count tested against its trailing weeks, conditionally on their sum: under
-- no change the week's posts x are Binomial(x + trailing_posts, p) with
-- p = s board_posts / (s board_posts + trailing_board_posts), s the seasonal factor (so a week
-- when the whole board is busier does not alarm). score is the signed root of that binomial's
-- likelihood-ratio statistic with a continuity correction (x - 0.5), a z whose upper normal tail
-- tracks the exact binomial tail within a factor of 2.5 (tests/unit/alerts), 0 when x is not above
-- its expectation. rising: score >= ${rising_z} (the false-alarm rate α of alerts.yaml: z = Φ⁻¹(1 − α))
-- and posts >= ${rising_min_posts}.
CREATE OR REPLACE VIEW v_rising_groups AS
WITH span AS (
  SELECT min(CAST(dt AS date)) AS first_day, max(CAST(dt AS date)) AS last_day
  FROM posts_dim
),
board AS (
  SELECT
    CAST(date_trunc('week', CAST(dt AS date)) AS date) AS week_start,
    count(*) AS board_posts
  FROM posts_dim
  GROUP BY 1
),
weeks AS (
  SELECT b.week_start, b.board_posts
  FROM board AS b
  CROSS JOIN span AS s
  WHERE b.week_start >= s.first_day AND date_add('day', 6, b.week_start) <= s.last_day
),
counts AS (
  SELECT
    CAST(date_trunc('week', CAST(dt AS date)) AS date) AS week_start,
    group_id,
    count(DISTINCT post_id) AS posts
  FROM post_keyword_groups
  GROUP BY 1, 2
),
grid AS (
  SELECT w.week_start, w.board_posts, g.group_id, coalesce(c.posts, 0) AS posts
  FROM weeks AS w
  CROSS JOIN keyword_groups_dim AS g
  LEFT JOIN counts AS c ON c.week_start = w.week_start AND c.group_id = g.group_id
),
trailing AS (
  SELECT
    a.week_start,
    a.group_id,
    count(*) AS trailing_weeks,
    sum(b.posts) AS trailing_posts,
    sum(b.board_posts) AS trailing_board_posts
  FROM grid AS a
  JOIN grid AS b
    ON b.group_id = a.group_id
    AND b.week_start < a.week_start
    AND b.week_start >= date_add('day', -7 * ${trailing_weeks}, a.week_start)
  GROUP BY 1, 2
),
base AS (
  SELECT
    g.week_start,
    g.group_id,
    g.posts,
    g.board_posts,
    CASE WHEN t.trailing_weeks = ${trailing_weeks} THEN t.trailing_posts END AS trailing_posts,
    CASE WHEN t.trailing_weeks = ${trailing_weeks} THEN t.trailing_board_posts END AS trailing_board_posts,
    CASE
      WHEN t.trailing_weeks = ${trailing_weeks}
        THEN CAST(t.trailing_posts AS double) * g.board_posts / t.trailing_board_posts
    END AS flat_expected
  FROM grid AS g
  LEFT JOIN trailing AS t ON t.week_start = g.week_start AND t.group_id = g.group_id
),
seasonal AS (
  SELECT
    b.week_start,
    b.group_id,
    b.posts,
    b.board_posts,
    b.trailing_posts,
    b.trailing_board_posts,
    b.flat_expected,
    CASE
      WHEN b.flat_expected IS NULL THEN NULL
      WHEN count(y.week_start) = 0 THEN 1.0
      ELSE greatest(1.0, least(3.0, (sum(y.posts) + 1.0) / (sum(y.flat_expected) + 1.0)))
    END AS seasonal_factor
  FROM base AS b
  LEFT JOIN base AS y
    ON y.group_id = b.group_id
    AND y.flat_expected IS NOT NULL
    AND y.week_start BETWEEN date_add('day', -371, b.week_start) AND date_add('day', -357, b.week_start)
  GROUP BY
    b.week_start, b.group_id, b.posts, b.board_posts, b.trailing_posts, b.trailing_board_posts, b.flat_expected
),
tested AS (
  SELECT
    s.*,
    s.flat_expected * s.seasonal_factor AS expected,
    CAST(s.posts + s.trailing_posts AS double) AS n,
    s.seasonal_factor * s.board_posts / (s.seasonal_factor * s.board_posts + s.trailing_board_posts) AS p,
    s.posts - 0.5 AS x
  FROM seasonal AS s
  WHERE s.flat_expected IS NOT NULL
),
scored AS (
  SELECT
    t.week_start,
    t.group_id,
    t.expected,
    t.seasonal_factor,
    CASE
      WHEN t.x > t.n * t.p
        THEN sqrt(
          2 * (
            t.x * ln(t.x / (t.n * t.p))
            + (t.n - t.x) * ln((t.n - t.x) / (t.n - t.n * t.p))
          )
        )
      ELSE 0.0
    END AS score
  FROM tested AS t
)
SELECT
  b.week_start,
  g.group_id,
  g.group_name,
  g.display_name,
  b.posts,
  b.board_posts,
  b.trailing_posts,
  b.trailing_board_posts,
  s.expected,
  s.seasonal_factor,
  s.score,
  coalesce(s.score >= ${rising_z} AND b.posts >= ${rising_min_posts}, false) AS rising
FROM base AS b
JOIN keyword_groups_dim AS g ON g.group_id = b.group_id
LEFT JOIN scored AS s ON s.week_start = b.week_start AND s.group_id = b.group_id
