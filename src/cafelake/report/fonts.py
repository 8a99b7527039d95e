"""The Korean font for charts: NanumGothic, shipped by the koreanize-matplotlib package.

We locate its TTF files without importing the package (its import mutates global
rcParams and pulls in distutils) and register them with matplotlib's font manager
ourselves, so Hangul never renders as tofu boxes and nothing depends on a system font.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

FONT_PACKAGE = "koreanize_matplotlib"
FAMILY = "NanumGothic"
REGULAR = "NanumGothic.ttf"


def font_dir() -> Path:
    """Folder of the packaged Nanum fonts; a clear error if the package is missing."""
    spec = importlib.util.find_spec(FONT_PACKAGE)  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the Korean font package is not installed: pip install koreanize-matplotlib==0.1.1")
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    if not (folder / REGULAR).is_file():
        raise RuntimeError(f"{folder / REGULAR} is missing: reinstall koreanize-matplotlib")
    return folder


def font_path() -> Path:
    """The regular NanumGothic TTF: the file matplotlib must pick for Hangul."""
    return font_dir() / REGULAR


@cache
def register() -> str:
    """Add every packaged Nanum TTF to matplotlib's font manager (once); return the family name."""
    from matplotlib import font_manager

    for ttf in sorted(font_dir().glob("*.ttf")):
        font_manager.fontManager.addfont(str(ttf))
    return FAMILY


def rc() -> dict[str, object]:
    """rcParams for Hangul charts: Nanum first, DejaVu Sans as per-glyph fallback (e.g. '−')."""
    return {"font.family": [register(), "DejaVu Sans"], "axes.unicode_minus": False}
