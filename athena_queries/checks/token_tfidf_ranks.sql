-- token_tfidf: every ranking is 'sum' or 'mean', and within a scope and ranking the ranks run 1..N once
-- each over N distinct terms (ranking is part of the key: a view that forgot it would count terms twice).
SELECT scope, ranking, count(*) AS terms_rows, count(DISTINCT rank) AS ranks, min(rank) AS first_rank,
       max(rank) AS last_rank, count(DISTINCT concat(token, chr(31), token_pos)) AS terms
FROM token_tfidf
GROUP BY scope, ranking
HAVING ranking IS NULL OR ranking NOT IN ('sum', 'mean')
    OR count(DISTINCT rank) <> count(*) OR min(rank) <> 1 OR max(rank) <> count(*)
    OR count(DISTINCT concat(token, chr(31), token_pos)) <> count(*)
