"""Who posts: a heavy-tailed (truncated zeta) number of posts per author.

Most authors post once, most repeat posters post 2-3 times, a few post dozens of times.
Each author's posts are scattered over the year by one seeded permutation of "slots"
(one int32 per post: 4 MB for a million posts).
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

import numpy as np

AUTHOR_EXPONENT = 2.5  # P(author writes k posts) ∝ k^-2.5, k = 1..AUTHOR_MAX_POSTS
AUTHOR_MAX_POSTS = 150


def posts_per_author_pmf() -> np.ndarray:
    k = np.arange(1, AUTHOR_MAX_POSTS + 1, dtype=float)
    p = k**-AUTHOR_EXPONENT
    return p / p.sum()


def author_slots(posts: int, seed: int) -> np.ndarray:
    """The author (0..n-1) of each post in global post order."""
    rng = np.random.Generator(np.random.PCG64([seed, 0xA17]))
    pmf = posts_per_author_pmf()
    mean = float((np.arange(1, len(pmf) + 1) * pmf).sum())
    counts = rng.choice(np.arange(1, len(pmf) + 1), size=int(posts / mean * 1.3) + 64, p=pmf)
    while counts.sum() < posts:  # practically never: the draw above has 30 % headroom
        counts = np.concatenate([counts, rng.choice(np.arange(1, len(pmf) + 1), size=64, p=pmf)])
    slots = np.repeat(np.arange(len(counts), dtype=np.int32), counts)[:posts]
    return rng.permutation(slots)


_ADJECTIVES = (
    "행복한",
    "사랑스런",
    "씩씩한",
    "초보",
    "꿈꾸는",
    "늘봄",
    "햇살",
    "달콤한",
    "졸린",
    "부지런한",
    "든든한",
    "웃는",
    "포근한",
    "반짝",
)
_NAMES = (
    "쭈니",
    "하준",
    "서아",
    "도윤",
    "지아",
    "민준",
    "하린",
    "시우",
    "이안",
    "유나",
    "콩이",
    "복덩이",
    "튼튼이",
    "토리",
    "라온",
    "다온",
    "봄이",
    "별이",
    "꿀떡이",
    "뽀송이",
    "지유",
    "로운",
    "아린",
    "준이",
)
_ROLES = ("맘", "맘", "맘", "엄마", "아빠", "대디", "맘♥", "마미")


@lru_cache(maxsize=8192)
def author_identity(seed: int, author: int) -> tuple[str, str]:
    """(memberKey, nickname): an opaque key and a Korean nickname like 행복한맘 or 쭈니맘123."""
    digest = hashlib.blake2b(f"{seed}:{author}".encode(), digest_size=24).digest()
    member_key = base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")
    b = digest[16:]
    number = str(int.from_bytes(b[4:6], "big") % 9999 + 1) if b[3] % 3 else ""
    if b[0] % 3 == 0:
        nick = _ADJECTIVES[b[1] % len(_ADJECTIVES)] + _ROLES[b[2] % len(_ROLES)]
    else:
        nick = _NAMES[b[1] % len(_NAMES)] + _ROLES[b[2] % len(_ROLES)] + number
    return member_key, nick
