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
        self._cache: dict[tuple[str, str], Token] = {}  # kept morphemes only: bounded by the vocabulary
        self._tags: dict[str, bool] = {}

    def kept_tag(self, tag: str) -> bool:
        pos = tag.split("-", 1)[0]  # VA-I, VV-R...: irregular conjugation marks
        return pos in self.cfg.kept_pos or pos in self.cfg.lemma_pos

    def normalise(self, form: str, tag: str, lemma: str | None = None) -> Token | None:
        """The kept token for a Kiwi morpheme, or None if its POS is not kept."""
        if not self.kept_tag(tag):
            return None
        key = (form, tag)
        if key not in self._cache:
            pos = tag.split("-", 1)[0]
            token = (lemma or form + "다") if pos in self.cfg.lemma_pos else form
            if token in self.cfg.synonyms:  # the flag describes the token as stored, whatever it came from
                token, new_pos = self.cfg.synonyms[token]
                pos = new_pos or pos
                form = token[:-1] if pos in self.cfg.lemma_pos and token.endswith("다") else token
            self._cache[key] = (token, pos, self.stopwords.flag(token, pos, form))
        return self._cache[key]

    def tokenize(self, texts: Iterable[str | None]) -> Iterator[list[Token]]:
        """Kept tokens of each text, in order; a null or empty text gives an empty list."""
        texts = ["" if t is None else t for t in texts]  # Kiwi raises on None
        # Tags decide first, so unbounded forms of dropped tags (URLs, numbers) are never cached.
        cache, tags, kept_tag = self._cache, self._tags, self.kept_tag
        for morphs in self.kiwi.tokenize(texts):
            kept = []
            for m in morphs:
                tag = m.tag
                if tag not in tags:
                    tags[tag] = kept_tag(tag)
                if tags[tag]:
                    key = (m.form, tag)
                    kept.append(cache[key] if key in cache else self.normalise(m.form, tag, m.lemma))
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
