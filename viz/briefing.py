"""Print-ready briefing map (peta briefing pimpinan): the ten NTB regencies as PNG or PDF.

Server-side, no browser: matplotlib's object-oriented Figure API on the Agg canvas (no pyplot,
no global state, no rcParams changes). One picture holds the marking banner top and bottom, the
title, period and as-of time (WITA), the choropleth with its colour bar, the immigration office
working areas as thick outlines, offices and ports, alerts, a scale bar and north arrow, the five
highest regencies, the source and the boundary attribution, and a watermark for demo data.

The map is drawn in lon/lat; the map axes box is sized so that one degree of longitude is
cos(latitude) as long as one degree of latitude, which keeps the regency shapes true at NTB's
latitude. The layout depends only on the page size, so `map_pixel()` can tell a test (or a
caller placing something on the image) where a lon/lat lands in the PNG.

It draws what it is handed (BriefingInput): services/briefing.py reads the database for it, and
its command line is `python -m services.briefing --out briefing.png [--db URL] [--metric M] ...`
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import secrets
import textwrap
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FixedLocator, FuncFormatter

from domain import regions
from domain.wita import to_wita
from i18n import formats, source_text, t
from viz import style  # one palette and one list of markings with the browser map
from viz.style import MARKING_COLOURS, MARKINGS  # noqa: F401 - re-exported for callers

SIZES = ("a4", "16:9")
FORMATS = ("png", "pdf")

CMAP = mcolors.LinearSegmentedColormap.from_list("briefing_blues", list(style.SEQUENTIAL))
NO_DATA_FILL = style.NO_DATA
NO_DATA_HATCH = style.NO_DATA_HATCH
REGENCY_EDGE = style.REGENCY_EDGE
OFFICE_EDGE = style.OFFICE
OFFICE_MARKER = style.OFFICE

# Alert style by severity: (colour, marker area in pt^2).
ALERT_STYLE = {sev: (colour, area) for sev, (colour, _px, area) in style.SEVERITY.items()}

# Map extent (lon, lat): NTB's box padded by 0.15° (~16 km) for the office labels (north), the
# scale bar (south) and the north arrow (west). Fixed, so the layout does not depend on the data.
LON0, LAT0, LON1, LAT1 = regions.ntb_bounds(0.15)
LAT_MID = -8.6
_COS = math.cos(math.radians(LAT_MID))
MAP_RATIO = (LON1 - LON0) * _COS / (LAT1 - LAT0)  # width / height of the map box

_MIN_OUTLINED_DEG2 = 4e-4  # ~5 km2 at NTB's latitude

# Regency labels go just below the regency's interior point (the point itself stays clear),
# except where viz/style.LABEL_AT gives a fixed spot.
_LABEL_AT = style.LABEL_AT

_LOCK = threading.Lock()  # matplotlib's font cache and text layout are not re-entrant
RENDER_LOCK = _LOCK  # for other renderers drawing with matplotlib (viz/sitrep.py)


@dataclass
class BriefingInput:
    values: pd.Series  # index = regency code '52.01'..; NaN = no data / outside the office
    metric_label: str  # already translated, e.g. "Orang asing hadir"
    start: dt.date
    end: dt.date
    as_of: dt.datetime  # aware, or naive UTC (as stored); shown in WITA
    office_areas: dict[str, str]  # regency code -> office id in force (domain.regions.areas_on)
    alerts: pd.DataFrame  # columns lat, lon, severity (1-5), election_related (bool)
    lang: str = "id"  # "id" | "en"
    marking: str = "TERBATAS"  # "BIASA" | "TERBATAS" | "RAHASIA"
    demo: bool = False  # True -> diagonal "DATA DEMO (sintetis)" watermark
    source: str = ""  # e.g. "Sumber: unggahan Timpora NTB, 3 batch" (translated)
    office_label: str | None = None  # e.g. "Kantor Imigrasi Mataram"; None = all of NTB
    as_of_date: dt.date | None = (
        None  # the data's as-of date (sidebar); as_of is then the render time
    )


# --- formatting ----------------------------------------------------------------------------


def format_number(value: float, lang: str = "id", decimals: int = 0) -> str:
    """1.234,5 in Indonesian, 1,234.5 in English (i18n.formats)."""
    return formats.number(value, lang, decimals)


def decimals_for(values) -> int:
    """0 for counts; 1 or 2 decimals for rates and scores (by their size)."""
    v = np.asarray(pd.Series(values, dtype="float64").dropna())
    if v.size == 0 or np.allclose(v, np.round(v)):
        return 0
    return 2 if np.abs(v).max() < 10 else 1


def format_date(day: dt.date, lang: str = "id") -> str:
    """16 Des 2024 / 16 Dec 2024 (i18n.formats)."""
    return formats.long_date(day, lang)


def format_as_of(when: dt.datetime, lang: str = "id") -> str:
    w = to_wita(when)
    return f"{format_date(w.date(), lang)} {formats.time(w, lang)} {t('briefing.timezone', lang)}"


def export_name(inp: BriefingInput, fmt: str = "png", size: str = "a4") -> str:
    """A file name unique per request (Streamlit's /media/ must never mix two users' files)."""
    _check(fmt, size, inp.marking)
    marking = re.sub(r"[^A-Z]", "", inp.marking.upper())
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    size_tag = "a4" if size == "a4" else "16x9"
    return f"briefing_{marking}_{inp.end:%Y%m%d}_{size_tag}_{stamp}_{secrets.token_hex(4)}.{fmt}"


def _check(fmt: str, size: str, marking: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, not {size!r}")
    if marking not in MARKINGS:
        raise ValueError(f"marking must be one of {MARKINGS}, not {marking!r}")


# --- layout (inches, origin bottom-left) -----------------------------------------------------


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    boxes: dict[str, tuple[float, float, float, float]]  # name -> (x0, y0, w, h) in inches

    def frac(self, name: str) -> list[float]:
        x, y, w, h = self.boxes[name]
        return [x / self.width, y / self.height, w / self.width, h / self.height]


def page_inches(size: str, dpi: int) -> tuple[float, float]:
    """Page size rounded to whole pixels at `dpi`, so the PNG has an exact, predictable size."""
    if size == "a4":
        w_in, h_in = 297 / 25.4, 210 / 25.4
    elif size == "16:9":
        w_in, h_in = 40 / 3, 7.5
    else:
        raise ValueError(f"size must be one of {SIZES}, not {size!r}")
    return round(w_in * dpi) / dpi, round(h_in * dpi) / dpi


def page_pixels(size: str, dpi: int) -> tuple[int, int]:
    w, h = page_inches(size, dpi)
    return round(w * dpi), round(h * dpi)


@lru_cache(maxsize=16)
def layout(size: str = "a4", dpi: int = 150) -> Layout:
    W, H = page_inches(size, dpi)
    margin, gap = 0.3, 0.12
    banner, title_h, footer_h = 0.34, 0.86, 0.46
    content_top = H - banner - title_h
    content_bottom = banner + footer_h + gap
    content_h = content_top - content_bottom
    boxes = {
        "banner_top": (0.0, H - banner, W, banner),
        "title": (margin, H - banner - title_h, W - 2 * margin, title_h),
        "footer": (margin, banner, W - 2 * margin, footer_h),
        "banner_bottom": (0.0, 0.0, W, banner),
    }
    # A4: the map spans the page and the five highest close the legend row below it.
    # Slides (wider): the five highest sit beside the map and the legend row spans the page.
    side = W / H > 1.6
    side_w = 2.75 if side else 0.0
    map_w = W - 2 * margin - (side_w + gap if side else 0.0)
    map_h = min(map_w / MAP_RATIO, content_h - 1.95 - gap)  # keep >= 1.95 in for the legend row
    map_w_fit = map_h * MAP_RATIO
    if side:  # the map keeps the left margin; the panel takes whatever width the map leaves
        side_w = W - 2 * margin - gap - map_w_fit
        map_w = map_w_fit
    boxes["map"] = (margin + (map_w - map_w_fit) / 2, content_top - map_h, map_w_fit, map_h)
    row_h = content_h - map_h - gap
    row_w = W - 2 * margin + gap
    shares = (0.22, 0.37, 0.41) if side else (0.20, 0.30, 0.21, 0.29)
    names = ("legend_values", "legend_map", "legend_alerts", "top5")[: len(shares)]
    x = margin
    for name, share in zip(names, shares):
        w = row_w * share
        boxes[name] = (x, content_bottom, w - gap, row_h)
        x += w
    if side:
        boxes["top5"] = (W - margin - side_w, content_top - map_h, side_w, map_h)
    return Layout(W, H, boxes)


def regions_px(size: str = "a4", dpi: int = 150) -> dict[str, tuple[int, int, int, int]]:
    """Each layout box as pixel bounds (left, top, right, bottom) in the PNG, origin top-left."""
    lay = layout(size, dpi)
    out = {}
    width_px, height_px = page_pixels(size, dpi)
    for name, (x, y, w, h) in lay.boxes.items():
        top, bottom = lay.height - y - h, lay.height - y
        out[name] = (
            max(0, math.floor(x * dpi + 1e-6)),
            max(0, math.floor(top * dpi + 1e-6)),
            min(width_px, math.ceil((x + w) * dpi - 1e-6)),
            min(height_px, math.ceil(bottom * dpi - 1e-6)),
        )
    return out


def map_pixel(lon: float, lat: float, size: str = "a4", dpi: int = 150) -> tuple[float, float]:
    """Where (lon, lat) lands in the PNG: (column, row) in pixels, origin top-left."""
    lay = layout(size, dpi)
    x, y, w, h = lay.boxes["map"]
    fx = x + (lon - LON0) / (LON1 - LON0) * w
    fy = y + (lat - LAT0) / (LAT1 - LAT0) * h
    return fx * dpi, (lay.height - fy) * dpi


# --- geometry --------------------------------------------------------------------------------


def _rings_path(geom) -> MplPath:
    """A compound path of every ring; exterior and holes oppositely wound (nonzero fill)."""
    import shapely

    geom = shapely.orient_polygons(geom, exterior_cw=True)
    verts, codes = [], []
    for poly in getattr(geom, "geoms", [geom]):
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            verts.append(xy)
            c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            codes.append(c)
    return MplPath(np.concatenate(verts), np.concatenate(codes))


@lru_cache(maxsize=1)
def _regency_shapes() -> dict[str, tuple[MplPath, tuple[float, float]]]:
    """code -> (path, interior point) from domain.regions.boundaries_gdf()."""
    gdf = regions.boundaries_gdf()
    out = {}
    for code, geom in gdf.geometry.items():
        p = geom.representative_point()
        out[code] = (_rings_path(geom), (p.x, p.y))
    return out


def interior_points() -> dict[str, tuple[float, float]]:
    """code -> (lon, lat) of each regency's representative point (where nothing else is drawn)."""
    return {code: pt for code, (_, pt) in _regency_shapes().items()}


@lru_cache(maxsize=8)
def _office_shapes(areas: tuple[tuple[str, str], ...]):
    """office id -> (outline path, (lon, lat) where the label's leader line meets the area)."""
    import shapely
    import shapely.ops

    gdf = regions.boundaries_gdf()
    by_office: dict[str, list] = {}
    for code, office in areas:
        if code in gdf.index:
            by_office.setdefault(office, []).append(gdf.geometry[code])
    out = {}
    for office, geoms in by_office.items():
        # a hair of buffer closes slivers between neighbours so only the area's edge remains
        merged = shapely.union_all([g.buffer(1e-5) for g in geoms]).buffer(-1e-5)
        # islets under ~5 km2 keep their fill but get no thick outline (it would hide them)
        parts = [p for p in getattr(merged, "geoms", [merged]) if p.area >= _MIN_OUTLINED_DEG2]
        outline = shapely.MultiPolygon(parts)
        minx, _, maxx, maxy = outline.bounds
        anchor = shapely.ops.nearest_points(outline, shapely.Point((minx + maxx) / 2, LAT1))[0]
        out[office] = (_rings_path(outline), (anchor.x, anchor.y))
    return out


# --- colours ---------------------------------------------------------------------------------


def colour_norm(values: pd.Series) -> mcolors.Normalize:
    v = pd.Series(values, dtype="float64").dropna()
    if v.empty:
        return mcolors.Normalize(0.0, 1.0)
    lo, hi = min(0.0, float(v.min())), float(v.max())
    if hi <= lo:
        hi = lo + 1.0
    return mcolors.Normalize(lo, hi)


def fill_colours(values: pd.Series) -> dict[str, tuple[float, float, float, float] | None]:
    """code -> RGBA fill for each regency with a value; None where the value is missing."""
    norm = colour_norm(values)
    out = {}
    for code in _regency_shapes():
        v = values.get(code, np.nan)
        out[code] = None if pd.isna(v) else tuple(CMAP(norm(float(v))))
    return out


# --- drawing ---------------------------------------------------------------------------------


def _fit(text, width_in: float, min_size: float = 6.0):
    """Shrink a text's font until it is at most `width_in` inches wide (long metric labels)."""
    fig = text.get_figure(root=True)
    renderer = fig.canvas.get_renderer()
    limit = width_in * fig.dpi
    while text.get_fontsize() > min_size and text.get_window_extent(renderer).width > limit:
        text.set_fontsize(max(min_size, text.get_fontsize() * 0.92))
    return text


def _halo(width: float = 2.2, colour: str = "white"):
    return [patheffects.withStroke(linewidth=width, foreground=colour)]


def _banner(fig: Figure, lay: Layout, name: str, inp: BriefingInput) -> None:
    bg, fg = MARKING_COLOURS[inp.marking]
    ax = fig.add_axes(lay.frac(name))
    ax.set_axis_off()
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=bg, edgecolor="none"))
    word = t(f"briefing.marking.{inp.marking}", inp.lang)
    for x, ha in ((0.015, "left"), (0.5, "center"), (0.985, "right")):
        ax.text(
            x,
            0.5,
            word,
            transform=ax.transAxes,
            ha=ha,
            va="center",
            color=fg,
            fontsize=12 if ha == "center" else 9,
            fontweight="bold",
        )


def _title(fig: Figure, lay: Layout, inp: BriefingInput) -> None:
    ax = fig.add_axes(lay.frac("title"))
    ax.set_axis_off()
    lang = inp.lang
    title = t(
        "briefing.title_with_metric", lang, title=t("briefing.title", lang), metric=inp.metric_label
    )
    if inp.start == inp.end:
        period = t("briefing.period_one_day", lang, day=format_date(inp.start, lang))
    else:
        period = t(
            "briefing.period",
            lang,
            start=format_date(inp.start, lang),
            end=format_date(inp.end, lang),
        )
    if inp.office_label:
        area = t("briefing.area_office", lang, office=inp.office_label)
    else:
        area = t("briefing.area_all", lang)
    width = lay.boxes["title"][2]
    _fit(
        ax.text(
            0.0,
            0.93,
            title,
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=16,
            fontweight="bold",
            color="#111111",
        ),
        width,
    )
    when = (
        t(
            "briefing.as_of_date",
            lang,
            date=format_date(inp.as_of_date, lang),
            when=format_as_of(inp.as_of, lang),
        )
        if inp.as_of_date
        else t("briefing.as_of", lang, when=format_as_of(inp.as_of, lang))
    )
    sub = "   |   ".join([period, when, area])
    _fit(
        ax.text(
            0.0,
            0.30,
            sub,
            transform=ax.transAxes,
            ha="left",
            va="center",
            fontsize=10.5,
            color="#333333",
        ),
        width,
    )


def _map(fig: Figure, lay: Layout, inp: BriefingInput) -> None:
    ax = fig.add_axes(lay.frac("map"))
    ax.set_xlim(LON0, LON1)
    ax.set_ylim(LAT0, LAT1)
    ax.set_aspect("auto")  # the box itself has the right proportions (see layout())
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#F4F8FB")  # sea
    for spine in ax.spines.values():
        spine.set_edgecolor("#9AA5B1")
        spine.set_linewidth(0.8)

    # collections, not add_patch: add_patch walks every Bezier segment to update the data limits
    shapes = _regency_shapes()
    fills = fill_colours(inp.values)
    known = [c for c in shapes if fills[c] is not None]
    missing = [c for c in shapes if fills[c] is None]
    ax.add_collection(
        PathCollection(
            [shapes[c][0] for c in known],
            facecolors=[fills[c] for c in known],
            edgecolors=REGENCY_EDGE,
            linewidths=0.7,
            zorder=1,
        ),
        autolim=False,
    )
    if missing:
        ax.add_collection(
            PathCollection(
                [shapes[c][0] for c in missing],
                facecolors=NO_DATA_FILL,
                edgecolors=REGENCY_EDGE,
                linewidths=0.7,
                hatch="////",
                hatchcolor=NO_DATA_HATCH,
                zorder=1,
            ),
            autolim=False,
        )

    offices = regions.offices()
    area_shapes = _office_shapes(tuple(sorted(inp.office_areas.items())))
    ax.add_collection(
        PathCollection(
            [path for path, _ in area_shapes.values()],
            facecolors="none",
            edgecolors=OFFICE_EDGE,
            linewidths=1.9,
            joinstyle="round",
            zorder=3,
        ),
        autolim=False,
    )

    _regency_labels(ax, inp)
    _office_labels(ax, inp, area_shapes, offices)

    # ports by TPI status, then offices in force on the as-of date
    ports = regions.ports()
    for status, (marker, face, size) in _PORT_STYLE.items():
        sel = ports[ports["official_tpi"] == status]
        if len(sel):
            ax.scatter(
                sel["lon"],
                sel["lat"],
                marker=marker,
                s=size,
                facecolor=face,
                edgecolor=OFFICE_MARKER,
                linewidth=1.0,
                zorder=6,
            )
    active = offices[offices["id"].isin(set(inp.office_areas.values()))]
    ax.scatter(
        active["lon"],
        active["lat"],
        marker="s",
        s=70,
        facecolor=OFFICE_MARKER,
        edgecolor="white",
        linewidth=1.2,
        zorder=7,
    )

    _alerts(ax, inp.alerts)
    _scale_bar(ax, inp.lang)
    _north_arrow(ax, inp.lang)


_PORT_STYLE = {  # official_tpi -> (marker, face, area)
    "yes": ("D", OFFICE_MARKER, 34.0),
    "unknown": ("D", "white", 34.0),
    "no": ("o", "white", 16.0),
}


def _regency_labels(ax, inp: BriefingInput) -> None:
    for code, (lon, lat) in interior_points().items():
        name = regions.regency_name(code, with_kind=False)
        if code in _LABEL_AT:
            x, y, ha, leader = _LABEL_AT[code]
            arrow = (
                dict(arrowstyle="-", color="#333333", linewidth=0.6, shrinkA=1, shrinkB=5)
                if leader
                else None
            )
            ax.annotate(
                name,
                (lon, lat),
                xytext=(x, y),
                textcoords="data",
                ha=ha,
                va="center",
                fontsize=7,
                color="#1A1A1A",
                path_effects=_halo(),
                zorder=8,
                arrowprops=arrow,
            )
        else:
            ax.annotate(
                name,
                (lon, lat),
                xytext=(0, -5),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=7,
                color="#1A1A1A",
                path_effects=_halo(),
                zorder=8,
            )


def _office_labels(ax, inp: BriefingInput, area_shapes, offices: pd.DataFrame) -> None:
    """Each working area's office name in the sea north of the area, pushed apart if they would touch."""
    renderer = ax.get_figure(root=True).canvas.get_renderer()
    deg_per_px = (LON1 - LON0) / ax.get_window_extent(renderer).width
    labels = []
    for office, (_, anchor) in sorted(area_shapes.items(), key=lambda kv: kv[1][1][0]):
        short = offices.loc[office, "short_name"] if office in offices.index else office
        note = ax.annotate(
            t("briefing.office_label", inp.lang, name=short),
            anchor,
            xytext=(anchor[0], LAT1 - 0.07),
            textcoords="data",
            ha="center",
            va="center",
            fontsize=8.5,
            fontweight="bold",
            color=OFFICE_EDGE,
            zorder=9,
            bbox=dict(
                boxstyle="round,pad=0.25", facecolor="white", edgecolor=OFFICE_EDGE, linewidth=1.2
            ),
            arrowprops=dict(arrowstyle="-", color=OFFICE_EDGE, linewidth=1.0, shrinkA=0, shrinkB=1),
        )
        half = (note.get_window_extent(renderer).width / 2 + 8) * deg_per_px  # text + box padding
        labels.append([note, anchor[0], half])
    for prev, cur in zip(labels, labels[1:]):  # left to right: shift right just enough
        cur[1] = max(cur[1], prev[1] + prev[2] + cur[2])
    shift = max(0.0, labels[-1][1] + labels[-1][2] - (LON1 - 0.05)) if labels else 0.0
    for note, x, _ in labels:  # keep the last one inside the frame
        note.set_position((x - shift, LAT1 - 0.07))


def _alert_frame(alerts: pd.DataFrame | None) -> pd.DataFrame:
    if alerts is None or len(alerts) == 0:
        return pd.DataFrame({"lat": [], "lon": [], "severity": [], "election_related": []})
    a = alerts.copy()
    a["lat"] = pd.to_numeric(a["lat"], errors="coerce")
    a["lon"] = pd.to_numeric(a["lon"], errors="coerce")
    a["severity"] = pd.to_numeric(a["severity"], errors="coerce").clip(1, 5)
    if "election_related" not in a:
        a["election_related"] = False
    a["election_related"] = a["election_related"].fillna(False).astype(bool)
    a = a.dropna(subset=["lat", "lon", "severity"])
    inside = a["lon"].between(LON0, LON1) & a["lat"].between(LAT0, LAT1)
    return a[inside]


def _alerts(ax, alerts: pd.DataFrame) -> None:
    a = _alert_frame(alerts)
    for sev in (1, 2, 3, 4, 5):  # most severe drawn last, on top
        for election in (False, True):
            sel = a[(a["severity"].round() == sev) & (a["election_related"] == election)]
            if sel.empty:
                continue
            colour, area = ALERT_STYLE[sev]
            ax.scatter(
                sel["lon"],
                sel["lat"],
                s=area,
                facecolor=colour,
                alpha=0.95,
                edgecolor="black" if election else "#5A5A5A",
                linewidth=1.5 if election else 0.5,
                zorder=5,
            )


def _scale_bar(ax, lang: str, km: int = 50) -> None:
    from pyproj import Geod

    lon, lat = 115.82, -9.13
    lon_end, _, _ = Geod(ellps="WGS84").fwd(lon, lat, 90.0, km * 1000.0)
    half = (lon + lon_end) / 2
    h = 0.022
    for x0, x1, face in ((lon, half, "#222222"), (half, lon_end, "white")):
        ax.add_patch(
            Rectangle(
                (x0, lat), x1 - x0, h, facecolor=face, edgecolor="#222222", linewidth=0.8, zorder=9
            )
        )
    for x, text in (
        (lon, "0"),
        (half, str(km // 2)),
        (lon_end, t("briefing.scale_km", lang, km=km)),
    ):
        ax.text(
            x,
            lat + h + 0.012,
            text,
            ha="left" if x == lon_end else "center",
            va="bottom",
            fontsize=7.5,
            color="#222222",
            zorder=9,
            path_effects=_halo(2.0),
        )


def _north_arrow(ax, lang: str) -> None:
    ax.annotate(
        "",
        xy=(0.03, 0.88),
        xytext=(0.03, 0.72),
        xycoords="axes fraction",
        arrowprops=dict(
            arrowstyle="-|>,head_length=0.8,head_width=0.45", color="#222222", linewidth=1.8
        ),
        zorder=9,
    )
    ax.text(
        0.03,
        0.90,
        t("briefing.north", lang),
        transform=ax.transAxes,
        ha="center",
        va="bottom",
        fontsize=11,
        fontweight="bold",
        color="#222222",
        zorder=9,
    )


def _panel_axes(fig: Figure, lay: Layout, name: str, title: str, inset: float = 0.0):
    ax = fig.add_axes(lay.frac(name))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.text(
        inset,
        1.0 - inset,
        title,
        ha="left",
        va="top",
        fontsize=9.5,
        fontweight="bold",
        color="#111111",
    )
    return ax


TICK_PT = 7.5  # the colour bar's tick labels
DIGIT_EM = 0.64  # a digit's width in DejaVu Sans, in ems (the widest character of a number)


def _legend_values(fig: Figure, lay: Layout, inp: BriefingInput) -> None:
    ax = _panel_axes(fig, lay, "legend_values", t("briefing.legend_values", inp.lang))
    x, y, w, h = lay.boxes["legend_values"]
    # colour bar: a thin horizontal strip under the panel title
    cb_h = 0.17
    cax = fig.add_axes(
        [(x) / lay.width, (y + h - 0.62) / lay.height, (w * 0.92) / lay.width, cb_h / lay.height]
    )
    norm = colour_norm(inp.values)
    cb = fig.colorbar(ScalarMappable(norm=norm, cmap=CMAP), cax=cax, orientation="horizontal")
    ticks, dec = style.colourbar_ticks(
        norm.vmax,
        integer=decimals_for(inp.values) == 0,
        label=lambda v, d: format_number(v, inp.lang, d),
        room=w * 0.92 * 72 / (TICK_PT * DIGIT_EM),  # the bar's width in digits of its labels
    )
    cb.ax.xaxis.set_major_locator(FixedLocator(ticks))
    cb.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v, inp.lang, dec)))
    cb.ax.tick_params(labelsize=TICK_PT, length=3)
    cb.outline.set_linewidth(0.6)
    cb.set_label(inp.metric_label, fontsize=8.5, labelpad=3)
    _fit(cb.ax.xaxis.label, w)
    # the "no data" swatch, below the colour bar and its label
    handles = [
        Patch(
            facecolor=NO_DATA_FILL,
            edgecolor="#777777",
            hatch="////",
            linewidth=0.6,
            label=t("briefing.no_data", inp.lang),
        )
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, 1.0 - 1.08 / h),
        frameon=False,
        fontsize=8,
        handlelength=2.2,
        handleheight=1.4,
        borderaxespad=0.0,
    )


def _legend_map(fig: Figure, lay: Layout, inp: BriefingInput) -> None:
    lang = inp.lang
    ax = _panel_axes(fig, lay, "legend_map", t("briefing.legend_map", lang))
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="s",
            markersize=8,
            markerfacecolor=OFFICE_MARKER,
            markeredgecolor="white",
            label=t("briefing.office", lang),
        ),
        Line2D([], [], color=OFFICE_EDGE, linewidth=2.2, label=t("briefing.office_area", lang)),
    ]
    for status in ("yes", "unknown", "no"):
        marker, face, area = _PORT_STYLE[status]
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=marker,
                markersize=math.sqrt(area),
                markerfacecolor=face,
                markeredgecolor=OFFICE_MARKER,
                markeredgewidth=1.0,
                label=t(f"briefing.port_tpi_{status}", lang),
            )
        )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, 0.88),
        frameon=False,
        fontsize=8,
        handlelength=2.0,
        borderaxespad=0.0,
        labelspacing=0.7,
    )


def _legend_alerts(fig: Figure, lay: Layout, inp: BriefingInput) -> None:
    lang = inp.lang
    ax = _panel_axes(fig, lay, "legend_alerts", t("briefing.legend_incidents", lang))
    rows = [
        (1, "incident_sev_low"),
        (3, "incident_sev_3"),
        (4, "incident_sev_4"),
        (5, "incident_sev_5"),
    ]
    handles = []
    for sev, key in rows:
        colour, area = ALERT_STYLE[sev]
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=math.sqrt(area),
                markerfacecolor=colour,
                markeredgecolor="#5A5A5A",
                markeredgewidth=0.5,
                label=t(f"briefing.{key}", lang),
            )
        )
    colour, area = ALERT_STYLE[3]
    handles.append(
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=math.sqrt(area),
            markerfacecolor=colour,
            markeredgecolor="black",
            markeredgewidth=1.5,
            label=t("briefing.incident_election", lang),
        )
    )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, 0.88),
        frameon=False,
        fontsize=8,
        handlelength=1.6,
        borderaxespad=0.0,
        labelspacing=0.7,
    )
    n = len(_alert_frame(inp.alerts))
    note = (
        t("briefing.incident_count", lang, n=format_number(n, lang))
        if n
        else t("briefing.no_incidents", lang)
    )
    ax.text(0.0, 0.0, note, ha="left", va="bottom", fontsize=7.5, color="#444444", style="italic")


def _top5(fig: Figure, lay: Layout, inp: BriefingInput) -> None:
    lang = inp.lang
    _, _, w, h = lay.boxes["top5"]
    pad_x, pad_y = 0.1 / w, 0.1 / h  # 0.1 inch inside the panel's frame
    ax = _panel_axes(fig, lay, "top5", t("briefing.top5_title", lang), inset=pad_x)
    ax.texts[-1].set_y(1.0 - pad_y)
    ax.add_patch(
        Rectangle((0, 0), 1, 1, facecolor="#F3F5F8", edgecolor="#C9D1DA", linewidth=0.8, zorder=0)
    )
    ax.text(
        pad_x,
        1.0 - pad_y - 0.24 / h,
        inp.metric_label,
        ha="left",
        va="top",
        fontsize=8,
        color="#444444",
        style="italic",
    )
    values = pd.Series(inp.values, dtype="float64")
    known = values.dropna().sort_values(ascending=False, kind="stable")
    top = known.head(5)
    dec = decimals_for(values)
    fills = fill_colours(values)
    # rows sized in inches so the panel reads the same on A4 and on a slide
    step = 0.27 / h
    y = 1.0 - pad_y - 0.58 / h
    if top.empty:
        ax.text(
            pad_x,
            y,
            t("briefing.top5_empty", lang),
            ha="left",
            va="center",
            fontsize=9,
            color="#444444",
        )
    for rank, (code, value) in enumerate(top.items(), start=1):
        ax.text(
            pad_x,
            y,
            f"{rank}.",
            ha="left",
            va="center",
            fontsize=10,
            fontweight="bold",
            color="#111111",
        )
        ax.add_patch(
            Rectangle(
                (pad_x + 0.26 / w, y - 0.09 / h),
                0.18 / w,
                0.18 / h,
                facecolor=fills.get(code) or NO_DATA_FILL,
                edgecolor="#666666",
                linewidth=0.5,
            )
        )
        ax.text(
            pad_x + 0.55 / w,
            y,
            regions.regency_name(code),
            ha="left",
            va="center",
            fontsize=9.5,
            color="#111111",
        )
        ax.text(
            1.0 - pad_x,
            y,
            format_number(float(value), lang, dec),
            ha="right",
            va="center",
            fontsize=10,
            fontweight="bold",
            color="#111111",
        )
        y -= step
    missing = int(values.reindex(list(_regency_shapes())).isna().sum())
    if missing:
        ax.text(
            pad_x,
            pad_y,
            t("briefing.top5_more_no_data", lang, n=missing),
            ha="left",
            va="bottom",
            fontsize=7.5,
            color="#444444",
            style="italic",
        )


def _footer(fig: Figure, lay: Layout, inp: BriefingInput) -> None:
    ax = fig.add_axes(lay.frac("footer"))
    ax.set_axis_off()
    width_in = lay.boxes["footer"][2]
    if inp.source:
        _fit(
            ax.text(
                0.0,
                0.98,
                inp.source,
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=8,
                color="#222222",
            ),
            width_in,
        )
    # the attribution on one line when a slightly smaller font allows it, else wrapped
    note = ax.text(
        0.0,
        0.12,
        source_text(regions.attribution(), inp.lang),
        transform=ax.transAxes,
        ha="left",
        va="bottom",
        fontsize=6.5,
        color="#555555",
        linespacing=1.15,
    )
    _fit(note, width_in, min_size=6.0)
    if note.get_window_extent(fig.canvas.get_renderer()).width > width_in * fig.dpi:
        note.set_fontsize(6.5)
        chars = int(width_in * 72 / (6.5 * 0.52))  # ~0.52 em per character
        note.set_text("\n".join(textwrap.wrap(source_text(regions.attribution(), inp.lang), chars)))


def _watermark(fig: Figure, lay: Layout, inp: BriefingInput) -> None:
    angle = math.degrees(math.atan2(lay.height, lay.width))
    text = fig.text(
        0.5,
        0.5,
        t("briefing.watermark", inp.lang),
        ha="center",
        va="center",
        rotation=0,
        fontsize=72,
        fontweight="bold",
        color="#B00020",
        alpha=0.16,
        zorder=100,
    )
    _fit(text, 0.72 * math.hypot(lay.width, lay.height))  # 72 % of the page diagonal
    text.set_rotation(angle)
    text.set_rotation_mode("anchor")


def draw_panels(fig: Figure, lay: Layout, inp: BriefingInput) -> None:
    """The map, its three legends and the five highest, each into `lay`'s box of the same name
    ("map", "legend_values", "legend_map", "legend_alerts", "top5"): the situation report
    (viz/sitrep.py) places them on a portrait page. Call it holding RENDER_LOCK."""
    _map(fig, lay, inp)
    _legend_values(fig, lay, inp)
    _legend_map(fig, lay, inp)
    _legend_alerts(fig, lay, inp)
    _top5(fig, lay, inp)


def figure(inp: BriefingInput, size: str = "a4", dpi: int = 150) -> Figure:
    """The briefing as a matplotlib Figure on an Agg canvas (callers may add to it)."""
    _check("png", size, inp.marking)
    lay = layout(size, dpi)
    fig = Figure(figsize=(lay.width, lay.height), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    _banner(fig, lay, "banner_top", inp)
    _title(fig, lay, inp)
    draw_panels(fig, lay, inp)
    _footer(fig, lay, inp)
    _banner(fig, lay, "banner_bottom", inp)
    if inp.demo:
        _watermark(fig, lay, inp)
    return fig


def render(inp: BriefingInput, fmt: str = "png", size: str = "a4", dpi: int = 150) -> bytes:
    """The briefing as PNG or single-page PDF bytes; size "a4" (landscape) or "16:9"."""
    _check(fmt, size, inp.marking)
    with _LOCK:
        fig = figure(inp, size, dpi)
        buf = io.BytesIO()
        meta = (
            {
                "Title": t("briefing.title", inp.lang),
                "Subject": inp.marking,
                "Creator": "Timpora NTB",
            }
            if fmt == "pdf"
            else {"Software": "Timpora NTB"}
        )
        fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white", metadata=meta)
    return buf.getvalue()


# --- the overview's map (a picture, not a plotly chart) --------------------------------------

OVERVIEW_WIDTH_PX = 1440  # <= Streamlit's widest image (1460 px): st.image sends it unchanged
OVERVIEW_DPI = 150
OVERVIEW_LEGEND_IN = 1.45


@lru_cache(maxsize=4)
def overview_layout(width_px: int = OVERVIEW_WIDTH_PX, dpi: int = OVERVIEW_DPI) -> Layout:
    """The map across the width and its three legends in a row below it (no banner, title or
    footer: the overview page around it carries those)."""
    W = width_px / dpi
    margin, gap = 0.04, 0.1
    map_w = W - 2 * margin
    map_h = map_w / MAP_RATIO
    H = round((2 * margin + map_h + gap + OVERVIEW_LEGEND_IN) * dpi) / dpi
    boxes = {"map": (margin, H - margin - map_h, map_w, map_h)}
    row_w, x = W - 2 * margin + gap, margin
    for name, share in zip(("legend_values", "legend_map", "legend_alerts"), (0.3, 0.32, 0.38)):
        boxes[name] = (x, margin, row_w * share - gap, OVERVIEW_LEGEND_IN)
        x += row_w * share
    return Layout(W, H, boxes)


def overview_png(inp: BriefingInput, width_px: int = OVERVIEW_WIDTH_PX) -> bytes:
    """The overview's map as PNG: the briefing's map (same palette, outlines, offices, ports,
    incidents, scale bar, north arrow) with its three legends and, for demo data, the briefing's
    diagonal watermark, drawn on the server so the first page after sign-in needs no plotly.js.
    `map_pixel`-style positions: overview_pixel()."""
    lay = overview_layout(width_px, OVERVIEW_DPI)
    with _LOCK:
        fig = Figure(figsize=(lay.width, lay.height), dpi=OVERVIEW_DPI, facecolor="white")
        FigureCanvasAgg(fig)
        _map(fig, lay, inp)
        _legend_values(fig, lay, inp)
        _legend_map(fig, lay, inp)
        _legend_alerts(fig, lay, inp)
        if inp.demo:  # the picture may be saved and pasted alone: it says itself it is demo data
            _watermark(fig, lay, inp)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=OVERVIEW_DPI, metadata={"Software": "Timpora NTB"})
    return buf.getvalue()


def overview_pixel(
    lon: float, lat: float, width_px: int = OVERVIEW_WIDTH_PX
) -> tuple[float, float]:
    """Where (lon, lat) lands in overview_png(): (column, row) in pixels, origin top-left."""
    lay = overview_layout(width_px, OVERVIEW_DPI)
    x, y, w, h = lay.boxes["map"]
    fx = x + (lon - LON0) / (LON1 - LON0) * w
    fy = y + (lat - LAT0) / (LAT1 - LAT0) * h
    return fx * OVERVIEW_DPI, (lay.height - fy) * OVERVIEW_DPI
