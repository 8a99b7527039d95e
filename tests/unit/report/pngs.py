"""Whether a chart PNG shows data, shared by the unit and functional report tests.

Counting non-white pixels is not enough: axes, ticks, labels and a title with no data
already ink about 1.6% of a figure. The report draws its furniture in greys (black to
white) and every data mark in colour, so a chart shows data when enough pixels are coloured.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.image import imread

CHROMA = 0.1  # max - min channel: 0 for greys, 0.14 for the palest data colour (charts.MUTED)
MIN_SHARE = 0.002  # of the figure's pixels: a few bars or one thin line are well above


def data_share(png: str | Path) -> float:
    """Share of the pixels in a data colour (not grey)."""
    pixels = imread(png)[..., :3]
    return float(((pixels.max(axis=2) - pixels.min(axis=2)) > CHROMA).mean())


def is_blank(png: str | Path) -> bool:
    return data_share(png) < MIN_SHARE
