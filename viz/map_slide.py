"""What makes the browser map a slide: a screenshot of it, or plotly's own "download as PNG",
carries the marking (top and bottom, coloured as in the printed briefing), a title with the
metric, period and phase, the legends inside the figure, regency names, a scale bar and a north
arrow, the source line and, for demo data, a watermark.

Everything is placed in pixels from the figure's top and converted to plotly's paper fractions
(the figure has no margins, so paper = the whole figure). The browser map has a fixed extent, so
its width decides its height; `compact` is the layout for a phone (~360 px wide): fewer words,
smaller type, legends stacked.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import textwrap
from dataclasses import dataclass

import plotly.graph_objects as go

from i18n import formats, t
from viz import style
from viz.web_geo import MAP_LON

BANNER_PX = 22
SCALE_KM = 50
SCALE_AT = (115.84, -9.06)  # lon, lat of the scale bar's left end (sea south-west of Lombok)
NORTH_AT = (
    115.88,
    -8.40,
    -8.24,
)  # lon, lat of the arrow's foot and head (sea north-west of Lombok)
# The width the layout must work at: the map page's chart at 1440x900 is ~980 px wide, a
# phone's ~358 px. Labels are spread and the source line wrapped for the narrower of each.
MIN_WIDTH_PX = {False: 900, True: 350}
WGS84_A_KM, WGS84_E2 = 6378.137, 0.00669437999014


class Draft:
    """A map figure's parts gathered as plain data and made into one go.Figure at the end
    (figure()). plotly's Figure walks its layout again on every add_trace, add_annotation and
    update_layout, even unvalidated: 37 ms of CPU for the map page's figure, against 2 ms for the
    same figure made at once. Traces are plain dicts with their `type` (a go.Scattergeo checks
    every property as it is made, ~1 ms a trace); traces and layout are checked when a test puts
    the finished figure through plotly's full validation (tests/unit/test_map_figures.py).
    Nested dicts throughout (no "a_b" shorthand)."""

    def __init__(self) -> None:
        self.data: list = []
        self.layout: dict = {}

    def add_trace(self, trace) -> None:
        self.data.append(trace)

    def add_annotation(self, **annotation) -> None:
        self.layout.setdefault("annotations", []).append(annotation)

    def add_shape(self, **shape) -> None:
        self.layout.setdefault("shapes", []).append(shape)

    def update_layout(self, parts: dict | None = None, **more) -> None:
        _merge(self.layout, {**(parts or {}), **more})

    def figure(self) -> go.Figure:
        return Finished(data=self.data, layout=self.layout, _validate=False)


class Finished(go.Figure):
    """A figure nothing changes any more (ui.data caches the map's and shares it between
    sessions). Streamlit asks for its dict on every run of the page; plotly makes it by
    deep-copying the figure and walking all of it for NumPy arrays to encode (2.4 ms for the map,
    more on a loaded server). Here that dict is made once and handed out as a copy (0.5 ms)."""

    _made: dict | None = None

    def to_dict(self) -> dict:
        if self._made is None:
            self._made = super().to_dict()
        return copy.deepcopy(self._made)


def _merge(into: dict, parts: dict) -> None:
    """Nested dicts merged key by key (as plotly's update_layout does); anything else replaced."""
    for key, value in parts.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


@dataclass(frozen=True)
class Slide:
    """The words a slide carries, already in the user's language (see slide_title())."""

    title: str
    subtitle: str
    marking: str
    source: str
    demo: bool


def km_per_degree_lon(lat: float) -> float:
    """Length of one degree of longitude at `lat` on the WGS84 ellipsoid (110.08 km at NTB)."""
    phi = math.radians(lat)
    return math.pi / 180 * WGS84_A_KM * math.cos(phi) / math.sqrt(1 - WGS84_E2 * math.sin(phi) ** 2)


def period_text(start: dt.date, end: dt.date, lang: str) -> str:
    return (
        formats.date(start, lang)
        if start == end
        else f"{formats.date(start, lang)}–{formats.date(end, lang)}"
    )


def phase_text(phases: list, lang: str) -> str:
    """The phases a period covers: one name, "first – last", or "outside the phases"."""
    if not phases:
        return t("overview.no_phase", lang)
    if len(phases) == 1:
        return phases[0].name(lang)
    return f"{phases[0].name(lang)} – {phases[-1].name(lang)}"


def slide_title(metric_label: str, start: dt.date, end: dt.date, phases: list, lang: str) -> str:
    return t(
        "map.slide_title",
        lang,
        metric=metric_label,
        period=period_text(start, end, lang),
        phase=phase_text(phases, lang),
    )


@dataclass(frozen=True)
class Frame:
    """Vertical layout in px from the top: the title block, the map, the legend block, the
    source line; `height` is the whole figure."""

    height: int
    map_top: int
    map_bottom: int
    legend_top: int
    source_top: int
    source_lines: tuple[str, ...]
    compact: bool

    def y(self, px: float) -> float:
        """px from the top -> plotly paper fraction (0 = bottom)."""
        return 1 - px / self.height


LEGEND_ROW = {
    False: 19,
    True: 21,
}  # px per legend entry (measured in Chromium; a phone's is taller)
COLORBAR_PX = {False: 44, True: 62}  # title, bar and tick labels
COLORBAR_LEN = {False: 0.22, True: 0.7}  # of the plot's width
NARROWEST_PX = {False: 800, True: 358}  # the plot's width in the narrowest browser expected
TICK_PX = 10  # the colour bar's tick labels; a digit is ~0.64 of it


def colorbar_room(compact: bool) -> float:
    """How many digits of tick labels the colour bar holds in the narrowest browser expected."""
    return COLORBAR_LEN[compact] * NARROWEST_PX[compact] / (TICK_PX * 0.64)


SOURCE_ROW = {False: 13, True: 12}
WRAP = {False: 170, True: 62}  # characters per source line


def legend_block_px(compact: bool) -> int:
    row = LEGEND_ROW[compact]
    if compact:  # colour bar; features | incidents (title + 5); ports (3)
        return COLORBAR_PX[True] + 6 * row + 6 + 3 * row
    return 6 * row  # side by side: colour bar, features, ports, incidents (title + 5)


def frame(height: int, slide: Slide | None, compact: bool) -> Frame:
    """Desktop: `height` is kept and the map gets what is left. Phone: the map gets what the width
    gives it (the fixed extent at ~358 px is ~110 px high) and the height follows."""
    top = (BANNER_PX + (80 if compact else 54)) if slide else 6
    lines = tuple(textwrap.wrap(slide.source, WRAP[compact])) if slide else ()
    bottom = (
        legend_block_px(compact)
        + 8
        + len(lines) * SOURCE_ROW[compact]
        + (BANNER_PX + 4 if slide else 0)
    )
    if compact:
        height = top + 120 + bottom
    map_bottom = height - bottom
    return Frame(
        height,
        top,
        map_bottom,
        map_bottom + 6,
        map_bottom + 8 + legend_block_px(compact),
        lines,
        compact,
    )


def place_legends(fig: Draft, fr: Frame, lang: str, metric_label: str) -> dict:
    """Three legends (map features, ports, incidents) below the map; returns the colour bar's
    settings, which sits beside (desktop) or above (phone) them."""
    row = LEGEND_ROW[fr.compact]
    font = dict(size=10 if fr.compact else 11, color=style.TEXT)
    common = dict(
        orientation="v",
        xanchor="left",
        yanchor="top",
        font=font,
        bgcolor="rgba(255,255,255,0)",
        itemsizing="constant",
        tracegroupgap=0,
        itemclick="toggle",
    )
    top = fr.legend_top
    if fr.compact:
        bar_px = COLORBAR_PX[True]
        spots = {
            "legend": (0.0, top + bar_px),
            "legend3": (0.56, top + bar_px),
            "legend2": (0.0, top + bar_px + 6 * row + 6),
        }
        bar = dict(x=0.0, len=COLORBAR_LEN[True])
    else:
        spots = {"legend": (0.26, top), "legend2": (0.49, top), "legend3": (0.77, top)}
        bar = dict(x=0.0, len=COLORBAR_LEN[False])
    fig.update_layout({name: dict(common, x=x, y=fr.y(px)) for name, (x, px) in spots.items()})
    fig.update_layout(
        legend3=dict(title=dict(text=t("map.incidents_by_severity", lang), font=font))
    )
    return dict(
        orientation="h",
        thickness=10,
        lenmode="fraction",
        xanchor="left",
        y=fr.y(top + 16),
        yanchor="top",
        title=dict(text=metric_label, side="top", font=font),
        tickfont=dict(size=TICK_PX),
        **bar,
    )


def spread(
    centres: list[float], half_widths: list[float], lo: float, hi: float, gap: float = 0.0
) -> list[float]:
    """Label centres (sorted west to east) pushed east just enough not to overlap, then the whole
    row pulled back west if it ran past `hi` (and kept east of `lo`)."""
    out = list(centres)
    for i in range(1, len(out)):
        out[i] = max(out[i], out[i - 1] + half_widths[i - 1] + half_widths[i] + gap)
    if out and (over := out[-1] + half_widths[-1] - hi) > 0:
        out = [c - over for c in out]
    if out and (under := lo - (out[0] - half_widths[0])) > 0:
        out = [c + under for c in out]
    return out


def degrees_per_px(compact: bool) -> float:
    return (MAP_LON[1] - MAP_LON[0]) / MIN_WIDTH_PX[compact]


def text_half_width_deg(text: str, size: float, compact: bool, bold: bool = False) -> float:
    """Half a label's width in degrees of longitude at the narrowest width the layout serves
    (~0.6 em per character, a little more in bold)."""
    return len(text) * size * (0.64 if bold else 0.58) / 2 * degrees_per_px(compact)


def scale_bar(fig: Draft, lang: str, km: int = SCALE_KM) -> None:
    """A 0-25-50 km bar in geo coordinates: its length is km / (km per degree of longitude at
    its latitude), true at NTB's latitude in the Mercator map."""
    lon0, lat = SCALE_AT
    step = km / 2 / km_per_degree_lon(lat)
    tick = 0.025
    xs = [lon0, lon0 + step, lon0 + 2 * step]
    fig.add_trace(
        dict(
            type="scattergeo",
            lon=[xs[0], xs[0], xs[2], xs[2], None, xs[1], xs[1]],
            lat=[lat + tick, lat, lat, lat + tick, None, lat, lat + tick * 0.7],
            mode="lines",
            line=dict(color=style.TEXT, width=2),
            hoverinfo="skip",
            showlegend=False,
            name="scale_bar",
        )
    )
    fig.add_trace(
        dict(
            type="scattergeo",
            lon=xs,
            lat=[lat + tick] * 3,
            mode="text",
            textposition="top center",
            hoverinfo="skip",
            showlegend=False,
            text=["0", str(km // 2), t("briefing.scale_km", lang, km=km)],
            textfont=dict(size=10, color=style.TEXT),
            name="scale_labels",
        )
    )


HEAD_PX = 13  # the north arrow's head


def north_arrow(fig: Draft, lang: str) -> None:
    lon, foot, head = NORTH_AT
    fig.add_trace(
        dict(
            type="scattergeo",
            lon=[lon, lon],
            lat=[foot, head],
            mode="lines+markers",
            hoverinfo="skip",
            line=dict(color=style.TEXT, width=2),
            showlegend=False,
            name="north_arrow",
            marker=dict(symbol=["line-ew", "triangle-up"], size=[1, HEAD_PX], color=style.TEXT),
        )
    )
    fig.add_trace(
        dict(
            type="scattergeo",
            lon=[lon],
            lat=[head],
            # An invisible marker the arrow head's size: plotly then sets the word above it by
            # that size in pixels, so "U" clears the head at every width of the map.
            mode="markers+text",
            marker=dict(size=HEAD_PX, opacity=0),
            text=[f"<b>{t('briefing.north', lang)}</b>"],
            textposition="top center",
            textfont=dict(size=12, color=style.TEXT),
            hoverinfo="skip",
            showlegend=False,
            name="north_label",
        )
    )


def _banner(fig: Draft, fr: Frame, marking: str, lang: str, top_px: float) -> None:
    bg, fg = style.MARKING_COLOURS[marking]
    y0, y1 = fr.y(top_px + BANNER_PX), fr.y(top_px)
    fig.add_shape(
        type="rect",
        xref="paper",
        yref="paper",
        x0=0,
        x1=1,
        y0=y0,
        y1=y1,
        fillcolor=bg,
        line=dict(width=0),
        layer="above",
        name="marking",
    )
    word = t(f"briefing.marking.{marking}", lang)
    spots = [(0.5, "center")] if fr.compact else [(0.01, "left"), (0.5, "center"), (0.99, "right")]
    for x, anchor in spots:
        fig.add_annotation(
            x=x,
            y=(y0 + y1) / 2,
            xref="paper",
            yref="paper",
            text=f"<b>{word}</b>",
            showarrow=False,
            xanchor=anchor,
            yanchor="middle",
            font=dict(color=fg, size=12 if anchor == "center" else 10),
            name="marking",
        )


def decorate(fig: Draft, slide: Slide, fr: Frame, lang: str) -> None:
    """Banners, title, source line and watermark on a map figure laid out by `fr`."""
    _banner(fig, fr, slide.marking, lang, 0)
    _banner(fig, fr, slide.marking, lang, fr.height - BANNER_PX)
    size = 13 if fr.compact else 16
    title = slide.title
    if fr.compact:  # metric, period and phase each on a line of its own
        title = "<br>".join(title.split(" · "))
    fig.add_annotation(
        x=0,
        y=fr.y(BANNER_PX + 6),
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="top",
        text=f"<b>{title}</b>",
        showarrow=False,
        align="left",
        name="title",
        font=dict(size=size, color="#111111"),
    )
    fig.add_annotation(
        x=0,
        y=fr.y(fr.map_top - 2),
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="bottom",
        text=slide.subtitle,
        showarrow=False,
        align="left",
        name="subtitle",
        font=dict(size=10 if fr.compact else 12, color="#333333"),
    )
    fig.add_annotation(
        x=0,
        y=fr.y(fr.source_top),
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="top",
        text="<br>".join(fr.source_lines),
        showarrow=False,
        align="left",
        name="source",
        font=dict(size=9 if fr.compact else 10, color="#444444"),
    )
    if slide.demo:
        mid = fr.y((fr.map_top + fr.map_bottom) / 2)
        fig.add_annotation(
            x=0.5,
            y=mid,
            xref="paper",
            yref="paper",
            text=f"<b>{t('briefing.watermark', lang)}</b>",
            showarrow=False,
            textangle=-12,
            opacity=0.18,
            name="watermark",
            font=dict(size=26 if fr.compact else 56, color="#B00020"),
        )


def image_options(name: str, height: int) -> dict:
    """plotly's "download as PNG" (modebar): a 16:9 picture at twice the pixels, named for its content."""
    return {
        "format": "png",
        "filename": name,
        "height": height,
        "width": round(height * 16 / 9),
        "scale": 2,
    }
