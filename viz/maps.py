"""Plotly figures for the map pages (no Streamlit here): the regency choropleth with office
areas, offices, ports and incident markers (a slide with viz/map_slide.py); drill-down charts.
Colours come from viz/style.py, shared with the printed briefing.

Offline: the figure uses only our own GeoJSON, which the browser fetches from this server's
static/geo/ (see viz/web_geo.py: a render carries codes and numbers, not polygons); base layers
are hidden, and plotly.js's world TopoJSON request goes to the stubs in static/.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from domain.agencies import supporting_agencies
from domain.regions import offices, ports, regency_name, web_regency_geometries
from i18n import formats, t
from viz import map_slide, style, web_geo
from viz.map_slide import Slide
from viz.web_geo import MAP_LAT, MAP_LON

TOPOJSON_URL = "/app/static/"  # where the stub world files are served (see static/README.md)
PLOTLY_CONFIG = {"topojsonURL": TOPOJSON_URL, "displaylogo": False, "scrollZoom": True}
MAP_HEIGHT = 540  # the map page's chart, px (ui/warm.py fills the caches for the same figure)
HALO = "0 0 2px white, 0 0 2px white, 0 0 3px white"  # CSS text-shadow: a dark name on any fill
DARK_HALO = "0 0 2px #1A1A1A, 0 0 2px #1A1A1A, 0 0 3px #1A1A1A"  # a white name (style.label_on)
OFFICE_LINE = style.OFFICE


def fmt_number(value: float, lang: str, decimals: int = 0) -> str:
    """1.234,5 in Indonesian, 1,234.5 in English (i18n.formats); a missing value says "no data"."""
    text = formats.number(value, lang, decimals)
    return t("map.no_data", lang) if text == formats.MISSING else text


def plotly_config(lang: str) -> dict:
    """PLOTLY_CONFIG with plotly's own axis words (months, days) and separators in `lang`."""
    return {**PLOTLY_CONFIG, "locale": lang, "locales": {lang: formats.plotly_locale(lang)}}


def metric_decimals(metric: str) -> int:
    return 1 if metric in ("per_1000_voters", "risk_score") else 0


def regency_map(
    table: pd.DataFrame,
    metric: str,
    lang: str,
    areas: dict[str, str],
    markers: pd.DataFrame | None = None,
    selected: str | None = None,
    height: int = 640,
    slide: Slide | None = None,
    compact: bool = False,
) -> go.Figure:
    """table: regency_table() output (index = code) with a `value` column for the metric.
    With `slide`, the figure carries the marking, title, source line and demo watermark
    (viz/map_slide.py); `compact` lays it out for a phone."""
    # Gathered as plain data and made into a figure once at the end (map_slide.Draft): plotly
    # re-walks a Figure's layout on every add and update, which was most of the map page's rerun
    # on a new period (py-spy). The traces are plain dicts too (a go.Scattergeo checks each
    # property as it is made: 20 of the 28 ms of a build); numbers go in as NumPy arrays or lists,
    # never pandas Series (plotly converts those through narwhals). A test puts the finished
    # figure through plotly's full validation.
    fig = map_slide.Draft()
    fr = map_slide.frame(height, slide, compact)
    label = t(f"metric.{metric}", lang)
    dec = metric_decimals(metric)
    regencies = web_geo.URL + web_geo.REGENCIES
    values = table["value"].to_numpy(dtype=float)
    has = ~np.isnan(values)
    short = offices()["short_name"]
    office_word = t("map.office", lang)
    hover = [
        f"<b>{regency_name(c)}</b><br>{label}: {fmt_number(v, lang, dec)}"
        f"<br>{office_word}: {short[areas[c]] if c in areas else '-'}"
        for c, v in zip(table.index, values)
    ]
    if not has.all():
        fig.add_trace(
            dict(
                type="choropleth",
                geojson=regencies,
                locations=list(table.index[~has]),
                z=[0] * int((~has).sum()),
                colorscale=[[0, style.NO_DATA], [1, style.NO_DATA]],
                showscale=False,
                marker=dict(line=dict(color=style.REGENCY_EDGE, width=0.8)),
                name=t("map.no_data", lang),
                hovertext=[h for h, k in zip(hover, has) if not k],
                hoverinfo="text",
            )
        )
        fig.add_trace(
            dict(
                type="scattergeo",
                lon=[None],
                lat=[None],
                mode="markers",
                name=t("map.no_data", lang),
                marker=dict(symbol="square", size=12, color=style.NO_DATA),
                legend="legend",
            )
        )
    zmax = float(values[has].max()) if has.any() else 1.0
    ticks, tick_dec = style.colourbar_ticks(
        zmax,
        integer=dec == 0,
        label=lambda v, d: formats.number(v, lang, d),
        room=map_slide.colorbar_room(compact),
    )
    fig.add_trace(
        dict(
            type="choropleth",
            geojson=regencies,
            locations=list(table.index[has]),
            z=values[has].tolist(),
            colorscale=style.colorscale(),
            zmin=0,
            zmax=max(zmax, 1e-9),
            marker=dict(line=dict(color=style.REGENCY_EDGE, width=0.8)),
            colorbar=dict(
                map_slide.place_legends(fig, fr, lang, label),
                tickvals=ticks,
                ticktext=[formats.number(v, lang, tick_dec) for v in ticks],
            ),
            hovertext=[h for h, k in zip(hover, has) if k],
            hoverinfo="text",
            name=label,
            customdata=list(table.index[has]),
        )
    )

    # Office areas: outlines only (transparent fill), drawn from the served file; a line entry
    # with no points stands for them in the legend, which does not list choropleths.
    area_ids = web_geo.office_area_ids(areas)
    clear = [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]]
    if selected in table.index:
        # The chosen regency: its larger islands outlined (web_geo.REGENCY_OUTLINES); its islets
        # keep their fill and thin edge, so they stay islands and do not turn into blobs.
        fig.add_trace(
            dict(
                type="choropleth",
                geojson=web_geo.URL + web_geo.REGENCY_OUTLINES,
                locations=[selected],
                z=[0],
                colorscale=clear,
                showscale=False,
                marker=dict(line=dict(color=style.SELECTED, width=2.5)),
                hoverinfo="skip",
                name="selected",
            )
        )
    fig.add_trace(
        dict(
            type="choropleth",
            geojson=web_geo.URL + web_geo.OFFICE_AREAS,
            locations=list(area_ids.values()),
            z=[0] * len(area_ids),
            colorscale=clear,
            showscale=False,
            marker=dict(line=dict(color=style.OFFICE, width=2.5)),
            hoverinfo="skip",
            name=t("map.office_area", lang),
        )
    )
    fig.add_trace(
        dict(
            type="scattergeo",
            lon=[None],
            lat=[None],
            mode="lines",
            line=dict(color=style.OFFICE, width=2.5),
            name=t("map.office_area", lang),
            hoverinfo="skip",
            legend="legend",
        )
    )
    if not compact:
        top = max(zmax, 1e-9)
        _regency_names(
            fig, {c: style.fill_at(v / top) for c, v, k in zip(table.index, values, has) if k}
        )
    _office_labels(fig, areas, area_ids, lang, compact)

    off = offices()
    active = off[off["id"].isin(set(areas.values()))]
    fig.add_trace(
        dict(
            type="scattergeo",
            lon=active["lon"].to_numpy(),
            lat=active["lat"].to_numpy(),
            mode="markers",
            legend="legend",
            marker=dict(
                symbol="star", size=14, color=style.OFFICE, line=dict(color="white", width=1)
            ),
            name=t("map.offices", lang),
            hovertext=[html.escape(n) for n in active["name"]],
            hoverinfo="text",
        )
    )
    pts = ports()
    for tpi, symbol in (("yes", "diamond"), ("unknown", "diamond-open"), ("no", "circle-open")):
        sub = pts[pts["official_tpi"] == tpi]
        if len(sub):
            fig.add_trace(
                dict(
                    type="scattergeo",
                    lon=sub["lon"].to_numpy(),
                    lat=sub["lat"].to_numpy(),
                    mode="markers",
                    legend="legend2",
                    marker=dict(
                        symbol=symbol,
                        size=9,
                        color=style.PORT,
                        line=dict(width=1.5, color=style.PORT),
                    ),
                    name=t(f"map.port_{tpi}", lang),
                    hovertext=[html.escape(n) for n in sub["name"]],
                    hoverinfo="text",
                )
            )

    _incidents(fig, markers, lang)
    map_slide.scale_bar(fig, lang)
    map_slide.north_arrow(fig, lang)
    if slide is not None:
        map_slide.decorate(fig, slide, fr, lang)

    # Fixed NTB extent (not fitbounds): the subplot then takes NTB's wide aspect and fills the width.
    fig.update_layout(
        geo=dict(
            visible=False,
            projection=dict(type="mercator"),
            bgcolor="rgba(0,0,0,0)",
            lonaxis=dict(range=list(MAP_LON)),
            lataxis=dict(range=list(MAP_LAT)),
            domain=dict(x=[0, 1], y=[fr.y(fr.map_bottom), fr.y(fr.map_top)]),
        ),
        height=fr.height,
        margin=dict(l=0, r=0, t=0, b=0),
        uirevision="ntb-map",
        separators=",." if lang == "id" else ".,",  # 1.234,5 in Indonesian, 1,234.5 in English
        hoverlabel=dict(bgcolor="white", font=dict(size=12)),
        dragmode="pan",
        clickmode="event+select",
    )
    return fig.figure()


def _regency_names(fig: map_slide.Draft, fills: dict[str, str]) -> None:
    """Each regency's name below its interior point, or at its spot in style.LABEL_AT (the two
    small cities with a leader line). On its own fill (`fills`: code -> colour; no data: grey) a
    name is dark with a white halo, or white with a dark halo where the fill is dark
    (style.label_on); a name placed in the sea is dark."""
    inner = {c: g.representative_point() for c, g in web_regency_geometries().items()}
    lon, lat, text, where, leaders, colours = [], [], [], [], [], []
    for code, pt in sorted(inner.items()):
        name = (
            regency_name(code) if code.startswith("52.7") else regency_name(code, with_kind=False)
        )
        x, y, ha, leader = style.LABEL_AT.get(code, (pt.x, pt.y, "center", False))
        lon.append(x), lat.append(y), text.append(name)
        colours.append(style.TEXT if leader else style.label_on(fills.get(code, style.NO_DATA)))
        where.append(
            {
                "center": "bottom center" if code not in style.LABEL_AT else "middle center",
                "right": "middle left",
                "left": "middle right",
            }[ha]
        )
        if leader:
            leaders += [(x, y), (pt.x, pt.y), (None, None)]
    if leaders:
        fig.add_trace(
            dict(
                type="scattergeo",
                lon=[p[0] for p in leaders],
                lat=[p[1] for p in leaders],
                mode="lines",
                line=dict(color="#555555", width=0.8),
                hoverinfo="skip",
                showlegend=False,
                name="regency_leaders",
            )
        )
    fig.add_trace(
        dict(
            type="scattergeo",
            lon=lon,
            lat=lat,
            text=text,
            mode="text",
            textposition=where,
            hoverinfo="skip",
            showlegend=False,
            name="regency_names",
            textfont=dict(
                size=10.5,
                color=colours,
                shadow=[HALO if c == style.TEXT else DARK_HALO for c in colours],
            ),
        )
    )


def _office_labels(
    fig: map_slide.Draft, areas: dict[str, str], area_ids: dict[str, str], lang: str, compact: bool
) -> None:
    """Each office area's name in the sea north of it, spread so no two touch even at the
    narrowest width the layout serves (map_slide.MIN_WIDTH_PX); on a phone without "Kanim"."""
    labels = web_geo.office_labels()
    size = 10 if compact else 13
    items = sorted((labels[fid][0], labels[fid][1], office) for office, fid in area_ids.items())
    short = offices()["short_name"]
    text = [
        short[o] if compact else t("map.office_label", lang, name=short[o]) for _, _, o in items
    ]
    half = [map_slide.text_half_width_deg(s, size, compact, bold=True) for s in text]
    lons = map_slide.spread(
        [x for x, _, _ in items],
        half,
        MAP_LON[0] + 0.02,
        MAP_LON[1] - 0.02,
        gap=6 * map_slide.degrees_per_px(compact),
    )
    fig.add_trace(
        dict(
            type="scattergeo",
            lon=lons,
            lat=[y for _, y, _ in items],
            mode="text",
            text=[f"<b>{s}</b>" for s in text],
            textfont=dict(size=size, color=style.OFFICE, shadow=HALO),
            showlegend=False,
            hoverinfo="skip",
            name="office_labels",
        )
    )


def _incidents(fig: map_slide.Draft, markers: pd.DataFrame | None, lang: str) -> None:
    """Incident markers by severity (1 and 2 share a colour and a legend entry, as in the
    briefing); an election-related one has a black edge."""
    if markers is None or not len(markers):
        return
    for group in ((5,), (4,), (3,), (1, 2)):
        sub = markers[markers["severity"].isin(group)]
        if sub.empty:
            continue
        colour, size, _ = style.SEVERITY[group[0]]
        text = [
            f"{t('category.' + c, lang)}<br>{t('map.severity', lang)} {s} · {d}"
            f"<br>{t('map.agency', lang)}: {html.escape(str(a))}"
            + (
                f"<br>{t('map.supporting', lang)}: {html.escape(', '.join(sup))}"
                if (sup := supporting_agencies(c, str(a)))
                else ""
            )
            + f"<br>{t('status.' + st_, lang)}"
            + ("" if loc else f"<br><i>{t('map.at_regency_centre', lang)}</i>")
            + (f"<br><b>{t('map.election_related', lang)}</b>" if el else "")
            for c, s, d, a, st_, loc, el in zip(
                sub["category"],
                sub["severity"],
                sub["incident_date"],
                sub["responsible_agency"],
                sub["status"],
                sub["located"],
                sub["election_related"],
            )
        ]
        # One trace per level and edge (scalar marker styles: plotly styles a trace's points
        # once, not point by point from arrays); one legend entry per level.
        named = False
        lon, lat = sub["lon"].to_numpy(dtype=float), sub["lat"].to_numpy(dtype=float)
        related = sub["election_related"].to_numpy(dtype=bool)
        for election in (False, True):
            keep = related == election
            if not keep.any():
                continue
            fig.add_trace(
                dict(
                    type="scattergeo",
                    lon=lon[keep].round(4),
                    lat=lat[keep].round(4),
                    mode="markers",
                    legend="legend3",
                    legendgroup="alerts",
                    showlegend=not named,
                    marker=dict(
                        size=size,
                        color=colour,
                        opacity=0.9,
                        line=dict(
                            color=style.ELECTION_EDGE if election else "white",
                            width=2 if election else 0.5,
                        ),
                    ),
                    name=t("map.severity_level", lang, severity="–".join(map(str, sorted(group)))),
                    hovertext=[h for h, k in zip(text, keep) if k],
                    hoverinfo="text",
                )
            )
            named = True
    colour, size, _ = style.SEVERITY[3]
    fig.add_trace(
        dict(
            type="scattergeo",
            lon=[None],
            lat=[None],
            mode="markers",
            legend="legend3",
            hoverinfo="skip",
            marker=dict(size=size, color=colour, line=dict(color=style.ELECTION_EDGE, width=2)),
            name=t("map.election_edge", lang),
        )
    )


def bar_figure(df: pd.DataFrame, x: str, y: str, title: str, height: int = 300) -> go.Figure:
    fig = go.Figure(go.Bar(x=df[x], y=df[y], orientation="h", marker_color=style.SEQUENTIAL[5]))
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        yaxis=dict(autorange="reversed"),
    )
    return fig
