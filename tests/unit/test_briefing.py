"""The briefing renderer (viz/briefing.py): page sizes, one-page PDF, fill colours at each
regency's interior point, the marking banners, the demo watermark, the language, file names."""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image  # Pillow: matplotlib's own dependency

# `pytest tests/unit/...` from the repo root puts tests/unit, not the root, on sys.path
# (tests/unit has no __init__.py); a root conftest.py would make this line unnecessary.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from domain import regions  # noqa: E402
from i18n import catalogue  # noqa: E402
from viz import briefing  # noqa: E402
from viz.briefing import BriefingInput, render  # noqa: E402

VOTING_DAY = dt.date(2024, 11, 27)
# distinct per regency, far enough apart that each gets its own colour
VALUES = {
    "52.01": 412.0,
    "52.02": 1630.0,
    "52.03": 233.0,
    "52.04": 180.0,
    "52.05": 95.0,
    "52.06": 61.0,
    "52.07": 840.0,
    "52.08": 2210.0,
    "52.71": 987.0,
    "52.72": 40.0,
}
# Kota Mataram's interior point lies 11 px from the Mataram office marker: the only regency whose
# point is not clear of markers and labels. Every other interior point is >= 25 px from any marker.
CHECKED = ["52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.72"]


def make_input(**changes) -> BriefingInput:
    base = dict(
        values=pd.Series(VALUES),
        metric_label="Orang asing hadir",
        start=dt.date(2024, 11, 1),
        end=VOTING_DAY,
        as_of=dt.datetime(2024, 11, 28, 6, 5),  # naive = UTC -> 14:05 WITA
        office_areas=regions.areas_on(VOTING_DAY),
        alerts=pd.DataFrame({"lat": [], "lon": [], "severity": [], "election_related": []}),
        lang="id",
        marking="TERBATAS",
        demo=False,
        source="Sumber: unggahan Timpora NTB, 3 batch",
    )
    base.update(changes)
    return BriefingInput(**base)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def crop(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    left, top, right, bottom = box
    return img[top:bottom, left:right]


@pytest.fixture(scope="module")
def png_a4() -> bytes:
    return render(make_input(), "png", "a4", 150)


@pytest.fixture(scope="module")
def png_169() -> bytes:
    return render(make_input(), "png", "16:9", 150)


# --- sizes and formats -----------------------------------------------------------------------


def test_png_a4_landscape_is_1754_by_1240_at_150_dpi(png_a4):
    assert png_a4[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(png_a4)).size == (1754, 1240)
    assert briefing.page_pixels("a4", 150) == (1754, 1240)


def test_png_16_9_is_2000_by_1125_at_150_dpi(png_169):
    assert Image.open(io.BytesIO(png_169)).size == (2000, 1125)


def test_png_a4_at_100_dpi_is_1169_by_827():
    png = render(make_input(), "png", "a4", 100)
    assert Image.open(io.BytesIO(png)).size == (1169, 827)


@pytest.mark.parametrize("size", ["a4", "16:9"])
def test_pdf_has_exactly_one_page(size):
    pdf = render(make_input(), "pdf", size)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # \b: /Pages is not counted


def test_pdf_page_is_a4_landscape_in_points():
    pdf = render(make_input(), "pdf", "a4")
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert box is not None
    width_pt, height_pt = float(box.group(1)), float(box.group(2))
    assert width_pt == pytest.approx(297 / 25.4 * 72, abs=0.5)
    assert height_pt == pytest.approx(210 / 25.4 * 72, abs=0.5)


@pytest.mark.parametrize(
    "fmt,size,marking",
    [("svg", "a4", "TERBATAS"), ("png", "a3", "TERBATAS"), ("png", "a4", "SANGAT RAHASIA")],
)
def test_unknown_format_size_or_marking_is_refused(fmt, size, marking):
    with pytest.raises(ValueError):
        render(make_input(marking=marking), fmt, size)


# --- the choropleth --------------------------------------------------------------------------


def expected_rgb(code: str) -> np.ndarray:
    """The colormap's colour for this regency's value on a 0..max scale."""
    vmax = max(VALUES.values())
    return np.array(briefing.CMAP(VALUES[code] / vmax)[:3]) * 255


@pytest.mark.parametrize("size", ["a4", "16:9"])
def test_each_regency_interior_point_has_its_value_colour(size, png_a4, png_169):
    img = pixels(png_a4 if size == "a4" else png_169)
    points = briefing.interior_points()
    checked = []
    for code in CHECKED:
        col, row = briefing.map_pixel(*points[code], size=size, dpi=150)
        got = img[int(round(row)), int(round(col))]
        assert np.abs(got - expected_rgb(code)).max() <= 3, (code, got, expected_rgb(code))
        checked.append(code)
    assert checked == CHECKED


def test_interior_points_are_the_boundaries_representative_points():
    gdf = regions.boundaries_gdf()
    points = briefing.interior_points()
    assert sorted(points) == sorted(regions.regency_codes())
    for code, geom in gdf.geometry.items():
        p = geom.representative_point()
        assert points[code] == (p.x, p.y)


def test_highest_and_lowest_regencies_get_clearly_different_colours(png_a4):
    img = pixels(png_a4)
    points = briefing.interior_points()
    high = img[tuple(int(round(v)) for v in briefing.map_pixel(*points["52.08"])[::-1])]
    low = img[tuple(int(round(v)) for v in briefing.map_pixel(*points["52.06"])[::-1])]
    assert np.abs(high - low).sum() > 200


def test_regency_without_data_is_grey_not_blue():
    values = pd.Series(VALUES)
    values["52.04"] = np.nan
    img = pixels(render(make_input(values=values), "png", "a4", 150))
    col, row = briefing.map_pixel(*briefing.interior_points()["52.04"])
    r, g, b = img[int(round(row)), int(round(col))]
    assert abs(r - g) <= 6 and abs(g - b) <= 6, (r, g, b)
    assert briefing.fill_colours(values)["52.04"] is None


def test_layout_does_not_depend_on_the_data():
    a = briefing.map_pixel(116.0, -8.6, "a4", 150)
    assert a == briefing.map_pixel(116.0, -8.6, "a4", 150)
    left, top, right, bottom = briefing.regions_px("a4", 150)["map"]
    assert left <= a[0] <= right and top <= a[1] <= bottom


def test_map_keeps_true_proportions_at_ntb_latitude():
    """1 km east-west and 1 km north-south are the same number of pixels (within 2 %)."""
    lon, lat = 117.0, -8.6
    x0, y0 = briefing.map_pixel(lon, lat)
    km_lat = 1 / 110.574
    km_lon = 1 / (111.320 * np.cos(np.radians(lat)))
    x1, _ = briefing.map_pixel(lon + 50 * km_lon, lat)
    _, y1 = briefing.map_pixel(lon, lat + 50 * km_lat)
    assert (x1 - x0) / (y0 - y1) == pytest.approx(1.0, rel=0.02)


# --- banners, watermark, language --------------------------------------------------------------


def test_marking_changes_both_banners_but_not_the_map():
    biasa = pixels(render(make_input(marking="BIASA"), "png", "a4", 150))
    rahasia = pixels(render(make_input(marking="RAHASIA"), "png", "a4", 150))
    boxes = briefing.regions_px("a4", 150)
    assert not np.array_equal(crop(biasa, boxes["banner_top"]), crop(rahasia, boxes["banner_top"]))
    assert not np.array_equal(
        crop(biasa, boxes["banner_bottom"]), crop(rahasia, boxes["banner_bottom"])
    )
    assert np.array_equal(crop(biasa, boxes["map"]), crop(rahasia, boxes["map"]))
    # the banner colour itself: red for RAHASIA, green for BIASA (corner pixel, no text there)
    assert tuple(rahasia[2, 2]) == (0xC8, 0x10, 0x2E)
    assert tuple(biasa[-3, 2]) == (0x1B, 0x7F, 0x3B)


def test_demo_watermark_changes_the_picture(png_a4):
    demo = pixels(render(make_input(demo=True), "png", "a4", 150))
    plain = pixels(png_a4)
    assert not np.array_equal(demo, plain)
    box = briefing.regions_px("a4", 150)["map"]
    assert not np.array_equal(crop(demo, box), crop(plain, box))


def test_english_changes_the_title(png_a4):
    en = pixels(render(make_input(lang="en", metric_label="Foreigners present"), "png", "a4", 150))
    box = briefing.regions_px("a4", 150)["title"]
    assert not np.array_equal(crop(en, box), crop(pixels(png_a4), box))


def test_same_input_renders_the_same_pixels_from_parallel_threads(png_a4):
    inp = make_input()
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: render(inp, "png", "a4", 150), range(3)))
    for png in results:
        assert np.array_equal(pixels(png), pixels(png_a4))


def test_alerts_outside_the_map_or_without_coordinates_are_ignored():
    alerts = pd.DataFrame(
        {
            "lat": [-8.6, None, 10.0, -8.5],
            "lon": [116.3, 116.3, 116.3, 118.0],
            "severity": [5, 3, 4, 9],
            "election_related": [True, False, False, None],
        }
    )
    frame = briefing._alert_frame(alerts)
    assert list(frame["severity"]) == [5, 5]  # 9 is clipped to 5; bad or far points dropped
    assert list(frame["election_related"]) == [True, False]
    assert render(make_input(alerts=alerts), "png", "a4", 72).startswith(b"\x89PNG")


# --- text --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,lang,decimals,text",
    [
        (1234, "id", 0, "1.234"),
        (1234, "en", 0, "1,234"),
        (1234567.25, "id", 1, "1.234.567,2"),
        (1234567.25, "en", 1, "1,234,567.2"),
        (0.5, "id", 2, "0,50"),
        (987, "id", 0, "987"),
    ],
)
def test_numbers_use_the_languages_separators(value, lang, decimals, text):
    assert briefing.format_number(value, lang, decimals) == text


def test_decimals_follow_the_values():
    assert briefing.decimals_for(pd.Series([1.0, 20.0, np.nan])) == 0
    assert briefing.decimals_for(pd.Series([0.42, 3.91])) == 2
    assert briefing.decimals_for(pd.Series([12.5, 80.0])) == 1


def test_as_of_is_shown_in_wita():
    naive_utc = dt.datetime(2026, 11, 28, 6, 5)
    assert briefing.format_as_of(naive_utc, "id") == "28 Nov 2026 14:05 WITA"
    aware = dt.datetime(2024, 12, 31, 20, 0, tzinfo=dt.UTC)
    assert briefing.format_as_of(aware, "id") == "1 Jan 2025 04:00 WITA"
    assert briefing.format_date(dt.date(2024, 12, 16), "id") == "16 Des 2024"
    assert briefing.format_date(dt.date(2024, 12, 16), "en") == "16 Dec 2024"


def test_catalogues_have_the_same_briefing_keys():
    ids = {k for k in catalogue("id") if k.startswith("briefing.")}
    ens = {k for k in catalogue("en") if k.startswith("briefing.")}
    assert ids == ens
    assert "briefing.title" in ids


def test_export_names_are_unique_and_say_what_they_are():
    inp = make_input()
    names = {briefing.export_name(inp, "png", "a4") for _ in range(100)}
    assert len(names) == 100
    for name in names:
        assert re.fullmatch(
            r"briefing_TERBATAS_20241127_a4_\d{8}T\d{12}Z_[0-9a-f]{8}\.png", name
        ), name
    assert briefing.export_name(inp, "pdf", "16:9").endswith(".pdf")
    assert "_16x9_" in briefing.export_name(inp, "pdf", "16:9")


def test_viz_briefing_imports_neither_streamlit_nor_pyplot():
    tree = ast.parse(Path(briefing.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
            imported.update(f"{node.module}.{a.name}" for a in node.names)
    assert not any(m.split(".")[0] == "streamlit" for m in imported)
    assert "matplotlib.pyplot" not in imported
