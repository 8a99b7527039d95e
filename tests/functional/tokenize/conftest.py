"""Cleansed posts built directly with the POSTS schema, from hand-written Korean text."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest

from cafelake.schemas import POSTS
from cafelake.sources.base import post_id
from cafelake.tokenize.analyzer import analyzer


@pytest.fixture(scope="session")
def kiwi_analyzer(settings):
    """The process's one Analyzer: Kiwi loads once per test session."""
    return analyzer(settings.tokenizer)


SOURCE = "naver_cafe"


def posts_table(rows: list[tuple[int, str | None, str]], club_id: str = "10050146") -> pa.Table:
    """cleansed/posts rows (with dt) from (article_id, question_text, KST date 'YYYY-MM-DD')."""
    out = []
    for article_id, text, day in rows:
        d = date.fromisoformat(day)
        posted = datetime(d.year, d.month, d.day, 1, 0, tzinfo=UTC) + timedelta(minutes=article_id % 600)
        title, _, content = (text or "").partition(" ")
        out.append(
            {
                "post_id": post_id(SOURCE, club_id, article_id),
                "source": SOURCE,
                "club_id": club_id,
                "menu_id": "386",
                "article_id": article_id,
                "url": f"https://cafe.naver.com/x/{article_id}",
                "title": title,
                "content": content,
                "question_text": text,
                "raw_date": posted.isoformat(),
                "posted_at": posted,
                "post_date": d,
                "post_hour": (posted.hour + 9) % 24,
                "author_key": f"a{article_id % 7}",
                "read_count": article_id % 100,
                "comment_count": article_id % 5,
                "content_hash": hashlib.sha256((text or "").encode()).hexdigest(),
                "fetched_at": posted + timedelta(days=1),
                "ingest_dt": day,
                "text_truncated": False,
                "dt": day,
            }
        )
    return pa.Table.from_pylist(out, schema=POSTS.schema.append(pa.field("dt", pa.string())))


@pytest.fixture
def make_posts():
    return posts_table


# Hand-written board posts: the traps of the old substring match (피부/피, 토요일/토,
# 열심히/열, 태열/열), user-dictionary words, lemmas, synonyms, the context rules, an empty and a null text.
SAMPLE = [
    (101, "아기 피부가 오돌토돌해요 태열인가요? 보습을 열심히 해주는데도 그래요", "2024-03-01"),
    (102, "토요일에 병원 갔는데 수족구래요 물집이 손발에 생겼어요", "2024-03-01"),
    (103, "열이 38도까지 올라서 해열제 먹였어요 응급실 가야 할까요", "2024-03-01"),
    (104, "애기가 분유 먹고 토했어요 게워내는 양이 많아요", "2024-03-02"),
    (105, "변에 피가 섞여 나왔어요 혈변이면 소아과 가야 하나요", "2024-03-02"),
    (106, "모세기관지염으로 입원했다가 퇴원했는데 기침이 계속돼요 가래도 있어요", "2024-03-02"),
    (107, "돌발진 같아요 열 내리고 발진이 올라왔어요", "2024-03-03"),
    (108, "땀띠인지 두드러기인지 모르겠어요 가렵고 부었어요", "2024-03-03"),
    (109, "콧물 코막힘 때문에 밤에 잠을 못 자요 RSV 검사 받았어요", "2024-03-03"),
    (110, "알러지 검사 결과 계란 알레르기래요 아토피도 있대요", "2024-03-04"),
    (111, "물똥을 하루에 다섯 번 싸요 설사 멈추는 방법 있을까요", "2024-03-04"),
    (112, "세기관지염 진단 받고 네블라이저 하고 있어요 중이염도 같이 왔대요", "2024-03-05"),
    (113, "지루성 피부염인지 각질이 많이 일어나요 건조해서 그런가요", "2024-03-05"),
    (114, "BCG 접종 부위가 곪았어요 정상인가요", "2024-03-06"),
    (115, "", "2024-03-06"),
    (116, None, "2024-03-06"),
    (117, "독감 걸려서 타미플루 처방 받았어요 고열이 안 떨어져요", "2024-04-01"),
    (118, "피곤해서 열심히 못 놀아줬어요 토요일마다 외출해요", "2024-04-01"),
    # the board's phrasings the context rules read (tokenize/rules.py)
    (119, "열 38도 넘어요 설사 했어요 열 살 오빠는 괜찮아요", "2024-04-02"),
    (120, "토/일 진료하는 소아과 있나요 코가 막혀서 잠을 못자요", "2024-04-02"),
    (121, "방이 건조해서 가습기 틀었는데 새벽에 39도 찍었어요", "2024-04-02"),
]


@pytest.fixture
def sample_rows():
    return list(SAMPLE)
