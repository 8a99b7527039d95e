"""One default-sized corpus (20,000 posts, seed 42) shared by the distribution tests."""

from __future__ import annotations

import pytest

from cafelake.sources.naver_cafe.corpus import Corpus


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return Corpus()


@pytest.fixture(scope="session")
def articles(corpus):
    return list(corpus.iter_articles())
