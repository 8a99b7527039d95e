"""The report tests' lake, built once by the real pipeline: corpus -> raw -> cleanse -> tokenize.

1,500 questions over 120 days: enough months for the cohort heatmap and enough weeks for
the rising tokens, small enough for Kiwi to take seconds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cafelake.cleanse.authors import create_key
from cafelake.cleanse.job import run_cleanse
from cafelake.collect.seed import seed_raw
from cafelake.lake import Lake
from cafelake.sources.naver_cafe.corpus.sample import Corpus
from cafelake.tokenize.job import run_tokenize


@pytest.fixture(scope="session")
def report_lake(tmp_path_factory) -> Lake:
    lake = Lake(str(tmp_path_factory.mktemp("report-lake")))
    corpus = Corpus(posts=1500, days=120, end_date=date(2026, 10, 31))
    seed_raw(lake, corpus, run_id="report-test", fetched_at=datetime(2026, 11, 1, tzinfo=UTC))
    create_key(lake)  # as `cafelake init` does
    cleansed = run_cleanse(lake)
    assert cleansed.cleansed > 1000, cleansed
    run_tokenize(lake)
    return lake
