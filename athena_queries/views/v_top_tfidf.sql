-- The mart's TF-IDF rankings per scope ('all' or a group_name), with the group's label:
-- ranking 'sum' (summed weights, tracks frequency) or 'mean' (distinctive terms); filter on one.
CREATE OR REPLACE VIEW v_top_tfidf AS
SELECT
  t.scope,
  coalesce(g.display_name, t.scope) AS scope_label,
  t.ranking,
  t.token,
  t.token_pos,
  t.tfidf_score,
  t.mean_tfidf,
  t.doc_freq,
  t.term_freq,
  t.rank
FROM token_tfidf AS t
LEFT JOIN keyword_groups_dim AS g ON g.group_name = t.scope
