"""The overview's map as a picture (viz.briefing.overview_png): the briefing's map and legends,
drawn on the server so the page after sign-in needs no plotly.js. Each regency's interior point
has the colour of its value, a regency without data is grey, the size is fixed, and the language
changes the legends only."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import colors as mcolors
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from domain import regions  # noqa: E402
from viz import briefing  # noqa: E402
from viz.briefing import BriefingInput, overview_layout, overview_pixel, overview_png  # noqa: E402

DAY = dt.date(2024, 11, 27)
# The briefing test's values (distinct, far enough apart for ten colours) and the regencies
# whose interior point is clear of markers (Kota Mataram's lies next to the Mataram office).
from tests.unit.test_briefing import CHECKED, VALUES  # noqa: E402


def make_input(values=None, lang="id") -> BriefingInput:
    return BriefingInput(
        values=pd.Series(VALUES if values is None else values),
        metric_label="Orang asing hadir",
        start=dt.date(2024, 11, 1),
        end=DAY,
        as_of=dt.datetime(2024, 11, 27),
        office_areas=regions.areas_on(DAY),
        alerts=None,
        lang=lang,
    )


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def at(img: np.ndarray, code: str) -> np.ndarray:
    col, row = overview_pixel(*briefing.interior_points()[code])
    return img[int(round(row)), int(round(col))]


@pytest.fixture(scope="module")
def png() -> bytes:
    return overview_png(make_input())


def test_the_picture_is_1440_px_wide_png_of_a_fixed_height(png):
    lay = overview_layout()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(png)).size == (1440, round(lay.height * briefing.OVERVIEW_DPI))
    assert Image.open(io.BytesIO(png)).size == (1440, 747)


def test_each_regency_interior_point_has_its_value_colour(png):
    img, norm = pixels(png), briefing.colour_norm(pd.Series(VALUES))
    for code in CHECKED:
        want = np.round(np.array(mcolors.to_rgb(briefing.CMAP(norm(VALUES[code])))) * 255)
        assert np.abs(at(img, code) - want).max() <= 3, (code, at(img, code), want)


def test_a_regency_without_data_is_grey():
    values = {**VALUES, "52.04": np.nan}
    img = pixels(overview_png(make_input(values)))
    r, g, b = at(img, "52.04")
    assert abs(r - g) <= 6 and abs(g - b) <= 6 and r < 240, (r, g, b)
    assert abs(int(at(img, "52.05")[2]) - int(at(img, "52.05")[0])) > 20  # its neighbour is blue


def test_english_changes_the_legends_not_the_map(png):
    img, en = pixels(png), pixels(overview_png(make_input(lang="en")))
    x, y, w, h = overview_layout().boxes["map"]
    top = round((overview_layout().height - y - h) * briefing.OVERVIEW_DPI)
    bottom = round((overview_layout().height - y) * briefing.OVERVIEW_DPI)
    legends = slice(bottom + 2, None)
    assert (img[legends] != en[legends]).any()  # "Kantor Imigrasi" / "Immigration office", ...
    # the map itself (shapes, colours) is the same; only its few words (office labels, north) differ
    same = (img[top:bottom] == en[top:bottom]).all(axis=2).mean()
    assert same > 0.97, same


def test_demo_data_carries_the_briefings_watermark_and_real_data_none(png):
    """The picture may be saved and pasted alone: with demo data it says so across itself (the
    briefing's diagonal "DATA DEMO (sintetis)" in red), as the browser map and the briefing do."""
    from dataclasses import replace

    plain = pixels(png)
    demo = pixels(overview_png(replace(make_input(), demo=True)))
    changed = np.abs(demo - plain).max(axis=2) > 8
    assert plain.shape == demo.shape
    # the words run corner to corner: tinted pixels in the map's middle and in both halves
    h, w = changed.shape
    assert changed[:, : w // 2].sum() > 2000 and changed[:, w // 2 :].sum() > 2000
    assert 0.02 < changed.mean() < 0.25  # a watermark, not a cover
    tint = demo[changed] - plain[changed]
    assert (tint[:, 0] > tint[:, 1]).mean() > 0.9  # towards red: more red than green kept
    # and the regencies' fills can still be read where the words do not lie over them
    img, norm = demo, briefing.colour_norm(pd.Series(VALUES))
    clear = [c for c in CHECKED if not changed[tuple(int(round(v)) for v in at_rc(c))]]
    assert len(clear) >= 4, clear
    for code in clear:
        want = np.round(np.array(mcolors.to_rgb(briefing.CMAP(norm(VALUES[code])))) * 255)
        assert np.abs(at(img, code) - want).max() <= 3, code


def at_rc(code: str) -> tuple[float, float]:
    col, row = overview_pixel(*briefing.interior_points()[code])
    return row, col
