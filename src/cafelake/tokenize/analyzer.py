"""Kiwi morphological analysis: morphemes in, normalised tokens out.

One warmed, multi-threaded `Kiwi` per process (loading costs ~1.5 s and ~530 MB, the
first call another ~1.5 s). Texts go to Kiwi in batches, so its worker threads stay
busy. Each kept (form, tag) pair is normalised once and numbered: the main thread's
work per morpheme is a tag check and, for a kept one, a dict lookup giving a token id,
so it never holds Kiwi's workers back and columns are built by `take` on the vocabulary.
The context rules (`rules.py`) run between Kiwi and the numbering, on every post.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator

import pyarrow as pa

from cafelake.tokenize.rules import COLLOCATION, ONLY_AFTER, Rules, Spec
from cafelake.tokenize.settings import TokenizerConfig
from cafelake.tokenize.stopwords import StopwordFlags

# A kept token: (token, token_pos, is_stopword)
Token = tuple[str, str, bool]


class _KeptTags(dict[str, bool]):
    """tag -> kept?, filled on first sight: one lookup per morpheme, no membership test first."""

    def __init__(self, kept: Callable[[str], bool]) -> None:
        super().__init__()
        self._kept = kept

    def __missing__(self, tag: str) -> bool:
        self[tag] = kept = self._kept(tag)
        return kept


class Analyzer:
    """Kiwi plus the project's dictionary, kept POS, lemmas, synonyms and stopword flags."""

    def __init__(self, cfg: TokenizerConfig, num_workers: int = -1, kiwi=None) -> None:
        """`kiwi`: an already loaded Kiwi holding the same user dictionary and `num_workers`, to reuse."""
        self.cfg = cfg
        self.num_workers = num_workers
        self.stopwords = StopwordFlags(self.cfg)
        self.rules = Rules(self.cfg.rules)
        if kiwi is None:
            from kiwipiepy import Kiwi

            kiwi = Kiwi(num_workers=num_workers, load_multi_dict=self.cfg.load_multi_dict)
            for word, tag, score in self.cfg.user_words:
                kiwi.add_user_word(word, tag, score)
            kiwi.tokenize("")  # warm up: the first call pays a one-off cost
        self.kiwi = kiwi
        self.vocab: list[Token] = []  # token id -> token; kept morphemes only: bounded by the vocabulary
        self.unmapped: list[str] = []  # token id -> the token before synonyms.yaml (for `cafelake explain`)
        self._ids: dict[tuple[str, str], int] = {}  # Kiwi (form, tag) -> token id
        # Tags decide first, so unbounded forms of dropped tags (URLs, numbers) are never numbered.
        self._kept = _KeptTags(self.kept_tag)
        self._arrays: tuple[pa.Array, ...] = (
            pa.array([], pa.string()),
            pa.array([], pa.string()),
            pa.array([], pa.bool_()),
        )

    def kept_tag(self, tag: str) -> bool:
        pos = tag.split("-", 1)[0]  # VA-I, VV-R...: irregular conjugation marks
        return pos in self.cfg.kept_pos or pos in self.cfg.lemma_pos

    def _surface(self, form: str, tag: str, lemma: str | None) -> str:
        """The token before synonyms: the form, or the lemma for verbs and adjectives (가렵다)."""
        return (lemma or form + "다") if tag.split("-", 1)[0] in self.cfg.lemma_pos else form

    def normalise(self, form: str, tag: str, lemma: str | None = None) -> Token | None:
        """The kept token for a Kiwi morpheme, or None if its POS is not kept."""
        if not self.kept_tag(tag):
            return None
        pos = tag.split("-", 1)[0]
        token = self._surface(form, tag, lemma)
        if token in self.cfg.synonyms:  # the flag describes the token as stored, whatever it came from
            token, new_pos = self.cfg.synonyms[token]
            pos = new_pos or pos
            form = token[:-1] if pos in self.cfg.lemma_pos and token.endswith("다") else token
        return token, pos, self.stopwords.flag(token, pos, form)

    def _key_id(self, form: str, tag: str, lemma: str | None) -> int:
        """The token id of a kept (form, tag), numbering it if it is new."""
        tid = self._ids.get((form, tag))
        if tid is None:
            tid = self._ids[(form, tag)] = len(self.vocab)
            self.vocab.append(self.normalise(form, tag, lemma))
            self.unmapped.append(self._surface(form, tag, lemma))
        return tid

    def _spec_id(self, spec: Spec) -> int:
        """The token id of a token a rule writes ('콧물', '열받다/VV')."""
        token, pos = spec
        pos = pos or "NNG"
        if pos in self.cfg.lemma_pos and token.endswith("다"):
            return self._key_id(token[:-1], pos, token)
        return self._key_id(token, pos, None)

    def ruled_ids(self, morphs) -> tuple[list[int], list[str | None]]:
        """Token ids of one post's Kiwi morphemes after the context rules, and the rule behind each (or None).

        Morpheme rules first (`Rules.rewrite`), then, on adjacent kept tokens of one sentence,
        `only_after` (건조 after a body part) and the collocations (코 + 막히다 -> 코막힘).
        """
        out: list[int] = []
        fired: list[str | None] = []
        vocab, kept = self.vocab, self._kept
        collocations, only_after = self.cfg.rules.collocations or {}, self.cfg.rules.only_after or {}
        in_sentence = False  # does out[-1] belong to the current sentence?
        for form, tag, lemma, rule in self.rules.rewrite(morphs):
            if tag == "SF":
                in_sentence = False
                continue
            if not kept[tag]:
                continue
            tid = self._key_id(form, tag, lemma)
            if (cond := only_after.get(vocab[tid][0])) and not (in_sentence and vocab[out[-1]][0] in cond[0]):
                tid, rule = self._spec_id(cond[1]), ONLY_AFTER
            if in_sentence and (new := collocations.get((vocab[out[-1]][0], vocab[tid][0]))):
                pair = (out.pop(), tid)
                before = (fired.pop(), rule)
                for k, spec in enumerate(new):
                    out.append(pair[k] if spec is None else self._spec_id(spec))
                    fired.append(before[k] if spec is None else COLLOCATION)
            else:
                out.append(tid)
                fired.append(rule)
            in_sentence = True
        return out, fired

    def token_ids(self, texts: Iterable[str | None]) -> Iterator[list[int]]:
        """Token ids (into `vocab`) of each text's kept morphemes, in order; a null or empty text gives []."""
        # One Kiwi call over the whole list: its workers run ahead of this loop.
        for morphs in self.kiwi.tokenize(["" if t is None else t for t in texts]):  # Kiwi raises on None
            yield self.ruled_ids(morphs)[0]

    def tokenize(self, texts: Iterable[str | None]) -> Iterator[list[Token]]:
        """Kept tokens of each text, in order; a null or empty text gives an empty list."""
        vocab = self.vocab
        for row in self.token_ids(texts):
            yield [vocab[i] for i in row]

    def vocab_arrays(self) -> tuple[pa.Array, ...]:
        """(token, token_pos, is_stopword) of every token id, as Arrow arrays to `take` from."""
        if new := self.vocab[len(self._arrays[0]) :]:  # only tokens numbered since the last call are converted
            self._arrays = tuple(
                pa.concat_arrays([old, pa.array(col, old.type)])
                for old, col in zip(self._arrays, zip(*new, strict=True), strict=True)
            )
        return self._arrays


_lock = threading.Lock()
_analyzer: Analyzer | None = None


def analyzer(cfg: TokenizerConfig, num_workers: int = -1) -> Analyzer:
    """An Analyzer of `cfg` with `num_workers` Kiwi threads (-1: every core), shared by the process
    (or the Spark Python worker) while both stay equal.

    Kiwi costs seconds and half a gigabyte to load, so the process keeps the last one: a new
    configuration builds a new Analyzer, and a new Kiwi only if the user dictionary or the thread
    count changed. Kept by value, not by identity, so two equal configurations (two `Settings`
    loaded from the same files) share it and nothing ever needs resetting.
    """
    global _analyzer
    with _lock:
        if _analyzer is None or (_analyzer.cfg, _analyzer.num_workers) != (cfg, num_workers):
            same_kiwi = _analyzer is not None and (
                _analyzer.cfg.user_words,
                _analyzer.cfg.load_multi_dict,
                _analyzer.num_workers,
            ) == (cfg.user_words, cfg.load_multi_dict, num_workers)
            _analyzer = Analyzer(cfg, num_workers, kiwi=_analyzer.kiwi if same_kiwi else None)
        return _analyzer
