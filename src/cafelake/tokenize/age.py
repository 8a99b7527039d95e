"""The baby's age as parents write it (생후 5개월, 100일, 돌아기, 두돌, 4살, 신생아), in months.

Regular expressions on the cleansed text (title and content), not Kiwi tokens: an age is a number
and a unit written together or a space apart (5개월, 5 개월, 6갤, 두달, 만3세), and what makes it
the baby's age or not is the few characters around it: a duration (3개월째 기침, 흘린 지 2주), a past
or general reference (3개월 때부터, 돌 지나면), another person (엄마 35살, 4살 형), a pregnancy
(임신 8개월), 돌 the stone (돌을 삼켰어요) or a verb (돌아가다, 돌발진). Kiwi reads 돌 and the units
the same in every one of those. The decisions, and what they are worth on the gold set
(tests/data/gold_baby_age.tsv): docs/text-analysis.md#the-babys-age.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# (upper bound in months, inclusive; label): the bands of posts_dim.baby_age_band, youngest first.
BANDS: tuple[tuple[int | None, str], ...] = (
    (0, "0 신생아"),
    (3, "01-03개월"),
    (6, "04-06개월"),
    (12, "07-12개월"),
    (24, "13-24개월"),
    (36, "25-36개월"),
    (None, "37개월+"),
)
MAX_MONTHS = 108  # an age past nine years is a parent's or a sibling's, not the board's patients'

_KOREAN = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10}
_NUMERAL = "|".join(sorted(_KOREAN, key=len, reverse=True))
# A number follows anything but a digit (생후5개월); a numeral word starts a word (세 달, not 하세 달).
_START = r"(?<![\d.])(?:(?=\d)|(?<![가-힣]))"
_BABY = r"(?:아기|아가|애기|신생아|남아|여아|아들|딸|아이|쌍둥이|베이비|늦둥이|동생|막내|둘째|셋째)"
# Other people, on either side of an age: 엄마 35살, 형은 5살, 4살 형. 둘째, 막내 and 동생 are the baby; 첫째
# and 큰애 are the elder sibling in a post that names a younger one, else the baby (18개월 첫째 키우는).
_OTHERS = (
    r"(?:엄마|아빠|남편|신랑|와이프|아내|저|제가|형아?|오빠|누나|언니|조카|사촌|할머니|할아버지|시어머니|"
    r"시아버지|친정엄마|어머니|아버지|친구|산모)"
)
_ELDER = r"(?:첫째|큰애|큰아이|큰딸|큰아들)"
_YOUNGER = re.compile(r"둘째|셋째|작은애|작은아이|동생|막내")
_PARTICLE = r"(?:은|는|이|가|도|랑|이랑|하고|의|이는|나이)?"
_OTHER_BEFORE = re.compile(r"(?<![가-힣])(" + _OTHERS + "|" + _ELDER + r")\s*" + _PARTICLE + r"\s*$")
_OTHER_AFTER = re.compile(
    r"^\s*(?:이고|이라|인데|짜리|된)?\s*(" + _OTHERS + "|" + _ELDER + ")" + _PARTICLE + r"(?![가-힣])"
)
_BIRTH_BEFORE = re.compile(r"(?:생후|태어난\s*지|태어난지|낳은\s*지|출산\s*한\s*지|출산한지|출생)\s*$")
_SINCE_BEFORE = re.compile(r"[가-힣]\s*지\s*$")  # 흘린 지, 다닌지: a duration ...
_PREGNANT_BEFORE = re.compile(r"임신\s*(?:중\s*)?$")
_NOW_BEFORE = re.compile(r"(?:지금|이제|현재|이번\s*달로)\s*(?:막\s*)?(?:딱\s*)?$")
# After the unit: a duration (째, 동안, 만에), a time ago or ahead (전, 후, 뒤), a gap (차이), the past
# (때, 부터), a general statement (전후로, 이후에, 지나면, 까지, 이상), a verb that makes it a duration
# (분유를 3개월 먹였는데), or the time at which something happened (7개월에 이가 났는데).
_NOT_AGE_AFTER = re.compile(
    r"^\s*(?:째|동안|간(?!호)|만에|만이|전(?![화체])|후(?!회)|뒤(?![집척])|이후|이전|차이|부터|까지|넘게|이상|이내|미만|내내|"
    r"(?:쯤|정도|경|무렵)?\s*(?:됐을|되었을|되던|이었을|였을)?\s*때|"
    r"지나면|되면|넘으면|에(?!요)|"
    r"(?:을|를)?\s*(?:먹|발랐|바르|썼|써|다녔|다니|했|하고|키웠|치료|복용|사용|지속|계속))"
)
_LESS_THAN_AFTER = re.compile(r"^\s*(?:도\s*)?안\s*(?:된|됐|되)")  # 1개월도 안된: under a month
_HALF_AFTER = re.compile(r"^\s*반")
_BABY_AFTER = re.compile(r"^\s*(?:된|짜리|차)?\s*" + _BABY)
# A sibling named after an age with an age of its own (첫째 7살 둘째 3살) starts the next item, not this one's.
_NEXT_SIBLING = re.compile(r"^\s*(?:동생|막내|둘째|셋째)[가-힣]?\s*(?:만\s*)?(?:\d|한|두|세|네|다섯|여섯)")
_BABY_BEFORE = re.compile(_BABY + r"\s*(?:가|는|이|이는)?\s*$")
# What may follow 돌 (the first birthday); anything else is the stone, 돌발진, 돌아가다, 돌다 ...
_DOL_AFTER = re.compile(
    r"^(?:\s*(?:아기|애기|아이|아들|딸|남아|여아|저희|우리|쟁이|잔치|지나고|지난|지났|전|후|무렵|즈음|쯤|반|된|됐|되|넘|"
    r"다\s*되|막\s*(?:지나|지난|지났|된|됐)|치레|사진|앞두|인데|이에요|이예요|이네요|이라|이고|이지|이\s*(?:지나|지난|지났|넘)|을\s*앞)"
    r"|아가(?=$|[\s.,!?~ㅠㅜ])|(?=\s*$|\s*[.,!?~ㅠㅜ]))"
)

_DAY_WORDS = {"열흘": 10, "보름": 15}
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year_month", re.compile(_START + r"(\d+)\s*년\s*(\d+)\s*(?:개월|갤)")),
    ("month", re.compile(_START + r"(\d+)(?:\.\d+)?(?:\s*[~\-,]\s*\d+)?\s*(?:개월|개얼|갤)")),
    ("month", re.compile(_START + r"(\d+|" + _NUMERAL + r")\s*달(?![래라리걀콤력러])")),
    ("week", re.compile(_START + r"(\d+)\s*주(?:(?![가-힣])|(?=[차째된]))")),
    ("day", re.compile(_START + r"(\d+)\s*일(?:(?![가-힣])|(?=[차째된의인이에]))")),
    ("day", re.compile(_START + r"(열흘|보름)")),
    ("hundred_days", re.compile(r"백일(?!해)")),
    ("dol", re.compile(r"(?:(?<![가-힣])(첫|두|세|네|\d)\s*|(?<![가-힣]))(?:돌|돐)")),
    ("years", re.compile(_START + r"(?:만\s*)?(\d+)\s*(?:살|세)(?![림결갗짝펴살])")),
    ("years", re.compile(_START + r"(" + _NUMERAL + r")\s*살(?![림결갗짝펴살])")),
    ("newborn", re.compile(r"신생아")),
)
_RANK = {"year_month": 3, "month": 3, "week": 3, "day": 3, "hundred_days": 3, "dol": 2, "years": 2, "newborn": 1}


@dataclass(frozen=True)
class Mention:
    """One age written in a text: where, what it says in months, how specific it is."""

    start: int
    end: int
    months: int
    rank: int  # 3 days, weeks, months; 2 돌, years; 1 신생아; 4 after 지금/이제


def _number(s: str) -> int:
    return int(s) if s.isdigit() else _KOREAN[s]


def _months(kind: str, m: re.Match[str], after: str) -> int:
    half = 6 if _HALF_AFTER.match(after) else 0
    if kind == "year_month":
        return 12 * int(m[1]) + int(m[2])
    if kind == "month":
        return max(_number(m[1]) - 1, 0) if _LESS_THAN_AFTER.match(after) else _number(m[1])
    if kind == "week":
        return int(m[1]) * 7 // 30
    if kind == "day":
        return (_DAY_WORDS.get(m[1]) or int(m[1])) // 30
    if kind == "hundred_days":
        return 3
    if kind == "dol":  # 돌, 첫돌 1; 두돌 2; 3돌 3 ...
        return 12 * (int(m[1]) if m[1] and m[1].isdigit() else {"두": 2, "세": 3, "네": 4}.get(m[1], 1)) + half
    if kind == "years":
        return 12 * _number(m[1]) + half
    return 0


def _other(match: re.Match[str] | None, siblings: bool) -> bool:
    """Is the person named beside an age someone other than the baby (an elder child only beside a younger)?"""
    return match is not None and (siblings or not re.fullmatch(_ELDER, match[1]))


def _is_age(kind: str, m: re.Match[str], before: str, after: str, siblings: bool) -> bool:
    """Does this number and unit state the baby's age (not a duration, the past, someone else's)?"""
    birth = bool(_BIRTH_BEFORE.search(before))
    if _PREGNANT_BEFORE.search(before) or after.lstrip().startswith("산모"):
        return False
    if kind == "newborn":
        return not re.match(r"^\s*때", after)
    owned = bool(_BABY_AFTER.match(after)) and not _NEXT_SIBLING.match(after)
    if (_other(_OTHER_BEFORE.search(before), siblings) and not owned) or _other(_OTHER_AFTER.match(after), siblings):
        return False  # 엄마 35살, 4살 형; but 35살 엄마 6개월 아기
    if kind == "dol":  # a counted 돌 (두 돌, 3돌, 첫돌) is the birthday unless a word is written onto it
        counted = m[1] is not None and not re.match(r"^[가-힣]", after)
        return (counted or bool(_DOL_AFTER.match(after))) and not re.match(r"^\s*(?:때|지나면|되면|까지)", after)
    if birth and re.match(r"^\s*(?:째|차)", after):
        return True  # 생후 3일째: the age in days
    if _NOT_AGE_AFTER.match(after) or (not birth and _SINCE_BEFORE.search(before)):
        return False
    if kind in ("week", "day") and not birth:
        # 3주 됐어요, 20일, 3일째 are durations and dates; a count of days or weeks is an age only
        # next to a baby (3주된 아기, 50일 아기) or, for days, in the hundreds (100일의 기적, 300일 된).
        return bool(_BABY_AFTER.match(after) or _BABY_BEFORE.search(before)) or (
            kind == "day" and m[1].isdigit() and 40 <= int(m[1]) <= 1000 and not re.search(r"월\s*$", before)
        )
    return True


def mentions(text: str) -> list[Mention]:
    """Every age the text states for the baby, in the order written."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    siblings = bool(_YOUNGER.search(text))
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(start < e and s < end for s, e in taken):
                continue
            before, after = text[max(0, start - 12) : start], text[end : end + 14]
            if not _is_age(kind, m, before, after, siblings):
                continue
            months = _months(kind, m, after)
            if months > MAX_MONTHS:
                continue
            rank = 4 if _NOW_BEFORE.search(before) else _RANK[kind]
            taken.append((start, end))
            found.append(Mention(start, end, months, rank))
    return sorted(found, key=lambda x: x.start)


def baby_age_months(text: str | None) -> int | None:
    """The baby's age in months the text states: the most specific mention, then the first; None if none."""
    found = mentions(" ".join(text.split())) if text else []
    if not found:
        return None
    best = max(found, key=lambda x: (x.rank, -x.start))
    return best.months


def age_band(months: int | None) -> str | None:
    """The band of posts_dim.baby_age_band (신생아 under a month, ..., 37개월+ past three years)."""
    if months is None:
        return None
    for upper, label in BANDS:
        if upper is None or months <= upper:
            return label
    raise AssertionError("unreachable: the last band is open")


def ages(texts: Iterable[str | None]) -> list[int | None]:
    return [baby_age_months(t) for t in texts]
