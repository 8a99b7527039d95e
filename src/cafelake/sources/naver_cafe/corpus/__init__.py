"""A deterministic sample of a Naver Cafe baby-health board, in Naver's own API shapes.

`Corpus(posts, seed, end_date, days, club_id, menu_id)` is the board; `article(id)` gives
one `CorpusArticle` (list item, article-API responses, defect kind, ground truth) and
`iter_articles()` streams them. The distributions are documented in docs/sample-corpus.md.
"""

from cafelake.sources.naver_cafe.corpus.model import BROKEN_KINDS, ODD_DATE_KINDS, CorpusArticle
from cafelake.sources.naver_cafe.corpus.sample import DEFAULT_END_DATE, Corpus

__all__ = ["BROKEN_KINDS", "DEFAULT_END_DATE", "ODD_DATE_KINDS", "Corpus", "CorpusArticle"]
