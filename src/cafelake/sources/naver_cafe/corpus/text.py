"""What parents write: titles and bodies composed from config/corpus_topics.yaml.

A post is a primary topic (chosen by season), 0-2 related topics, generic openers,
context, details (some carrying trap words such as 토요일, 열심히, 변화), a question and a
closer, all with the slots filled once per post so the baby stays the same baby.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from typing import TYPE_CHECKING

from cafelake.sources.naver_cafe.corpus.calendar import season_factor
from cafelake.sources.naver_cafe.corpus.outbreak import OutbreakPlan

if TYPE_CHECKING:
    from cafelake.config import ConfigFiles, KeywordGroup

_MARK = re.compile(r"\[\[([^|\]]+)(?:\|([^\]]+))?\]\]")  # [[word]], [[written form|keyword]] or [[form|kw1,kw2]]
TAILS = ("ㅠㅠ", "ㅜㅜ", "ㅠ", "ㅠㅠㅠ", "😭", "💦", "🙏", "ㅎㅎ", "ㅋㅋ", "..", "!!", "ㅠㅠ 😢", "^^;")
_TITLE_TAILS = ("ㅠㅠ", "ㅜㅜ", "😭", "??", "!!", " 🙏", "...")


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str  # markup stripped; {slots} kept
    groups: frozenset[str]  # keyword groups the phrase means to carry
    slotted: bool


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    weight: float
    amplitude: float
    peak: str
    ages: tuple[int, int]
    parts: dict[str, float]  # body part (a word of keyword_groups.yaml body_parts) -> weight, for {part}
    related: tuple[str, ...]
    titles: tuple[Phrase, ...]
    lines: tuple[Phrase, ...]


@dataclass(frozen=True)
class Phrasing:
    slots: dict[str, tuple[str, ...]]
    openers: tuple[Phrase, ...]
    contexts: tuple[Phrase, ...]
    details: tuple[Phrase, ...]
    questions: tuple[Phrase, ...]
    closers: tuple[Phrase, ...]
    edits: tuple[Phrase, ...]
    edit_title_marks: tuple[str, ...]
    topics: dict[str, Topic]

    outbreak: OutbreakPlan | None = None

    def topic_cum_weights(
        self, day: date, boost: Mapping[str, float] | None = None
    ) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """Topic names and cumulative weights on `day` (base weight x seasonal factor x any `boost`)."""
        names = tuple(self.topics)
        boost = boost or {}
        weights = (
            max(0.0, t.weight * season_factor(day, t.amplitude, t.peak) * boost.get(t.name, 1.0))
            for t in self.topics.values()
        )
        return names, tuple(accumulate(weights))


def parse_phrase(raw: str, groups_of: dict[str, set[str]]) -> Phrase:
    """A phrase of corpus_topics.yaml: its text and the groups of its marked keywords (a keyword may be in two)."""
    words = [kw.strip() for written, keywords in _MARK.findall(raw) for kw in (keywords or written).split(",")]
    unknown = [w for w in words if w not in groups_of]
    if unknown:
        raise ValueError(f"corpus_topics.yaml: {unknown} marked as keywords but in no keyword group: {raw!r}")
    text = _MARK.sub(r"\1", raw)
    return Phrase(text, frozenset(g for w in words for g in groups_of[w]), "{" in text)


def phrasing(keyword_groups: Iterable[KeywordGroup], files: ConfigFiles) -> Phrasing:
    """The phrases of `files`' corpus_topics.yaml, each marked keyword checked against `keyword_groups`."""
    groups_of: dict[str, set[str]] = {}
    for g in keyword_groups:
        for k in g.keywords:
            groups_of.setdefault(k, set()).add(g.group_name)
    data = files.yaml("corpus_topics.yaml")

    def phrases(items: list[str]) -> tuple[Phrase, ...]:
        return tuple(parse_phrase(str(x), groups_of) for x in items)

    topics = {
        name: Topic(
            name,
            float(t["weight"]),
            float(t["season"]["amplitude"]),
            str(t["season"]["peak"]),
            (int(t["ages"][0]), int(t["ages"][1])),
            {str(k): float(v) for k, v in (t.get("parts") or {}).items()},
            tuple(t["related"]),
            phrases(t["titles"]),
            phrases(t["lines"]),
        )
        for name, t in data["topics"].items()
    }
    for t in topics.values():
        if missing := [r for r in t.related if r not in topics]:
            raise ValueError(f"corpus_topics.yaml: topic {t.name} relates to unknown topics {missing}")
    return Phrasing(
        slots={k: tuple(str(v) for v in vs) for k, vs in data["slots"].items()},
        openers=phrases(data["openers"]),
        contexts=phrases(data["contexts"]),
        details=phrases(data["details"]),
        questions=phrases(data["questions"]),
        closers=phrases(data["closers"]),
        edits=phrases(data["edits"]),
        edit_title_marks=tuple(data["edit_title_marks"]),
        topics=topics,
        outbreak=OutbreakPlan.parse(data.get("outbreak"), set(topics)),
    )


def has_final_consonant(word: str) -> bool:
    """Whether the last Hangul syllable has a batchim (picks 은/는, 이/가, 이에요/예요)."""
    last = word.rstrip()[-1]
    if "가" <= last <= "힣":
        return (ord(last) - 0xAC00) % 28 != 0
    return last in "013678"  # 영, 일, 삼, 육, 칠, 팔 end in a consonant


def age_text(rng: random.Random, months: int) -> str:
    if months == 0:
        return rng.choice(("신생아", f"생후 {rng.randint(7, 29)}일", f"생후 {rng.randint(2, 4)}주"))
    if months == 12:
        return rng.choice(("돌", "12개월", "돌쟁이"))
    if months == 24:
        return rng.choice(("두 돌", "24개월"))
    if months >= 36:  # in years only when whole: 40 months is not 3살
        return rng.choice((f"{months}개월", f"{months // 12}살")) if months % 12 == 0 else f"{months}개월"
    if months < 12 and rng.random() < 0.4:
        return f"생후 {months}개월"
    return f"{months}개월"


@dataclass(slots=True)
class Post:
    subject: str
    paragraphs: list[list[str]]
    topic: str
    topics: list[str]
    groups: set[str]
    age_months: int
    body_part: str | None = None  # the {part} a phrase wrote, if any
    age_written: bool = False  # whether a phrase or the title wrote the {age}


class _Slots(dict):
    """Slot values for one post, each drawn the first time a phrase asks for it."""

    def __init__(self, rng: random.Random, choices: dict[str, tuple[str, ...]], **fixed: str) -> None:
        super().__init__(fixed)
        self._rng, self._choices = rng, choices

    def __missing__(self, key: str) -> str:
        values = self._choices[key]
        self[key] = value = values[int(self._rng.random() * len(values))]
        return value


def compose(rng: random.Random, ph: Phrasing, topic: Topic) -> Post:
    r = rng.random
    months = rng.randint(*topic.ages)
    age = age_text(rng, months)
    part = None
    if topic.parts:  # where on the body: drawn by the topic's weights, the same part for the whole post
        names, weights = zip(*topic.parts.items(), strict=True)
        part = names[min(bisect_right(list(accumulate(weights)), r() * sum(weights)), len(names) - 1)]
    babies = ph.slots["baby"]
    baby = babies[int(r() * len(babies))]
    bat = has_final_consonant(baby)
    slots = _Slots(
        rng,
        ph.slots,
        age=age,
        baby=baby,
        baby_topic=baby + ("은" if bat else "는"),
        baby_subj=baby + ("이" if bat else "가"),
        age_cop=age + ("이에요." if has_final_consonant(age) else "예요."),
        **({"part": part} if part else {}),
    )
    groups: set[str] = set()
    written: list[str] = []

    def say(options: tuple[Phrase, ...]) -> str:
        p = options[int(r() * len(options))]
        if p.groups:
            groups.update(p.groups)
        if p.slotted:
            written.extend(k for k in ("part", "age") if "{" + k in p.text)
        text = p.text.format_map(slots) if p.slotted else p.text
        if r() < 0.14:
            tail = TAILS[int(r() * len(TAILS))]
            return (text[:-1] if text[-1] == "." else text) + tail
        return text

    subject = say(topic.titles)
    u = r()
    if u < 0.08:
        subject = "[질문] " + subject
    elif u < 0.28:
        subject = f"{age} {subject}"
        written.append("age")
    elif u < 0.34:
        subject = f"{baby} {subject}"
    if r() < 0.15:
        subject += _TITLE_TAILS[int(r() * len(_TITLE_TAILS))]

    intro = []
    if r() < 0.7:
        intro.append(say(ph.openers))
    if r() < 0.8:
        intro.append(say(ph.contexts))
    lines = topic.lines
    first = int(r() * len(lines))
    body = [say(lines[first : first + 1])]
    if r() < 0.5 and len(lines) > 1:  # a second, different line of the same topic
        body.append(say(lines[:first] + lines[first + 1 :]))
    u = r()
    related = list(topic.related)
    chosen = []
    for _ in range(0 if u < 0.45 else 1 if u < 0.85 else 2):
        if related:
            chosen.append(related.pop(int(r() * len(related))))
    for name in chosen:
        body.append(say(ph.topics[name].lines))
    u = r()
    for _ in range(0 if u < 0.35 else 1 if u < 0.8 else 2):
        body.insert(1 + int(r() * len(body)), say(ph.details))
    outro = []
    if r() < 0.85:
        outro.append(say(ph.questions))
    if r() < 0.6:
        outro.append(say(ph.closers))
    paragraphs = [p for p in (intro, body, outro) if p]
    if len(paragraphs) > 1 and r() < 0.3:  # one wall of text
        paragraphs = [[s for p in paragraphs for s in p]]
    part_written = "part" in written
    return Post(
        subject,
        paragraphs,
        topic.name,
        [topic.name, *chosen],
        groups,
        months,
        slots["part"] if part_written else None,
        "age" in written,
    )


def pick_topic(rng: random.Random, ph: Phrasing, names: tuple[str, ...], cum: tuple[float, ...]) -> Topic:
    return ph.topics[names[min(bisect_right(cum, rng.random() * cum[-1]), len(names) - 1)]]


def edit(rng: random.Random, ph: Phrasing, post: Post) -> Post:
    """The second revision of an edited article: a marked title and an added paragraph."""
    p = rng.choice(ph.edits)
    subject = post.subject
    if rng.random() < 0.5:
        subject = f"{rng.choice(ph.edit_title_marks)} {subject}"
    return Post(
        subject,
        [*post.paragraphs, [p.text]],
        post.topic,
        post.topics,
        post.groups | p.groups,
        post.age_months,
        post.body_part,
        post.age_written,
    )
