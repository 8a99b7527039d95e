"""The cleanse stage's settings file, `cleanse.yaml` (CAFELAKE_CONFIG_DIR overrides it).

The local command, the demo and the Glue job all read it through `run_cleanse`, so a
user sets the rules in one place; the values go into the cleanse manifest, and a change
makes the next run a full rebuild (every post then follows the same rules).
"""

from __future__ import annotations

from dataclasses import fields

from cafelake.cleanse.transform import CleanseConfig
from cafelake.config import load_yaml

FILE = "cleanse.yaml"


def load_config() -> CleanseConfig:
    """cleanse.yaml as a CleanseConfig; unknown keys and wrong types fail loudly, not silently."""
    values = load_yaml(FILE)
    known = {f.name for f in fields(CleanseConfig)}
    if unknown := sorted(set(values) - known):
        raise ValueError(f"{FILE}: unknown settings {unknown}; known: {sorted(known)}")
    cfg = CleanseConfig(**values)
    if not isinstance(cfg.keep_jamo, bool):
        raise ValueError(f"{FILE}: keep_jamo must be true or false, got {cfg.keep_jamo!r}")
    if isinstance(cfg.max_text_chars, bool) or not isinstance(cfg.max_text_chars, int) or cfg.max_text_chars < 1:
        raise ValueError(f"{FILE}: max_text_chars must be a positive integer, got {cfg.max_text_chars!r}")
    return cfg
