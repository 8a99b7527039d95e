-- TF-IDF of the mart in SQL, the same definition as the tokenize stage's scikit-learn
-- (smooth idf, L2-normalised rows, scores summed over the scope's posts). All ranks of
-- both rankings; token_tfidf keeps the top N. For a scope S ('all', or a group_name = its posts):
--   documents = posts in S with >= 1 non-stopword token; term = (token, token_pos)
--   tf = count in the post; n = documents; df = documents containing the term
--   idf = ln((1 + n) / (1 + df)) + 1; w = tf*idf / sqrt(sum over the post of (tf*idf)^2)
--   tfidf_score = sum of w over S
--   w_board = w computed on the board's scale (S = 'all': its n, df and norms)
--   mean_tfidf = sum of w_board over S / df (for 'all': tfidf_score / df)
--   ranking 'sum': every term, by tfidf_score desc, token asc, token_pos asc
--   ranking 'mean': terms with df >= 10 and df * 100 >= n, by mean_tfidf desc, token, token_pos
--   (the numbers are cafelake.tokenize.tfidf's MEAN_MIN_DOCS and MEAN_MIN_SHARE).
CREATE OR REPLACE VIEW v_tfidf_sql AS
WITH tf AS (
  SELECT post_id, token, token_pos, count(*) AS tf
  FROM tokens_fact
  WHERE NOT is_stopword
  GROUP BY post_id, token, token_pos
),
scoped AS (
  SELECT 'all' AS scope, post_id, token, token_pos, tf FROM tf
  UNION ALL
  SELECT g.group_name AS scope, tf.post_id, tf.token, tf.token_pos, tf.tf
  FROM tf
  JOIN post_keyword_groups AS p ON p.post_id = tf.post_id
  JOIN keyword_groups_dim AS g ON g.group_id = p.group_id
),
docs AS (
  SELECT scope, count(DISTINCT post_id) AS n
  FROM scoped
  GROUP BY scope
),
terms AS (
  SELECT scope, token, token_pos, count(*) AS doc_freq, CAST(sum(tf) AS bigint) AS term_freq
  FROM scoped
  GROUP BY scope, token, token_pos
),
weights AS (
  SELECT
    s.scope,
    s.post_id,
    s.token,
    s.token_pos,
    CAST(s.tf AS double) * (ln(CAST(1 + d.n AS double) / CAST(1 + t.doc_freq AS double)) + 1) AS x,
    CAST(s.tf AS double) * (ln(CAST(1 + db.n AS double) / CAST(1 + tb.doc_freq AS double)) + 1) AS x_board
  FROM scoped AS s
  JOIN docs AS d ON d.scope = s.scope
  JOIN terms AS t ON t.scope = s.scope AND t.token = s.token AND t.token_pos = s.token_pos
  JOIN docs AS db ON db.scope = 'all'
  JOIN terms AS tb ON tb.scope = 'all' AND tb.token = s.token AND tb.token_pos = s.token_pos
),
norms AS (  -- a grouped sum, not a window over every token row: aggregates spill to disk
  SELECT scope, post_id, sqrt(sum(x * x)) AS norm
  FROM weights
  GROUP BY scope, post_id
),
normalised AS (
  SELECT w.scope, w.token, w.token_pos, w.x / n.norm AS w, w.x_board / nb.norm AS w_board
  FROM weights AS w
  JOIN norms AS n ON n.scope = w.scope AND n.post_id = w.post_id
  JOIN norms AS nb ON nb.scope = 'all' AND nb.post_id = w.post_id
),
scores AS (
  SELECT
    s.scope,
    s.token,
    s.token_pos,
    t.doc_freq,
    t.term_freq,
    s.tfidf_score,
    s.board_score / t.doc_freq AS mean_tfidf,
    t.doc_freq >= 10 AND t.doc_freq * 100 >= d.n AS mean_ranked
  FROM (
    SELECT scope, token, token_pos, sum(w) AS tfidf_score, sum(w_board) AS board_score
    FROM normalised
    GROUP BY scope, token, token_pos
  ) AS s
  JOIN terms AS t ON t.scope = s.scope AND t.token = s.token AND t.token_pos = s.token_pos
  JOIN docs AS d ON d.scope = s.scope
),
ranked AS (
  SELECT 'sum' AS ranking, scope, token, token_pos, doc_freq, term_freq, tfidf_score, mean_tfidf,
         round(tfidf_score, 10) AS rank_key
  FROM scores
  UNION ALL
  SELECT 'mean' AS ranking, scope, token, token_pos, doc_freq, term_freq, tfidf_score, mean_tfidf,
         round(mean_tfidf, 10) AS rank_key
  FROM scores
  WHERE mean_ranked
)
SELECT
  scope,
  ranking,
  token,
  token_pos,
  doc_freq,
  term_freq,
  tfidf_score,
  mean_tfidf,
  row_number() OVER (PARTITION BY scope, ranking ORDER BY rank_key DESC, token ASC, token_pos ASC) AS rank
FROM ranked
