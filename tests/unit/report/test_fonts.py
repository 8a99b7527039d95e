"""The Korean font: installed from the package registry, and the file matplotlib uses for Hangul."""

from __future__ import annotations

import importlib.metadata
import warnings
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font

from cafelake.report import fonts

HANGUL = "피부 오돌토돌 각질 · 아기 열 38.5도 ㅠㅠ"


def _render_warnings(rc: dict) -> list[str]:
    with matplotlib.rc_context(rc):
        fig = Figure()
        ax = fig.subplots()
        ax.set_title(HANGUL)
        ax.set_xlabel("시간대 (KST)")
        ax.bar(["열", "기침"], [3, -1])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(Path("/dev/null"), format="png")
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_font_file_comes_from_the_installed_package():
    files = importlib.metadata.files("koreanize-matplotlib") or []
    installed = {Path(str(f.locate())).resolve() for f in files if str(f).endswith(".ttf")}
    assert fonts.font_path().resolve() in installed


def test_the_font_file_has_hangul_glyphs():
    face = FT2Font(str(fonts.font_path()))
    assert all(face.get_char_index(ord(ch)) != 0 for ch in HANGUL if not ch.isspace() and ord(ch) > 0x1100)


def test_matplotlib_resolves_the_korean_family_and_the_default_font_to_the_packaged_file():
    family = fonts.register()
    assert findfont(FontProperties(family=family), fallback_to_default=False) == str(fonts.font_path())
    with matplotlib.rc_context(fonts.rc()):
        assert findfont(FontProperties()) == str(fonts.font_path())


def test_hangul_renders_without_missing_glyphs_only_with_the_korean_font():
    assert _render_warnings(fonts.rc()) == []
    # the same check catches tofu: matplotlib's own default font has no Hangul
    assert _render_warnings({"font.family": ["DejaVu Sans"]})
