"""While the sign-in form shows, the browser fetches and compiles plotly.js.

Streamlit loads its plotly chunk (4.7 MB of JavaScript) only when the first chart appears. The
overview draws its map on the server (a picture), so without this the first visit to the map
page would wait 3-5 s for that download and compile. Here an invisible, empty chart on the
sign-in page makes the browser do it while the user types. The chart holds no data (one scatter
trace without points), and it is a plain one, drawn at once: a geo chart waits for its geometry,
and a sign-in that replaced the page meanwhile left plotly drawing into a removed chart (an
uncaught error in the page).
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from viz.maps import PLOTLY_CONFIG

KEY = "chart_preload"
_HIDDEN = (
    f"<style>.st-key-{KEY}{{position:absolute;left:-10000px;width:10px;height:10px;"
    "overflow:hidden;visibility:hidden;pointer-events:none}</style>"
)


def figure() -> go.Figure:
    fig = go.Figure(go.Scatter(x=[], y=[]))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(width=10, height=10, margin=dict(l=0, r=0, t=0, b=0))
    return fig


def preload_charts() -> None:
    with st.container(key=KEY):
        st.html(_HIDDEN)
        st.plotly_chart(figure(), config={**PLOTLY_CONFIG, "staticPlot": True}, key=KEY + "_fig")
