"""cafelake: collect, cleanse, analyse and serve Korean community Q&A posts."""

__version__ = "0.1.0"
