"""A realistic mart built directly with the schemas: seeded, several months, several groups.

It stands in for the tokenize stage's output where the views and checks are tested, so
these tests do not depend on Kiwi; `test_pipeline.py` runs the same views on the real
pipeline's output when that stage is available.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pyarrow as pa
import pytest

from cafelake.lake import Lake
from cafelake.settings import Settings
from cafelake.tokenize.age import age_band
from cafelake.tokenize.mart import token_daily_counts

_KST = timezone(timedelta(hours=9))
_POS = ["NNG", "NNP", "VA", "XR", "SL"]
_FILLER = [
    "아기",
    "생후",
    "개월",
    "오늘",
    "밤",
    "엄마",
    "걱정",
    "어린이집",
    "분유",
    "이유식",
    "낮잠",
    "가렵다",
    "붓다",
    "RSV",
    "BCG",
    "목",
    "배",
    "얼굴",
    "손",
    "발",
    "다리",
    "등",
    "머리",
    "눈",
    "귀",
]
_STOPWORDS = ["것", "거", "수", "요", "때", "좀"]
_RARE = [f"드문말{i}" for i in range(40)]  # in a few posts each: below the mean TF-IDF ranking's minimum df


def build_mart(
    lake: Lake, *, posts: int = 1500, seed: int = 7, start: date = date(2025, 9, 1), days: int = 150
) -> dict[str, pa.Table]:
    """Write posts, posts_dim, tokens_fact (and its daily counts), groups, keywords and pkg tables; return them."""
    rng = np.random.default_rng(seed)
    rare = np.random.default_rng(seed + 1)  # its own stream: the other draws stay as they were
    ages = np.random.default_rng(seed + 2)  # the baby's age (null for a third of the posts), its own stream too
    groups, body_parts = Settings.load({}).keyword_groups, Settings.load({}).body_parts
    parts_of = {kw: p for p in body_parts for kw in p.keywords}
    keywords = {kw: g.group_id for g in groups for kw in g.keywords}
    vocab = sorted(set(_FILLER) | set(keywords))
    # hour weights with an evening peak at 21-22 KST
    hour_w = np.array([3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 7, 8, 12, 12, 7], float)
    hours = rng.choice(24, size=posts, p=hour_w / hour_w.sum())
    day_offsets = np.sort(rng.integers(0, days, size=posts))
    n_authors = posts // 2
    authors = rng.choice(n_authors, size=posts, p=(w := 1 / np.arange(1, n_authors + 1) ** 0.6) / w.sum())

    rows, tokens, pkg, pbp = [], [], [], []
    for i in range(posts):
        d = start + timedelta(days=int(day_offsets[i]))
        local = datetime(d.year, d.month, d.day, int(hours[i]), int(rng.integers(60)), tzinfo=_KST)
        post_id = f"naver_cafe:10050146:{1000 + i * 3}"
        words = list(rng.choice(vocab, size=int(rng.integers(0, 25))))
        words += list(rng.choice(_STOPWORDS, size=int(rng.integers(0, 4))))
        rng.shuffle(words)
        words += list(rare.choice(_RARE, size=int(rare.random() < 0.06)))
        for pos, w in enumerate(words):
            tag = "NNG" if w in keywords or w in _STOPWORDS or w in _RARE else _POS[vocab.index(w) % len(_POS)]
            tokens.append(
                {
                    "post_id": post_id,
                    "token_position": pos,
                    "token": str(w),
                    "token_pos": tag,
                    "is_stopword": w in _STOPWORDS,
                    "dt": d.isoformat(),
                }
            )
        matched: dict[int, list[str]] = {}
        for w in dict.fromkeys(words):
            if w in keywords:
                matched.setdefault(keywords[w], []).append(str(w))
        pkg += [
            {"post_id": post_id, "group_id": gid, "matched_keywords": kws, "dt": d.isoformat()}
            for gid, kws in sorted(matched.items())
        ]
        named: dict[int, list[str]] = {}
        for w in dict.fromkeys(words):
            if w in parts_of:
                named.setdefault(parts_of[w].group_id, []).append(str(w))
        pbp += [
            {
                "post_id": post_id,
                "part_id": pid,
                "part_name": next(p.group_name for p in body_parts if p.group_id == pid),
                "display_name": next(p.display_name for p in body_parts if p.group_id == pid),
                "matched_keywords": kws,
                "dt": d.isoformat(),
            }
            for pid, kws in sorted(named.items())
        ]
        months = None if ages.random() < 0.3 else int(ages.integers(0, 60))
        rows.append(
            {
                "post_id": post_id,
                "source": "naver_cafe",
                "club_id": "10050146",
                "menu_id": "386",
                "article_id": 1000 + i * 3,
                "url": f"https://cafe.naver.com/x/{1000 + i * 3}",
                "title": f"질문 {i}",
                "content": " ".join(map(str, words)),
                "question_text": " ".join(map(str, words)),
                "raw_date": local.strftime("%Y.%m.%d. %H:%M"),
                "posted_at": local.astimezone(UTC),
                "post_date": d,
                "post_hour": int(hours[i]),
                "time_known": True,
                "post_year": d.year,
                "post_month": d.month,
                "author_key": f"a{authors[i]:05d}",
                "read_count": int(rng.integers(0, 500)),
                "comment_count": int(rng.integers(0, 4)),
                "token_count": len(words),
                "content_hash": f"h{i}",
                "baby_age_months": months,
                "baby_age_band": age_band(months),
                "fetched_at": datetime(2026, 2, 1, tzinfo=UTC),
                "ingest_dt": "2026-02-01",
                "text_truncated": False,
                "dt": d.isoformat(),
            }
        )
    out = {
        "posts": pa.Table.from_pylist(rows),
        "posts_dim": pa.Table.from_pylist(rows),
        "tokens_fact": pa.Table.from_pylist(tokens),
        "token_daily_counts": token_daily_counts(pa.Table.from_pylist(tokens)),
        "post_keyword_groups": pa.Table.from_pylist(pkg),
        "post_body_parts": pa.Table.from_pylist(pbp),
        "keyword_groups_dim": pa.Table.from_pylist(
            [
                {
                    "group_id": g.group_id,
                    "group_name": g.group_name,
                    "display_name": g.display_name,
                    "description": g.description,
                }
                for g in groups
            ]
        ),
        "keywords_dictionary": pa.Table.from_pylist(
            [{"keyword": k, "group_id": v, "is_stopword": False} for k, v in keywords.items()]
        ),
    }
    for name, tbl in out.items():
        lake.write_table(name, tbl)
    return out


@pytest.fixture(scope="module")
def mart_lake(tmp_path_factory) -> Lake:
    """A lake holding the synthetic mart (read-only for the tests using it)."""
    lake = Lake(str(tmp_path_factory.mktemp("mart")))
    build_mart(lake)
    return lake


@pytest.fixture
def small_mart(tmp_path) -> tuple[Lake, dict[str, pa.Table]]:
    """A small mart of its own, for tests that plant faults in it."""
    lake = Lake(str(tmp_path / "lake"))
    return lake, build_mart(lake, posts=200, days=20)


@pytest.fixture
def mart_builder():
    """`build_mart`, for tests that write a mart at a moment of their choosing."""
    return build_mart


@pytest.fixture(scope="session")
def pipeline_corpus():
    """The sample board the pipeline lake is built from (its truth: what the generator planted)."""
    from cafelake.sources.naver_cafe.corpus.sample import Corpus

    return Corpus(posts=2000, days=120, end_date=date(2026, 10, 31))


@pytest.fixture(scope="session")
def pipeline_lake(tmp_path_factory, pipeline_corpus) -> Lake:
    """A lake built by the real pipeline: sample corpus -> raw -> cleanse -> tokenize (Kiwi)."""
    from cafelake.cleanse.authors import create_key
    from cafelake.cleanse.job import run_cleanse
    from cafelake.collect.seed import seed_raw
    from cafelake.tokenize.job import run_tokenize

    lake = Lake(str(tmp_path_factory.mktemp("pipeline")))
    corpus = pipeline_corpus
    seed_raw(lake, corpus, run_id="athena-test", fetched_at=datetime(2026, 11, 1, tzinfo=UTC))
    create_key(lake)  # as `cafelake init` does
    assert run_cleanse(lake).cleansed > 1500
    run_tokenize(lake)
    return lake
