"""Kiwi morphological analysis: morphemes in, normalised tokens out.

One warmed, multi-threaded `Kiwi` per process (loading costs ~1.5 s and ~530 MB, the
first call another ~1.5 s). Texts go to Kiwi in batches, so its worker threads stay
busy; each (form, tag) pair is normalised once and cached, so the Python work per
morpheme is a dict lookup.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from cafelake.tokenize.settings import TokenizerConfig, config
from cafelake.tokenize.stopwords import StopwordFlags

# A kept token: (token, token_pos, is_stopword)
Token = tuple[str, str, bool]


class Analyzer:
    """Kiwi plus the project's dictionary, kept POS, lemmas, synonyms and stopword flags."""

    def __init__(self, cfg: TokenizerConfig | None = None, num_workers: int = -1, kiwi=None) -> None:
        """`kiwi`: an already loaded Kiwi holding the same user dictionary, to reuse."""
        self.cfg = cfg or config()
        self.stopwords = StopwordFlags(self.cfg)
        if kiwi is None:
            from kiwipiepy import Kiwi

            kiwi = Kiwi(num_workers=num_workers, load_multi_dict=self.cfg.load_multi_dict)
            for word, tag, score in self.cfg.user_words:
                kiwi.add_user_word(word, tag, score)
            kiwi.tokenize("")  # warm up: the first call pays a one-off cost
        self.kiwi = kiwi
        self._cache: dict[tuple[str, str], Token | None] = {}

    def normalise(self, form: str, tag: str, lemma: str | None = None) -> Token | None:
        """The kept token for a Kiwi morpheme, or None if its POS is not kept."""
        key = (form, tag)
        if key in self._cache:
            return self._cache[key]
        pos = tag.split("-", 1)[0]  # VA-I, VV-R...: irregular conjugation marks
        out: Token | None = None
        if pos in self.cfg.kept_pos or pos in self.cfg.lemma_pos:
            token = (lemma or form + "다") if pos in self.cfg.lemma_pos else form
            stop = self.stopwords.flag(token, pos, form)
            if token in self.cfg.synonyms:
                token, new_pos = self.cfg.synonyms[token]
                pos = new_pos or pos
                stop = stop or self.stopwords.flag(token, pos)
            out = (token, pos, stop)
        self._cache[key] = out
        return out

    def tokenize(self, texts: Iterable[str | None]) -> Iterator[list[Token]]:
        """Kept tokens of each text, in order; a null or empty text gives an empty list."""
        texts = ["" if t is None else t for t in texts]  # Kiwi raises on None
        cache, normalise = self._cache, self.normalise
        for morphs in self.kiwi.tokenize(texts):
            kept = []
            for m in morphs:
                key = (m.form, m.tag)
                tok = cache[key] if key in cache else normalise(m.form, m.tag, m.lemma)
                if tok is not None:
                    kept.append(tok)
            yield kept


_lock = threading.Lock()
_analyzer: Analyzer | None = None


def analyzer() -> Analyzer:
    """The process's one Analyzer (loaded once per process, or per Spark Python worker).

    Rebuilt if the configuration was reloaded; Kiwi itself only if the user dictionary changed.
    """
    global _analyzer
    with _lock:
        cfg = config()
        if _analyzer is None or _analyzer.cfg is not cfg:
            same_words = _analyzer is not None and (_analyzer.cfg.user_words, _analyzer.cfg.load_multi_dict) == \
                (cfg.user_words, cfg.load_multi_dict)
            _analyzer = Analyzer(cfg, kiwi=_analyzer.kiwi if same_words else None)
        return _analyzer
