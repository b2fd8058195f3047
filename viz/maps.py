"""Plotly figures for the map pages (no Streamlit here): the regency choropleth with office
areas, offices, ports and alert markers; drill-down charts.

Offline: the figure uses only our own GeoJSON, which the browser fetches from this server's
static/geo/ (see viz/web_geo.py: a render carries codes and numbers, not polygons); base layers
are hidden, and plotly.js's world TopoJSON request goes to the stubs in static/.
"""
from __future__ import annotations

import datetime as dt
import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from domain.agencies import supporting_agencies
from domain.regions import offices, ports, regency_name
from i18n import formats, t
from viz import web_geo
from viz.web_geo import MAP_LAT, MAP_LON

COLOR_SCALE = "YlOrRd"
NO_DATA_COLOR = "#d9d9d9"
OFFICE_LINE = "#1f3b73"
SEVERITY_STYLE = {  # severity -> (colour, size)
    1: ("#fde725", 7), 2: ("#fbb61a", 8), 3: ("#f1731d", 10), 4: ("#d62728", 12), 5: ("#7f0000", 15),
}
TOPOJSON_URL = "/app/static/"  # where the stub world files are served (see static/README.md)
PLOTLY_CONFIG = {"topojsonURL": TOPOJSON_URL, "displaylogo": False, "scrollZoom": True}


def fmt_number(value: float, lang: str, decimals: int = 0) -> str:
    """1.234,5 in Indonesian, 1,234.5 in English (i18n.formats); a missing value says "no data"."""
    text = formats.number(value, lang, decimals)
    return t("map.no_data", lang) if text == formats.MISSING else text


def plotly_config(lang: str) -> dict:
    """PLOTLY_CONFIG with plotly's own axis words (months, days) and separators in `lang`."""
    return {**PLOTLY_CONFIG, "locale": lang, "locales": {lang: formats.plotly_locale(lang)}}


def metric_decimals(metric: str) -> int:
    return 1 if metric in ("per_1000_voters", "risk_score") else 0


def regency_map(table: pd.DataFrame, metric: str, lang: str, areas: dict[str, str],
                markers: pd.DataFrame | None = None, selected: str | None = None, height: int = 640) -> go.Figure:
    """table: regency_table() output (index = code) with a `value` column for the metric."""
    fig = go.Figure()
    label = t(f"metric.{metric}", lang)
    dec = metric_decimals(metric)
    regencies = web_geo.URL + web_geo.REGENCIES
    has = table["value"].notna()
    hover = [
        f"<b>{regency_name(c)}</b><br>{label}: {fmt_number(v, lang, dec)}"
        f"<br>{t('map.office', lang)}: {offices().loc[areas[c], 'short_name'] if c in areas else '-'}"
        for c, v in zip(table.index, table["value"])
    ]
    hover = pd.Series(hover, index=table.index)
    if (~has).any():
        fig.add_trace(go.Choropleth(
            geojson=regencies, locations=list(table.index[~has]), z=[0] * int((~has).sum()),
            colorscale=[[0, NO_DATA_COLOR], [1, NO_DATA_COLOR]], showscale=False,
            marker_line_color="white", marker_line_width=0.8, name=t("map.no_data", lang),
            hovertext=list(hover[~has]), hoverinfo="text"))
    zmax = float(table.loc[has, "value"].max()) if has.any() else 1.0
    fig.add_trace(go.Choropleth(
        geojson=regencies, locations=list(table.index[has]), z=list(table.loc[has, "value"]),
        colorscale=COLOR_SCALE, zmin=0, zmax=max(zmax, 1e-9),
        marker_line_color=["black" if c == selected else "white" for c in table.index[has]],
        marker_line_width=[3 if c == selected else 0.8 for c in table.index[has]],
        # Colour bar and legend below the map: readable on a phone (390 px) and a wide screen alike.
        colorbar=dict(title=dict(text=label, side="top"), orientation="h", thickness=12, len=0.5,
                      x=0.0, xanchor="left", y=0.0, yanchor="top"),
        hovertext=list(hover[has]), hoverinfo="text", name=label, customdata=list(table.index[has])))

    # Office areas: outlines only (transparent fill), drawn from the served file; a line entry
    # with no points stands for them in the legend, which does not list choropleths.
    area_ids = web_geo.office_area_ids(areas)
    clear = [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]]
    fig.add_trace(go.Choropleth(
        geojson=web_geo.URL + web_geo.OFFICE_AREAS, locations=list(area_ids.values()), z=[0] * len(area_ids),
        colorscale=clear, showscale=False, marker_line_color=OFFICE_LINE, marker_line_width=3.5,
        hoverinfo="skip", name=t("map.office_area", lang)))
    fig.add_trace(go.Scattergeo(lon=[None], lat=[None], mode="lines", line=dict(color=OFFICE_LINE, width=3.5),
                                name=t("map.office_area", lang), hoverinfo="skip"))
    labels = web_geo.office_labels()
    fig.add_trace(go.Scattergeo(
        lon=[labels[i][0] for i in area_ids.values()], lat=[labels[i][1] for i in area_ids.values()], mode="text",
        text=[f"<b>{t('map.office_label', lang, name=offices().loc[o, 'short_name'])}</b>" for o in area_ids],
        textfont=dict(size=13, color=OFFICE_LINE), showlegend=False, hoverinfo="skip"))

    off = offices()
    active = off[off["id"].isin(set(areas.values()))]
    fig.add_trace(go.Scattergeo(
        lon=active["lon"], lat=active["lat"], mode="markers",
        marker=dict(symbol="star", size=14, color=OFFICE_LINE, line=dict(color="white", width=1)),
        name=t("map.offices", lang), hovertext=[html.escape(n) for n in active["name"]], hoverinfo="text"))
    pts = ports()
    for tpi, symbol in (("yes", "triangle-up"), ("unknown", "triangle-up-open"), ("no", "circle-open")):
        sub = pts[pts["official_tpi"] == tpi]
        if len(sub):
            fig.add_trace(go.Scattergeo(
                lon=sub["lon"], lat=sub["lat"], mode="markers",
                marker=dict(symbol=symbol, size=10, color="#2c7fb8", line=dict(width=1.5, color="#2c7fb8")),
                name=t(f"map.port_{tpi}", lang), hovertext=[html.escape(n) for n in sub["name"]], hoverinfo="text"))

    if markers is not None and len(markers):
        for sev in sorted(SEVERITY_STYLE, reverse=True):
            sub = markers[markers["severity"] == sev]
            if sub.empty:
                continue
            colour, size = SEVERITY_STYLE[sev]
            text = [
                f"{t('category.' + c, lang)}<br>{t('map.severity', lang)} {s} · {d}"
                f"<br>{t('map.agency', lang)}: {html.escape(str(a))}"
                + (f"<br>{t('map.supporting', lang)}: {html.escape(', '.join(sup))}"
                   if (sup := supporting_agencies(c, str(a))) else "")
                + f"<br>{t('status.' + st_, lang)}"
                + ("" if loc else f"<br><i>{t('map.at_regency_centre', lang)}</i>")
                + (f"<br><b>{t('map.election_related', lang)}</b>" if el else "")
                for c, s, d, a, st_, loc, el in zip(sub["category"], sub["severity"], sub["incident_date"],
                                                     sub["responsible_agency"], sub["status"], sub["located"],
                                                     sub["election_related"])]
            fig.add_trace(go.Scattergeo(
                lon=sub["lon"], lat=sub["lat"], mode="markers",
                marker=dict(size=size, color=colour, opacity=0.85,
                            line=dict(color=np.where(sub["election_related"], "black", "white").tolist(),
                                      width=np.where(sub["election_related"], 2, 0.5).tolist())),
                name=t("map.incident_severity", lang, severity=sev), legendgroup="alerts",
                hovertext=text, hoverinfo="text"))

    # Fixed NTB extent (not fitbounds): the subplot then takes NTB's wide aspect and fills the width.
    fig.update_geos(visible=False, projection_type="mercator", bgcolor="rgba(0,0,0,0)",
                    lonaxis_range=list(MAP_LON), lataxis_range=list(MAP_LAT))
    fig.update_layout(
        height=height, margin=dict(l=0, r=0, t=10, b=110), uirevision="ntb-map",
        separators=",." if lang == "id" else ".,",  # 1.234,5 in Indonesian, 1,234.5 in English
        legend=dict(orientation="h", yanchor="top", y=-0.16, xanchor="left", x=0, font=dict(size=11)),
        hoverlabel=dict(bgcolor="white", font_size=12), dragmode="pan", clickmode="event+select")
    return fig


def trend_figure(trend: pd.DataFrame, phases: list, lang: str, title: str, y: str = "persons") -> go.Figure:
    """Daily values with the election phases as shaded bands."""
    fig = go.Figure()
    palette = ["#e8eef7", "#fdf0d5"]
    for n, p in enumerate(phases):
        fig.add_vrect(x0=p.start, x1=p.end + dt.timedelta(days=1), fillcolor=palette[p.sensitive], opacity=0.9,
                      line_width=0, layer="below", annotation_text=p.name(lang) if (p.end - p.start).days > 5 else "",
                      annotation_position="top left", annotation_font_size=10)
    fig.add_trace(go.Scatter(x=trend["day"], y=trend[y], mode="lines", line=dict(color="#b30000", width=1.5),
                             name=t(f"chart.{y}", lang)))
    week = trend[y].rolling(7, min_periods=1).mean()
    fig.add_trace(go.Scatter(x=trend["day"], y=week, mode="lines", line=dict(color="#333", width=2.5),
                             name=t("chart.week_mean", lang)))
    fig.update_layout(title=title, height=320, margin=dict(l=10, r=10, t=40, b=10), uirevision="trend",
                      separators=",." if lang == "id" else ".,",
                      legend=dict(orientation="h", y=-0.2), hovermode="x unified")
    return fig


def bar_figure(df: pd.DataFrame, x: str, y: str, title: str, height: int = 300) -> go.Figure:
    fig = go.Figure(go.Bar(x=df[x], y=df[y], orientation="h", marker_color="#f1731d"))
    fig.update_layout(title=title, height=height, margin=dict(l=10, r=10, t=40, b=10),
                      yaxis=dict(autorange="reversed"))
    return fig
