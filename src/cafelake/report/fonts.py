"""The Korean font for charts and the page: NanumGothic, shipped by the koreanize-matplotlib package.

We locate its TTF files without importing the package (its import mutates global
rcParams and pulls in distutils) and register them with matplotlib's font manager
ourselves, so Hangul never renders as tofu boxes and nothing depends on a system font.
The HTML report embeds the same font, cut down by fontTools (matplotlib's own dependency)
to the characters the page uses, so its headings read in a browser without Korean fonts.
"""

from __future__ import annotations

import base64
import importlib.util
import io
from functools import cache
from pathlib import Path

FONT_PACKAGE = "koreanize_matplotlib"
FAMILY = "NanumGothic"
REGULAR = "NanumGothic.ttf"
BOLD = "NanumGothicBold.ttf"
PAGE_FAMILY = "cafelake-hangul"  # the embedded subset's own name: no installed font of the same name shadows it


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


def subset(ttf: Path, text: str) -> bytes:
    """The TrueType font `ttf` cut down to the glyphs of `text`'s characters (a few KB for a page of Hangul)."""
    from fontTools import subset as ft_subset

    options = ft_subset.Options()
    options.flavor = None  # plain TTF: WOFF2 would need brotli, and the page is small either way
    options.drop_tables += ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]  # hinting sources: of no use to a browser
    font = ft_subset.load_font(str(ttf), options)
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    ft_subset.save_font(font, out, options)
    return out.getvalue()


def font_face_css(text: str) -> str:
    """@font-face rules for PAGE_FAMILY: NanumGothic regular and bold as data URLs, each cut to `text`."""
    rules = []
    for name, weight in ((REGULAR, "normal"), (BOLD, "bold")):
        data = base64.b64encode(subset(font_dir() / name, text)).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{PAGE_FAMILY}"; font-weight: {weight}; '
            f'src: url(data:font/ttf;base64,{data}) format("truetype"); }}'
        )
    return "\n".join(rules)
