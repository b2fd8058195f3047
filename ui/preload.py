"""While the sign-in form shows, the browser fetches and compiles plotly.js.

Streamlit loads its plotly chunk (4.7 MB of JavaScript) only when the first chart appears. The
overview draws its map on the server (a picture), so without this the first visit to the map
page would wait 3-5 s for that download and compile. Here an invisible, empty chart on the
sign-in page makes the browser do it while the user types; it also fetches the map's geometry
(static/geo/, kept by plotly for the session). The chart holds no data: a geo subplot and two
choropleth traces, one feature of each file, z = 0.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from domain.regions import regency_codes
from viz import web_geo
from viz.maps import PLOTLY_CONFIG

KEY = "chart_preload"
_HIDDEN = (
    f"<style>.st-key-{KEY}{{position:absolute;left:-10000px;width:8px;height:8px;"
    "overflow:hidden;opacity:0;pointer-events:none}</style>"
)


def figure() -> go.Figure:
    fig = go.Figure(
        [
            go.Choropleth(geojson=web_geo.URL + name, locations=[fid], z=[0], showscale=False)
            for name, fid in (
                (web_geo.REGENCIES, regency_codes()[0]),
                (web_geo.OFFICE_AREAS, min(web_geo.office_labels())),
            )
        ]
    )
    fig.update_geos(visible=False, projection_type="mercator")
    fig.update_layout(width=10, height=10, margin=dict(l=0, r=0, t=0, b=0))
    return fig


def preload_charts() -> None:
    with st.container(key=KEY):
        st.html(_HIDDEN)
        st.plotly_chart(figure(), config={**PLOTLY_CONFIG, "staticPlot": True}, key=KEY + "_fig")
