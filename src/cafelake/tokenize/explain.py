"""Why a post is, or is not, in a keyword group: the pipeline's steps for one text, laid open.

The text goes the mart's way (the cleanse text rules, then `tokenize_posts` and
`match_groups`), so what this shows is what tokens_fact and post_keyword_groups would hold;
Kiwi's morphemes and the rule behind each token come from the same Analyzer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pyarrow as pa

from cafelake.cleanse.text import cleanse_text
from cafelake.tokenize.analyzer import Analyzer
from cafelake.tokenize.keywords import KeywordMatcher
from cafelake.tokenize.transform import match_groups, tokenize_posts


@dataclass(frozen=True)
class Morpheme:
    form: str
    tag: str
    start: int  # character offset in the analysed text
    length: int
    score: float  # Kiwi's score for the morpheme in this reading
    lemma: str


@dataclass(frozen=True)
class KeptToken:
    position: int  # token_position in tokens_fact
    token: str
    pos: str
    is_stopword: bool
    synonym_of: str | None  # the token before synonyms.yaml rewrote it (애기 -> 아기)
    rule: str | None  # the context rule that wrote it (rules.py), if any


@dataclass(frozen=True)
class GroupHit:
    group_id: int
    group_name: str
    display_name: str
    keywords: list[str]  # the group's keywords among the kept tokens


@dataclass(frozen=True)
class Explanation:
    text: str
    analysed: str  # after the cleanse text rules (what question_text would hold)
    morphemes: list[Morpheme]
    tokens: list[KeptToken]
    groups: list[GroupHit]

    def as_dict(self) -> dict:
        return asdict(self)


def explain(text: str, analyzer: Analyzer, matcher: KeywordMatcher, *, cleanse: bool = True) -> Explanation:
    """Kiwi's morphemes, the kept tokens with their flags and the groups `text` lands in."""
    analysed = cleanse_text(text) if cleanse else text
    posts = pa.table({"post_id": ["p"], "question_text": [analysed], "dt": ["2024-01-01"]})
    tokens = tokenize_posts(posts, analyzer)
    groups = match_groups(tokens, matcher)
    morphs = analyzer.kiwi.tokenize(analysed)
    ids, fired = analyzer.ruled_ids(morphs)
    if len(ids) != tokens.num_rows:
        raise RuntimeError("the Analyzer gave two different readings of one text")
    kept = []
    for row, tid, rule in zip(tokens.to_pylist(), ids, fired, strict=True):
        before = analyzer.unmapped[tid]
        kept.append(
            KeptToken(
                row["token_position"],
                row["token"],
                row["token_pos"],
                row["is_stopword"],
                before if before != row["token"] else None,
                rule,
            )
        )
    by_id = {g.group_id: g for g in matcher.groups}
    hits = [
        GroupHit(gid, by_id[gid].group_name, by_id[gid].display_name, kws)
        for gid, kws in zip(
            groups.column("group_id").to_pylist(), groups.column("matched_keywords").to_pylist(), strict=True
        )
    ]
    return Explanation(
        text,
        analysed,
        [Morpheme(m.form, m.tag, m.start, m.len, round(float(m.score), 4), m.lemma) for m in morphs],
        kept,
        hits,
    )
