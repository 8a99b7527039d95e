"""Fixtures of the collection tests."""

from __future__ import annotations

import pytest

from tests.functional.collect.collect_helpers import TinyCorpus


@pytest.fixture
def tiny_corpus() -> TinyCorpus:
    return TinyCorpus()
