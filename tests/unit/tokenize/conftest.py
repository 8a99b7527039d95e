from __future__ import annotations

import pytest

from cafelake.tokenize.analyzer import analyzer


@pytest.fixture(scope="session")
def kiwi_analyzer(settings):
    """The process's one Analyzer: Kiwi loads once per test session."""
    return analyzer(settings.tokenizer)


@pytest.fixture
def tokens_of(kiwi_analyzer):
    def run(text: str) -> list[tuple[str, str, bool]]:
        return next(kiwi_analyzer.tokenize([text]))

    return run
