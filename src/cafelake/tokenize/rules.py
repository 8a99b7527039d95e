"""Context rules for the board's phrasings that Kiwi reads wrong, measured on the gold set.

Kiwi's model reads standard sentences well, but parents write `열 38도 넘어요` (열 becomes
the numeral 'ten', NR), `설사 했어요` (설사 the adverb 'even if', MAG), `토/일 진료` (토 the
weekday, read as vomit) and `39도 찍었어요` (a temperature with no word for fever). A user
dictionary entry cannot fix these without breaking `열 살` or `설사 그렇다 해도`: the context
decides. `Rules.rewrite` runs on one post's morphemes; collocations and `only_after` run on its
kept tokens (in `Analyzer.ruled_ids`). Every rewrite is named, so `cafelake explain` can show
which rule fired. A rule runs only if tokenizer.yaml's `rules:` (`RulesFile`) configures it; its vocabularies
live there, and docs/text-analysis.md has each rule's before and after.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, StrictFloat, field_validator

from cafelake.config import FileModel

# (form, tag, lemma, rule that produced it or None)
Morph = tuple[str, str, str | None, str | None]
# A token as configured: (token, POS or None for NNG)
Spec = tuple[str, str | None]

FEVER_NOT_NUMERAL = "fever_not_numeral"
DIARRHEA_NOT_ADVERB = "diarrhea_not_adverb"
WEEKDAY = "weekday"
TEMPERATURE_READING = "temperature_reading"
ENUMERATION = "enumeration"
COUNTED = "counted"
COLLOCATION = "collocation"
ONLY_AFTER = "only_after"
_CLAUSE_ENDS = frozenset({"SF", "EF", "EC"})


def parse_spec(value: str) -> Spec:
    """'열받다/VV' -> ('열받다', 'VV'); '콧물' -> ('콧물', None)."""
    token, _, pos = str(value).partition("/")
    return token, pos or None


@dataclass(frozen=True)
class Numeral:
    counters: frozenset[str]  # nouns that 열 (ten) counts: 열 숟가락
    days: frozenset[str]  # day counts that make a numeral with 열 written together: 열이틀
    not_counters: frozenset[str]  # NNB that follow a noun without counting it: 열 때문에
    particles: frozenset[str]  # numerals Kiwi reads where a particle is meant: 열만 나요


@dataclass(frozen=True)
class Adverb:
    concessive: frozenset[str]  # endings of the clause that the adverb 설사 ('even if') governs
    quotative: frozenset[str]  # endings read through on the way (감기라 해도)


@dataclass(frozen=True)
class Weekday:
    days: dict[str, str]  # 토 -> 토요일
    separators: frozenset[str]


@dataclass(frozen=True)
class Temperature:
    low: float
    high: float
    token: str  # the token a body-temperature reading adds
    not_with: frozenset[str]  # nouns that make a reading a water, room or weather temperature


@dataclass(frozen=True)
class Enumeration:
    # nouns that close a list as 'etc.' (얼굴, 팔 등에) where Kiwi reads the noun (등 'back'), and the noun where
    # Kiwi reads 'etc.' right after a particle (목이랑 등에)
    words: frozenset[str]
    separators: frozenset[str]  # what separates a list's items: the comma of 얼굴, 팔 등


@dataclass(frozen=True)
class Counted:
    nouns: frozenset[str]  # nouns that are a counter after a numeral: 두 배 ('twice'), 한 입 ('a bite')
    numerals: frozenset[str]  # the determiners (MM) that count: 한, 두, 세, 몇; digits (SN) count too


@dataclass(frozen=True)
class RuleConfig:
    fever_not_numeral: Numeral | None = None
    diarrhea_not_adverb: Adverb | None = None
    weekday: Weekday | None = None
    temperature_reading: Temperature | None = None
    collocations: dict[tuple[str, str], tuple[Spec | None, ...]] | None = None  # (a, b) -> new tokens, None keeps
    only_after: dict[str, tuple[frozenset[str], Spec]] | None = None  # token -> (must follow, else)
    enumeration: Enumeration | None = None
    counted: Counted | None = None

    @classmethod
    def from_file(cls, rules: RulesFile) -> RuleConfig:
        """The `rules:` section of tokenizer.yaml, validated; a rule without its key does not run."""
        n, a, w, t = rules.fever_not_numeral, rules.diarrhea_not_adverb, rules.weekday, rules.temperature_reading
        return cls(
            Numeral(frozenset(n.counters), frozenset(n.days), frozenset(n.not_counters), frozenset(n.particle_numerals))
            if n is not None
            else None,
            Adverb(frozenset(a.concessive), frozenset(a.quotative)) if a is not None else None,
            Weekday(dict(w.days), frozenset(w.separators)) if w is not None else None,
            Temperature(t.min, t.max, t.token, frozenset(t.not_with)) if t is not None else None,
            None
            if rules.collocations is None
            else {
                pair: tuple(None if r is None else parse_spec(r) for r in result) for pair, result in rules.collocations
            },
            None
            if rules.only_after is None
            else {tok: (frozenset(v.after), parse_spec(v.otherwise)) for tok, v in rules.only_after.items()},
            None
            if rules.enumeration is None
            else Enumeration(frozenset(rules.enumeration.words), frozenset(rules.enumeration.separators)),
            None
            if rules.counted is None
            else Counted(frozenset(rules.counted.nouns), frozenset(rules.counted.numerals)),
        )


# --- the `rules:` section of tokenizer.yaml, as the file writes it ------------------------
class _NumeralFile(FileModel):
    counters: tuple[str, ...] = ()
    days: tuple[str, ...] = ()
    not_counters: tuple[str, ...] = ()
    particle_numerals: tuple[str, ...] = ()


class _AdverbFile(FileModel):
    concessive: tuple[str, ...] = ()
    quotative: tuple[str, ...] = ()


class _WeekdayFile(FileModel):
    days: dict[str, str]
    separators: tuple[str, ...] = ()

    @field_validator("days")
    @classmethod
    def _names_weekend(cls, days: dict[str, str]) -> dict[str, str]:
        if not {"토", "일"} <= set(days):
            raise ValueError("must name 토 and 일 (the rule rewrites those two, and 목 if named)")
        return days


class _TemperatureFile(FileModel):
    min: StrictFloat
    max: StrictFloat
    token: str
    not_with: tuple[str, ...] = ()


class _EnumerationFile(FileModel):
    words: tuple[str, ...]
    separators: tuple[str, ...]


class _CountedFile(FileModel):
    nouns: tuple[str, ...]
    numerals: tuple[str, ...] = ()


class _OnlyAfterFile(FileModel):
    after: tuple[str, ...]
    otherwise: str


def _collocation(value: Any) -> tuple[tuple[str, str], tuple[str | None, ...]]:
    """[[a, b], [a2, b2]] or [[a, b], [ab]]; ~ (None) in the result keeps that token."""
    try:
        (a, b), result = value
        result = tuple(result)
    except (TypeError, ValueError):
        raise ValueError(f"want [[a, b], [a2, b2] or [ab]], got {value!r}") from None
    if not 1 <= len(result) <= 2 or result == (None,) or not all(r is None or isinstance(r, str) for r in result):
        raise ValueError(f"want [[a, b], [a2, b2] or [ab]], got {value!r}")
    return (str(a), str(b)), result


class RulesFile(FileModel):
    fever_not_numeral: _NumeralFile | None = None
    diarrhea_not_adverb: _AdverbFile | None = None
    weekday: _WeekdayFile | None = None
    temperature_reading: _TemperatureFile | None = None
    collocations: (
        tuple[Annotated[tuple[tuple[str, str], tuple[str | None, ...]], BeforeValidator(_collocation)], ...] | None
    ) = None
    only_after: dict[str, _OnlyAfterFile] | None = None
    enumeration: _EnumerationFile | None = None
    counted: _CountedFile | None = None


def _touch(a, b, gap: int = 0) -> bool:
    """Do morphemes a and b (either order) stand next to each other, at most `gap` characters apart?"""
    left, right = (a, b) if a.start <= b.start else (b, a)
    return 0 <= right.start - (left.start + left.len) <= gap


class Rules:
    """The morpheme rules of one configuration."""

    def __init__(self, cfg: RuleConfig) -> None:
        self.cfg = cfg

    def rewrite(self, morphs: Sequence) -> Iterator[Morph]:
        """One post's Kiwi morphemes with the rules applied (a reading also adds a token after it)."""
        cfg = self.cfg
        numeral, adverb, weekday, temperature = (
            cfg.fever_not_numeral,
            cfg.diarrhea_not_adverb,
            cfg.weekday,
            cfg.temperature_reading,
        )
        for i, m in enumerate(morphs):
            form, tag = m.form, m.tag
            if numeral and form == "열" and tag == "NR" and not self._counts(morphs, i):
                yield "열", "NNG", None, FEVER_NOT_NUMERAL
            elif adverb and form == "설사" and tag == "MAG" and not self._adverb(morphs, i):
                yield "설사", "NNG", None, DIARRHEA_NOT_ADVERB
            elif (
                weekday
                and form in ("토", "일", "목")
                and form in weekday.days
                and tag.startswith("NN")
                and self._weekday(morphs, i)
            ):
                yield weekday.days[form], "NNG", None, WEEKDAY
            elif cfg.enumeration and form in cfg.enumeration.words and tag == "NNG" and self._closes_list(morphs, i):
                yield form, "NNB", None, ENUMERATION
            elif (
                cfg.enumeration
                and form in cfg.enumeration.words
                and tag == "NNB"
                and not (i and morphs[i - 1].tag.startswith(("NN", "SN", "SL", "XSN")))
            ):
                yield form, "NNG", None, ENUMERATION  # 목이랑 등에, 아파요 등에: 'etc.' only follows a noun
            elif cfg.counted and form in cfg.counted.nouns and tag == "NNG" and self._counted(morphs, i):
                yield form, "NNB", None, COUNTED
            else:
                yield form, tag, m.lemma, None
                if (
                    temperature
                    and form == "도"
                    and tag in ("NNB", "JX")
                    and i
                    and morphs[i - 1].tag == "SN"
                    and _touch(morphs[i - 1], m)
                    and self._reading(morphs, i)
                ):  # Kiwi: 36.4도 -> 도/JX
                    yield temperature.token, "NNG", None, TEMPERATURE_READING

    def _counts(self, morphs: Sequence, i: int) -> bool:
        """Does 열/NR at i count something (열 살, 열다섯, 열 숟가락, 열이틀), i.e. is it the numeral?"""
        if i + 1 >= len(morphs):
            return False
        nxt, cfg = morphs[i + 1], self.cfg.fever_not_numeral
        if nxt.tag == "NR" and nxt.form in cfg.particles:  # 열만 나요, unless 열만 원
            return i + 2 < len(morphs) and self._counter(morphs[i + 2], cfg)
        if nxt.tag in ("NR", "MM"):
            return True
        return self._counter(nxt, cfg) or (nxt.tag == "NNG" and nxt.form in cfg.days and _touch(morphs[i], nxt))

    @staticmethod
    def _counter(m, cfg: Numeral) -> bool:
        """Is m a classifier (NNB other than `not_counters`) or a counted noun of `counters`?"""
        if m.tag == "NNB":
            return m.form not in cfg.not_counters
        return m.tag == "NNG" and m.form in cfg.counters

    def _adverb(self, morphs: Sequence, i: int) -> bool:
        """Is 설사/MAG at i the adverb ('설사 그렇다 해도'): does its clause end in a concessive ending?"""
        if i + 1 < len(morphs) and morphs[i + 1].form == "하" and morphs[i + 1].tag.startswith(("VV", "XSV")):
            return False  # 설사 했어요, 설사 해도: the noun with its light verb
        for m in morphs[i + 1 : i + 12]:
            if m.tag == "EC":
                if m.form in self.cfg.diarrhea_not_adverb.concessive:
                    return True
                if m.form not in self.cfg.diarrhea_not_adverb.quotative:
                    return False
            elif m.tag in ("EF", "SF", "ETM"):
                return False
        return False

    def _closes_list(self, morphs: Sequence, i: int) -> bool:
        """Does 등 at i close a list (얼굴, 팔 등에; 열, 기침, 콧물 등): right after a noun that follows a
        separator, in the same clause?"""
        if not i or not morphs[i - 1].tag.startswith("NN") or not _touch(morphs[i - 1], morphs[i], 1):
            return False
        for m in morphs[max(0, i - 6) : i - 1][::-1]:
            if m.form in self.cfg.enumeration.separators:
                return True
            if m.tag in _CLAUSE_ENDS or m.tag.startswith(("J", "V", "E")):
                return False
        return False

    def _counted(self, morphs: Sequence, i: int) -> bool:
        """Is the noun at i counted by the numeral right before it (두 배로, 한 입, 2배)?"""
        prev = morphs[i - 1] if i else None
        return (
            prev is not None
            and _touch(prev, morphs[i], 1)
            and ((prev.tag == "MM" and prev.form in self.cfg.counted.numerals) or prev.tag in ("SN", "NR"))
        )

    def _weekday(self, morphs: Sequence, i: int) -> bool:
        """Is 토 or 목 at i a weekday beside another (토일, 토/일, 월~토, 금토, 화 목 금), or 일 the Sunday after
        토?"""
        if morphs[i].form in ("토", "목"):
            return self._day_beside(morphs, i, 1) is not None or self._day_beside(morphs, i, -1) is not None
        return self._day_beside(morphs, i, -1) == "토"

    def _day_beside(self, morphs: Sequence, i: int, step: int) -> str | None:
        """The weekday beside morphs[i] on one side: touching it (토일, 금토; 토 일 one space apart) or
        past one separator (토/일, 월~토, 토, 일)."""
        days, seps = self.cfg.weekday.days, self.cfg.weekday.separators
        j, k = i + step, i + 2 * step
        if not 0 <= j < len(morphs):
            return None
        if morphs[j].form in days and morphs[j].tag.startswith("NN"):
            pair = {morphs[i].form, morphs[j].form}
            gap = 1 if pair == {"토", "일"} or "목" in pair else 0
            return morphs[j].form if _touch(morphs[i], morphs[j], gap) else None
        if not (
            morphs[j].form in seps
            and 0 <= k < len(morphs)
            and morphs[k].form in days
            and morphs[k].tag.startswith("NN")
        ):
            return None
        before_sep, after_sep = (morphs[i], morphs[k]) if step > 0 else (morphs[k], morphs[i])
        # a space may follow the separator (토, 일), never precede it
        return morphs[k].form if _touch(before_sep, morphs[j]) and _touch(morphs[j], after_sep, 1) else None

    def _reading(self, morphs: Sequence, i: int) -> bool:
        """Is the SN before 도 at i a body temperature, in a clause that names no water, room or weather?

        The clause, not the sentence: posts run on without full stops (방이 건조해서 ... 39도 찍었어요)."""
        cfg = self.cfg.temperature_reading
        try:
            value = float(morphs[i - 1].form)
        except ValueError:
            return False
        if not cfg.low <= value < cfg.high:
            return False
        start = end = i
        while start > 0 and morphs[start - 1].tag not in _CLAUSE_ENDS:
            start -= 1
        while end < len(morphs) and morphs[end].tag not in _CLAUSE_ENDS:
            end += 1
        return not any(m.form in cfg.not_with for m in morphs[start:end] if m.tag.startswith("NN"))
