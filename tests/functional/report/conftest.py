"""The report tests' lake: a small, seeded mart written straight into a lake (no Kiwi needed).

Posts lean to the evening, authors repeat, tokens carry keyword-group words with one
token rising in the last weeks; token_tfidf is filled by the project's own SQL TF-IDF
view (v_tfidf_sql), so no score here is made up.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pyarrow as pa
import pytest

from cafelake.config import keyword_groups
from cafelake.lake import Lake
from cafelake.schemas import (KEYWORD_GROUPS_DIM, KEYWORDS_DICTIONARY, POST_KEYWORD_GROUPS, POSTS_DIM,
                              TOKEN_TFIDF, TOKENS_FACT, conform)

KST = timezone(timedelta(hours=9))
HOUR_WEIGHTS = np.array([2, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 6, 8, 10, 11, 6], float)
VOCAB = ["아기", "열", "기침", "콧물", "병원", "피부", "건조", "각질", "설사", "변", "토", "해열제", "두드러기",
         "수족구", "중이염", "가래", "발진", "땀띠", "태열", "아토피", "로션", "보습", "어린이집", "이유식", "잠"]
RISING = "수족구"


def write_mart(lake: Lake, *, posts: int = 900, days: int = 150, end: date = date(2026, 6, 30), seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    start = end - timedelta(days=days - 1)
    authors = [f"a{i:04d}" for i in range(int(posts * 0.55))]
    author_weights = 1 / np.arange(1, len(authors) + 1) ** 0.6
    post_rows, token_rows = [], []
    for i in range(posts):
        day = start + timedelta(days=int(rng.integers(0, days)))
        hour = int(rng.choice(24, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum()))
        local = datetime(day.year, day.month, day.day, hour, int(rng.integers(0, 60)), tzinfo=KST)
        weights = np.ones(len(VOCAB))
        if (end - day).days < 28:
            weights[VOCAB.index(RISING)] = 12
        tokens = list(rng.choice(VOCAB, size=int(rng.integers(4, 12)), p=weights / weights.sum()))
        post_id = f"10050146-{100000 + i}"
        post_rows.append({
            "post_id": post_id, "club_id": "10050146", "menu_id": "386", "url": f"https://cafe.naver.com/x/{i}",
            "title": " ".join(tokens[:2]), "content": " ".join(tokens), "question_text": " ".join(tokens),
            "raw_date": f"{local:%Y.%m.%d. %H:%M}", "posted_at": local.astimezone(timezone.utc), "post_date": day,
            "post_hour": hour, "post_year": day.year, "post_month": day.month,
            "author_key": str(rng.choice(authors, p=author_weights / author_weights.sum())),
            "read_count": int(rng.integers(0, 500)), "comment_count": int(rng.integers(0, 10)),
            "token_count": len(tokens), "content_hash": f"h{i}", "dt": day.isoformat(),
        })
        token_rows += [{"post_id": post_id, "token_position": k, "token": t, "token_pos": "NNG",
                        "is_stopword": t == "아기", "dt": day.isoformat()} for k, t in enumerate(tokens)]
    lake.write_table(POSTS_DIM, conform(pa.Table.from_pylist(post_rows), POSTS_DIM))
    lake.write_table(TOKENS_FACT, conform(pa.Table.from_pylist(token_rows), TOKENS_FACT))
    groups = keyword_groups()
    lake.write_table(KEYWORD_GROUPS_DIM, conform(pa.Table.from_pylist(
        [{"group_id": g.group_id, "group_name": g.group_name, "display_name": g.display_name,
          "description": g.description} for g in groups]), KEYWORD_GROUPS_DIM))
    lake.write_table(KEYWORDS_DICTIONARY, conform(pa.Table.from_pylist(
        [{"keyword": k, "group_id": g.group_id, "is_stopword": False} for g in groups for k in g.keywords]),
        KEYWORDS_DICTIONARY))
    by_post: dict[str, set[str]] = {}
    dts = {p["post_id"]: p["dt"] for p in post_rows}
    for t in token_rows:
        by_post.setdefault(t["post_id"], set()).add(t["token"])
    memberships = [{"post_id": pid, "group_id": g.group_id, "matched_keywords": sorted(toks & set(g.keywords)),
                    "dt": dts[pid]} for pid, toks in by_post.items() for g in groups if toks & set(g.keywords)]
    lake.write_table(POST_KEYWORD_GROUPS, conform(pa.Table.from_pylist(memberships), POST_KEYWORD_GROUPS))

    from cafelake.athena.local import LocalAthena

    with LocalAthena(lake) as engine:
        tfidf = engine.query("SELECT * FROM v_tfidf_sql WHERE rank <= 100")
    lake.write_table(TOKEN_TFIDF, conform(pa.Table.from_pandas(tfidf, preserve_index=False), TOKEN_TFIDF))


@pytest.fixture(scope="session")
def mart_lake(tmp_path_factory) -> Lake:
    lake = Lake(str(tmp_path_factory.mktemp("report-lake")))
    write_mart(lake)
    return lake
