"""Tokenize: Kiwi morphological analysis, keyword groups, TF-IDF and the mart."""

from cafelake.tokenize.job import TokenizeSummary, run_tokenize

__all__ = ["TokenizeSummary", "run_tokenize"]
