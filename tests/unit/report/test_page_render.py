"""report.html shows Hangul in a browser that has no Korean font: its headings, drawn by headless Chromium.

Chromium runs with a fontconfig that offers one Latin font only, so every Hangul glyph on the screenshot
comes from the page's embedded font or is tofu. Tofu boxes are all alike: two different words of the same
length give the same pixels; real Hangul gives different ones. `make test` installs Chromium where it
can (Makefile, `chromium`); elsewhere this test is skipped and says why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.image import imread

from cafelake.report.html import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH: `make chromium` installs it (root with apt-get)"
)


def _screenshot(tmp_path: Path, name: str, page: str) -> np.ndarray:
    """The page rendered by headless Chromium whose only font is DejaVu Sans (Latin, no Hangul); greyscale pixels.

    The font is matplotlib's copy, so the test does not depend on the fonts this machine has (Chromium
    draws nothing at all without a single font).
    """
    fonts = tmp_path / "fonts"
    fonts.mkdir(exist_ok=True)
    shutil.copy(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf", fonts)
    (tmp_path / "fonts.conf").write_text(
        f'<?xml version="1.0"?><fontconfig><dir>{fonts}</dir><cachedir>{tmp_path / "fc-cache"}</cachedir></fontconfig>'
    )
    (tmp_path / f"{name}.html").write_text(page, encoding="utf-8")
    png = tmp_path / f"{name}.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=700,160",
            f"--screenshot={png}",
            (tmp_path / f"{name}.html").as_uri(),
        ],
        env={"FONTCONFIG_FILE": str(tmp_path / "fonts.conf"), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        timeout=120,
        check=True,
    )
    return imread(png)[..., :3].mean(axis=2)


def _heading(style: str, text: str) -> str:
    head = f'<head><meta charset="utf-8"><style>{style}</style></head>'
    return f"<!DOCTYPE html><html>{head}<body><h1>{text}</h1></body></html>"


def test_report_headings_render_hangul_glyphs_not_tofu(tmp_path):
    page = write_report([], tmp_path / "report").read_text(encoding="utf-8")  # the page's own header: 질문 게시판 분석
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    embedded = [_screenshot(tmp_path, f"font-{w}", _heading(style, w)) for w in ("질문", "분석")]
    missing = [
        _screenshot(tmp_path, f"none-{w}", _heading("h1 { font-family: no-such-font; }", w)) for w in ("질문", "분석")
    ]

    # The control: without the embedded font this browser has no Hangul, and both words draw alike (tofu boxes).
    assert np.array_equal(missing[0], missing[1])
    # With it, the two words are two different shapes, and there is ink on the page.
    assert all((shot < 0.5).sum() > 200 for shot in embedded)
    assert (np.abs(embedded[0] - embedded[1]) > 0.5).sum() > 200
