-- tokens_fact rows name their post, position, token, part of speech and stopword flag.
SELECT post_id, dt, token_position, token, token_pos, is_stopword
FROM tokens_fact
WHERE post_id IS NULL OR dt IS NULL OR token_position IS NULL OR token IS NULL
   OR token_pos IS NULL OR is_stopword IS NULL
