"""The cleanse stage's settings file, `cleanse.yaml` (CAFELAKE_CONFIG_DIR overrides it).

The local command, the demo and the Glue job all read it through `Settings.cleanse`, so a
user sets the rules in one place; the values go into the cleanse manifest, and a change
makes the next run a full rebuild (every post then follows the same rules).
"""

from __future__ import annotations

from pydantic import Field, StrictBool, StrictInt

from cafelake.cleanse.transform import CleanseConfig
from cafelake.config import ConfigFiles, FileModel

FILE = "cleanse.yaml"
_DEFAULTS = CleanseConfig()


class CleanseFile(FileModel):
    """cleanse.yaml; a key left out keeps CleanseConfig's default."""

    keep_jamo: StrictBool = _DEFAULTS.keep_jamo
    max_text_chars: StrictInt = Field(_DEFAULTS.max_text_chars, gt=0)


def load_config(files: ConfigFiles) -> CleanseConfig:
    """cleanse.yaml as a CleanseConfig; unknown keys and wrong types are a ConfigError naming the key."""
    return CleanseConfig(**files.load(FILE, CleanseFile).model_dump())
