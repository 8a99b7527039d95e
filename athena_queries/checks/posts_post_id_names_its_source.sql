-- cleansed posts' post_id is '<source>:<club_id>:<article_id>', the post's own columns joined: the same
-- article from a scrape and from an export is one id. A lake cleansed before post ids named their source
-- ('<club_id>-<article_id>') fails here until it is rebuilt (docs/data-model.md, "Lakes written before").
SELECT post_id, source, club_id, article_id, dt
FROM posts
WHERE post_id IS DISTINCT FROM concat(source, ':', club_id, ':', CAST(article_id AS varchar))
