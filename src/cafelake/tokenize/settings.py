"""The tokenizer's configuration files, validated into one `TokenizerConfig`, and their fingerprint.

The fingerprint goes into the incremental manifest: changing a dictionary, a stopword
list, the keyword frames or the context rules (their vocabularies here, their code in
rules.py) makes the next run rebuild everything. `Settings.tokenizer` loads it once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, StrictBool, StrictInt

from cafelake.config import KEYWORD_GROUPS_FILE, ConfigFiles, FileModel, KeywordGroup
from cafelake.tokenize import age, rules
from cafelake.tokenize.rules import RuleConfig, RulesFile

TOKENIZER_FILE = "tokenizer.yaml"
USER_DICTIONARY_FILE = "user_dictionary.tsv"
SYNONYMS_FILE = "synonyms.yaml"
STOPWORD_FILES = ("stopwords_generic.txt", "stopwords_domain.txt")
FILES = (TOKENIZER_FILE, USER_DICTIONARY_FILE, SYNONYMS_FILE, *STOPWORD_FILES, KEYWORD_GROUPS_FILE)


class TokenizerFile(FileModel):
    """tokenizer.yaml."""

    kept_pos: tuple[str, ...] = ("NNG", "NNP", "XR", "SL")
    lemma_pos: tuple[str, ...] = ("VA", "VV")
    load_multi_dict: StrictBool = False
    tfidf_top_n: StrictInt = Field(100, gt=0)
    batch_size: StrictInt = Field(4096, gt=0)
    rules: RulesFile = RulesFile()


class SynonymsFile(FileModel):
    """synonyms.yaml: token -> token it becomes, optionally with a new POS (토하다: 토/NNG)."""

    synonyms: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class TokenizerConfig:
    kept_pos: tuple[str, ...]  # kept as the surface form
    lemma_pos: tuple[str, ...]  # kept as the lemma (가렵다)
    load_multi_dict: bool  # Kiwi's multi-word proper nouns
    tfidf_top_n: int
    batch_size: int
    user_words: tuple[tuple[str, str, float], ...]  # (word, tag, score)
    synonyms: dict[str, tuple[str, str | None]]  # token -> (token, new POS or None)
    stop_forms: frozenset[str]  # a token on any POS
    stop_pairs: frozenset[tuple[str, str]]  # a (token, POS) pair
    rules: RuleConfig  # context rules (tokenizer.yaml `rules:`)

    @classmethod
    def load(cls, files: ConfigFiles) -> TokenizerConfig:
        cfg = files.load(TOKENIZER_FILE, TokenizerFile)
        synonyms = {}
        for src, dst in files.load(SYNONYMS_FILE, SynonymsFile).synonyms.items():
            form, _, pos = dst.partition("/")
            synonyms[src] = (form, pos or None)
        forms, pairs = set(), set()
        for name in STOPWORD_FILES:
            for _, ln in files.lines(name):
                form, _, pos = ln.partition("/")
                if pos:
                    pairs.add((form, pos))
                else:
                    forms.add(form)
        return cls(
            cfg.kept_pos,
            cfg.lemma_pos,
            cfg.load_multi_dict,
            cfg.tfidf_top_n,
            cfg.batch_size,
            _user_words(files),
            synonyms,
            frozenset(forms),
            frozenset(pairs),
            RuleConfig.from_file(cfg.rules),
        )


def _user_words(files: ConfigFiles) -> tuple[tuple[str, str, float], ...]:
    """user_dictionary.tsv: word<TAB>tag[<TAB>score] per line."""
    words = []
    for n, ln in files.lines(USER_DICTIONARY_FILE):
        parts = ln.split("\t")
        try:
            if len(parts) not in (2, 3):
                raise ValueError
            words.append((parts[0], parts[1], float(parts[2]) if len(parts) == 3 else 0.0))
        except ValueError:
            raise files.error(
                USER_DICTIONARY_FILE, f"line {n}: expected 'word<TAB>tag[<TAB>score]' with a numeric score, got {ln!r}"
            ) from None
    return tuple(words)


def validate_synonyms(cfg: TokenizerConfig, groups: Sequence[KeywordGroup], files: ConfigFiles) -> None:
    """A synonym source that is a keyword would be rewritten away before matching: refuse it."""
    keywords = {kw for g in groups for kw in g.keywords}
    if bad := sorted(keywords & set(cfg.synonyms)):
        raise files.error(SYNONYMS_FILE, f"synonyms: rewrites group keywords {bad}: they could never match")


def fingerprint(files: ConfigFiles) -> str:
    """sha256 over the config files, the rules' and age parser's code and the Kiwi version: what the mart
    depends on."""
    from importlib.metadata import version

    h = hashlib.sha256(f"kiwipiepy={version('kiwipiepy')};model={version('kiwipiepy-model')}".encode())
    for name in FILES:
        h.update(name.encode() + b"\0" + files.read_bytes(name))
    h.update(b"rules.py\0" + Path(rules.__file__).read_bytes())
    h.update(b"age.py\0" + Path(age.__file__).read_bytes())  # posts_dim's baby_age_months
    return h.hexdigest()
