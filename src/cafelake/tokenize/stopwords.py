"""Stopword flags: kiwipiepy's list, a generic list and the board's "too common" list.

Stopwords are flagged in tokens_fact, never dropped, so analysts can switch them on
and off; TF-IDF leaves them out.
"""

from __future__ import annotations

from cafelake.tokenize.settings import TokenizerConfig


class StopwordFlags:
    def __init__(self, cfg: TokenizerConfig) -> None:
        from kiwipiepy.utils import Stopwords

        self.cfg = cfg
        self.kiwi_pairs = frozenset(Stopwords().stopwords)  # (stem form, tag), e.g. ('하', 'VV')

    def flag(self, token: str, pos: str, kiwi_form: str | None = None) -> bool:
        """On a project list (by token, or token/POS), or its Kiwi morpheme on kiwipiepy's list."""
        return (
            token in self.cfg.stop_forms
            or (token, pos) in self.cfg.stop_pairs
            or (kiwi_form or token, pos) in self.kiwi_pairs
        )

    def flag_any(self, token: str) -> bool:
        """Whether a bare token (e.g. a keyword) would be flagged under some kept POS."""
        lemma_pos = self.cfg.lemma_pos
        return any(
            self.flag(token, p, token[:-1] if p in lemma_pos and token.endswith("다") else token)
            for p in self.cfg.kept_pos + lemma_pos
        )
