"""Cleansed posts built directly with the POSTS schema, from hand-written Korean text."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest

from cafelake.schemas import POSTS
from cafelake.tokenize.analyzer import analyzer


@pytest.fixture(scope="session")
def kiwi_analyzer():
    """The process's one Analyzer: Kiwi loads once per test session."""
    return analyzer()


def posts_table(rows: list[tuple[int, str | None, str]], club_id: str = "10050146") -> pa.Table:
    """cleansed/posts rows (with dt) from (article_id, question_text, KST date 'YYYY-MM-DD')."""
    out = []
    for article_id, text, day in rows:
        d = date.fromisoformat(day)
        posted = datetime(d.year, d.month, d.day, 1, 0, tzinfo=UTC) + timedelta(minutes=article_id % 600)
        title, _, content = (text or "").partition(" ")
        out.append({
            "post_id": f"{club_id}-{article_id}", "source": "naver_cafe", "club_id": club_id, "menu_id": "386",
            "article_id": article_id, "url": f"https://cafe.naver.com/x/{article_id}", "title": title,
            "content": content, "question_text": text, "raw_date": posted.isoformat(), "posted_at": posted,
            "post_date": d, "post_hour": (posted.hour + 9) % 24, "author_key": f"a{article_id % 7}",
            "read_count": article_id % 100, "comment_count": article_id % 5,
            "content_hash": hashlib.sha256((text or "").encode()).hexdigest(),
            "fetched_at": posted + timedelta(days=1), "ingest_dt": day, "dt": day,
        })
    return pa.Table.from_pylist(out, schema=POSTS.schema.append(pa.field("dt", pa.string())))


@pytest.fixture
def make_posts():
    return posts_table
