"""Context rules for the board's phrasings that Kiwi reads wrong, measured on the gold set.

Kiwi's model reads standard sentences well, but parents write `열 38도 넘어요` (열 becomes
the numeral 'ten', NR), `설사 했어요` (설사 the adverb 'even if', MAG), `토/일 진료` (토 the
weekday read as vomit) and `39도 찍었어요` (a temperature with no word for fever). A user
dictionary entry cannot fix these without breaking `열 살` or `설사 그렇다 해도`: the context
decides. `rewrite` runs on one post's morphemes, `Collocations` on its kept tokens; every
rewrite is named, so `cafelake explain` can show which rule fired. The vocabularies come from
tokenizer.yaml (`rules:`); docs/text-analysis.md has each rule's before and after.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

# (form, tag, lemma, rule that produced it or None)
Morph = tuple[str, str, str | None, str | None]
# A token as configured: (token, POS or None for the default)
Spec = tuple[str, str | None]

FEVER_NOT_NUMERAL = "fever_not_numeral"
DIARRHEA_NOT_ADVERB = "diarrhea_not_adverb"
WEEKDAY = "weekday"
TEMPERATURE_READING = "temperature_reading"
COLLOCATION = "collocation"
ONLY_AFTER = "only_after"

# Endings of the clause that the adverb 설사 ('even if') governs, and quotative endings it reads through.
_CONCESSIVE = frozenset({"어도", "아도", "여도", "더라도", "라도", "이라도", "ᆫ들", "ㄴ들", "더라도", "던들"})
_QUOTATIVE = frozenset({"다", "라", "고", "라고", "다고", "이라고"})
_DAYS = {"월": "월요일", "화": "화요일", "수": "수요일", "목": "목요일", "금": "금요일", "토": "토요일", "일": "일요일"}
_DAY_SEPARATORS = frozenset("/,~·-.")


def parse_spec(value: str) -> Spec:
    """'열받다/VV' -> ('열받다', 'VV'); '콧물' -> ('콧물', None)."""
    token, _, pos = str(value).partition("/")
    return token, pos or None


@dataclass(frozen=True)
class RuleConfig:
    counters: frozenset[str]          # nouns that 열 (ten) counts: 열 숟가락
    days: frozenset[str]              # day counts that make a numeral with 열 written together: 열이틀
    not_counters: frozenset[str]      # NNB that follow a noun without counting it: 열 때문에
    temp_min: float
    temp_max: float
    temp_token: str                   # the token a body-temperature reading adds
    temp_not_with: frozenset[str]     # nouns that make a reading a water, room or weather temperature
    collocations: dict[tuple[str, str], tuple[Spec | None, ...]]  # (a, b) -> replacement (None keeps)
    only_after: dict[str, tuple[frozenset[str], Spec]]           # token -> (words it must follow, else)

    @classmethod
    def from_yaml(cls, rules: dict[str, Any]) -> RuleConfig:
        temp = rules.get("temperature") or {}
        collocations = {}
        for pair, result in rules.get("collocations") or []:
            if len(pair) != 2 or not 1 <= len(result) <= 2:
                raise ValueError(f"tokenizer.yaml rules.collocations: want [[a, b], [a', b'] or [ab]], got {pair} {result}")
            collocations[(str(pair[0]), str(pair[1]))] = tuple(None if r is None else parse_spec(r) for r in result)
        only_after = {str(tok): (frozenset(map(str, v["after"])), parse_spec(v["otherwise"]))
                      for tok, v in (rules.get("only_after") or {}).items()}
        return cls(frozenset(map(str, rules.get("numeral_counters") or [])),
                   frozenset(map(str, rules.get("numeral_days") or [])),
                   frozenset(map(str, rules.get("not_counters") or [])),
                   float(temp.get("min", 35.0)), float(temp.get("max", 43.0)), str(temp.get("token", "체온")),
                   frozenset(map(str, temp.get("not_with") or [])), collocations, only_after)


def _touch(a, b, gap: int = 0) -> bool:
    """Do morphemes a and b (either order) stand next to each other, at most `gap` characters apart?"""
    left, right = (a, b) if a.start <= b.start else (b, a)
    return 0 <= right.start - (left.start + left.len) <= gap


def _is_day(m) -> bool:
    return m.form in _DAYS and m.tag.startswith("NN")


def _day_beside(morphs: Sequence, i: int, step: int) -> str | None:
    """The weekday beside morphs[i] on one side: touching it (토일, 금토; 토 일 one space apart) or
    past one separator (토/일, 월~토)."""
    j, k = i + step, i + 2 * step
    if not 0 <= j < len(morphs):
        return None
    if _is_day(morphs[j]):
        gap = 1 if {morphs[i].form, morphs[j].form} == {"토", "일"} else 0
        return morphs[j].form if _touch(morphs[i], morphs[j], gap) else None
    if (morphs[j].form in _DAY_SEPARATORS and 0 <= k < len(morphs) and _is_day(morphs[k])
            and _touch(morphs[i], morphs[j]) and _touch(morphs[j], morphs[k])):
        return morphs[k].form
    return None


class Rules:
    """The morpheme rules of one configuration."""

    def __init__(self, cfg: RuleConfig) -> None:
        self.cfg = cfg

    def rewrite(self, morphs: Sequence) -> Iterator[Morph]:
        """One post's Kiwi morphemes, with the rules applied (a reading also adds a token after it)."""
        for i, m in enumerate(morphs):
            form, tag = m.form, m.tag
            if form == "열" and tag == "NR" and not self._counts(morphs, i):
                yield "열", "NNG", None, FEVER_NOT_NUMERAL
            elif form == "설사" and tag == "MAG" and not self._adverb(morphs, i):
                yield "설사", "NNG", None, DIARRHEA_NOT_ADVERB
            elif form in ("토", "일") and tag.startswith("NN") and self._weekday(morphs, i):
                yield _DAYS[form], "NNG", None, WEEKDAY
            else:
                yield form, tag, m.lemma, None
                if form == "도" and tag == "NNB" and i and morphs[i - 1].tag == "SN" and self._reading(morphs, i):
                    yield self.cfg.temp_token, "NNG", None, TEMPERATURE_READING

    def _counts(self, morphs: Sequence, i: int) -> bool:
        """Does 열/NR at i count something (열 살, 열다섯, 열 숟가락, 열이틀), i.e. is it the numeral?"""
        if i + 1 >= len(morphs):
            return False
        nxt = morphs[i + 1]
        if nxt.tag in ("NR", "MM"):
            return True
        if nxt.tag == "NNB":
            return nxt.form not in self.cfg.not_counters
        return nxt.tag == "NNG" and (nxt.form in self.cfg.counters or
                                     nxt.form in self.cfg.days and _touch(morphs[i], nxt))

    @staticmethod
    def _adverb(morphs: Sequence, i: int) -> bool:
        """Is 설사/MAG at i the adverb ('설사 그렇다 해도'): its clause ends in a concessive ending?"""
        if i + 1 < len(morphs) and morphs[i + 1].form == "하" and morphs[i + 1].tag.startswith(("VV", "XSV")):
            return False  # 설사 했어요, 설사 해도: the noun with its light verb
        for m in morphs[i + 1:i + 12]:
            if m.tag == "EC":
                if m.form in _CONCESSIVE:
                    return True
                if m.form not in _QUOTATIVE:
                    return False
            elif m.tag in ("EF", "SF", "ETM"):
                return False
        return False

    @staticmethod
    def _weekday(morphs: Sequence, i: int) -> bool:
        """Is 토 at i a weekday next to another (토일, 토/일, 월~토, 금토), or 일 the Sunday after 토?"""
        if morphs[i].form == "토":
            return _day_beside(morphs, i, 1) is not None or _day_beside(morphs, i, -1) is not None
        return _day_beside(morphs, i, -1) == "토"

    def _reading(self, morphs: Sequence, i: int) -> bool:
        """Is the SN before 도/NNB at i a body temperature (35-43 degrees) in a sentence about no water or room?"""
        try:
            value = float(morphs[i - 1].form)
        except ValueError:
            return False
        if not self.cfg.temp_min <= value < self.cfg.temp_max:
            return False
        start = i
        while start > 0 and morphs[start - 1].tag != "SF":
            start -= 1
        end = i
        while end < len(morphs) and morphs[end].tag != "SF":
            end += 1
        return not any(m.form in self.cfg.temp_not_with for m in morphs[start:end] if m.tag.startswith("NN"))
