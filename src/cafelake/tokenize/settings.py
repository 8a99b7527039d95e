"""The tokenizer's configuration files, read once and fingerprinted.

The fingerprint goes into the incremental manifest: changing a dictionary, a
stopword list, the keyword frames or the context rules (their vocabularies here, their
code in rules.py) makes the next run rebuild everything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cafelake.config import config_path, load_yaml
from cafelake.tokenize import rules
from cafelake.tokenize.rules import RuleConfig

FILES = ("tokenizer.yaml", "user_dictionary.tsv", "synonyms.yaml", "stopwords_generic.txt",
         "stopwords_domain.txt", "keyword_groups.yaml")


def _lines(name: str) -> list[str]:
    """Non-empty lines of a config text file, `#` comments removed."""
    text = config_path(name).read_text(encoding="utf-8")
    return [s for ln in text.splitlines() if (s := ln.split("#", 1)[0].strip())]


@dataclass(frozen=True)
class TokenizerConfig:
    kept_pos: tuple[str, ...]                       # kept as the surface form
    lemma_pos: tuple[str, ...]                      # kept as the lemma (가렵다)
    load_multi_dict: bool                           # Kiwi's multi-word proper nouns
    tfidf_top_n: int
    batch_size: int
    user_words: tuple[tuple[str, str, float], ...]  # (word, tag, score)
    synonyms: dict[str, tuple[str, str | None]]     # token -> (token, new POS or None)
    stop_forms: frozenset[str]                      # a token on any POS
    stop_pairs: frozenset[tuple[str, str]]          # a (token, POS) pair
    rules: RuleConfig                               # context rules (tokenizer.yaml `rules:`)

    @classmethod
    def load(cls) -> TokenizerConfig:
        cfg = load_yaml("tokenizer.yaml")
        words = []
        for ln in _lines("user_dictionary.tsv"):
            parts = ln.split("\t")
            if len(parts) not in (2, 3):
                raise ValueError(f"user_dictionary.tsv: want 'word<TAB>tag[<TAB>score]', got {ln!r}")
            words.append((parts[0], parts[1], float(parts[2]) if len(parts) == 3 else 0.0))
        synonyms = {}
        for src, dst in (load_yaml("synonyms.yaml").get("synonyms") or {}).items():
            form, _, pos = str(dst).partition("/")
            synonyms[str(src)] = (form, pos or None)
        forms, pairs = set(), set()
        for ln in _lines("stopwords_generic.txt") + _lines("stopwords_domain.txt"):
            form, _, pos = ln.partition("/")
            if pos:
                pairs.add((form, pos))
            else:
                forms.add(form)
        return cls(tuple(cfg.get("kept_pos", ["NNG", "NNP", "XR", "SL"])), tuple(cfg.get("lemma_pos", ["VA", "VV"])),
                   bool(cfg.get("load_multi_dict", False)), int(cfg.get("tfidf_top_n", 100)),
                   int(cfg.get("batch_size", 4096)), tuple(words), synonyms,
                   frozenset(forms), frozenset(pairs), RuleConfig.from_yaml(cfg.get("rules") or {}))


@cache
def config() -> TokenizerConfig:
    return TokenizerConfig.load()


def fingerprint() -> str:
    """sha256 over the config files, the rules' code and the Kiwi version: what the tokens depend on."""
    from importlib.metadata import version

    h = hashlib.sha256(f"kiwipiepy={version('kiwipiepy')};model={version('kiwipiepy-model')}".encode())
    for name in FILES:
        h.update(name.encode() + b"\0" + config_path(name).read_bytes())
    h.update(b"rules.py\0" + Path(rules.__file__).read_bytes())
    return h.hexdigest()
