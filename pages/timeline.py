"""Linimasa (timeline): presence, incidents and alerts placed against the election calendar."""
import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from domain.alerts import SEVERITIES
from ui.auth import guard
from ui.components import demo_banner, footer
from ui.data import q, q_alerts
from ui.lang import current, tr
from ui.sidebar import election, sidebar
from ui.text import inert
from viz.maps import plotly_config, trend_figure

guard("view_aggregates")
f = sidebar()
lang = current()
e = election()
st.title(tr("timeline.title", name=inert(e.name(lang))))
demo_banner()

today = e.phase_on(f.as_of)
st.dataframe(pd.DataFrame([{
    tr("about.phase"): ("▶ " if today and p.key == today.key else "") + p.name(lang),
    tr("about.start"): p.start.strftime("%d/%m/%Y"), tr("about.end"): p.end.strftime("%d/%m/%Y"),
    tr("timeline.sensitive"): "●" if p.sensitive else ""} for p in e.phases]), hide_index=True, width="stretch")

fig = trend_figure(q("presence_trend", f), e.phases, lang, tr("chart.trend"))
st.plotly_chart(fig, width="stretch", config=plotly_config(lang), key="tl_presence")

alerts = q_alerts(f)
inc = q("incident_trend", f)
fig2 = go.Figure()
for p in e.phases:
    fig2.add_vrect(x0=p.start, x1=p.end + dt.timedelta(days=1), fillcolor="#fdf0d5" if p.sensitive else "#e8eef7",
                   opacity=0.9, line_width=0, layer="below")
if len(inc):
    fig2.add_trace(go.Bar(x=inc["day"], y=inc["incidents"], name=tr("chart.incidents"), marker_color="#9e9ac8"))
colours = {"rendah": "#fde725", "sedang": "#f1731d", "tinggi": "#d62728", "kritis": "#7f0000"}
if len(alerts):
    counts = alerts.groupby(["date", "severity"]).size().reset_index(name="n")
    for sev in SEVERITIES:
        sub = counts[counts["severity"] == sev]
        if len(sub):
            fig2.add_trace(go.Scatter(x=sub["date"], y=sub["n"], mode="markers", name=tr(f"alerts.severity_{sev}"),
                                      marker=dict(color=colours[sev], size=9, line=dict(color="black", width=0.5))))
fig2.update_layout(title=tr("timeline.incidents_alerts"), height=320, margin=dict(l=10, r=10, t=40, b=10),
                   legend=dict(orientation="h", y=-0.2), barmode="overlay")
st.plotly_chart(fig2, width="stretch", config=plotly_config(lang), key="tl_alerts")

if len(alerts):
    st.subheader(tr("timeline.by_phase"))
    table = alerts.pivot_table(index="phase", columns="severity", values="id", aggfunc="count", fill_value=0)
    order = [p.key for p in e.phases if p.key in table.index] + [k for k in table.index if e.phase_by_key(k) is None]
    table = table.reindex(order).reindex(columns=[s for s in SEVERITIES if s in table.columns])
    table.index = [(p.name(lang) if (p := e.phase_by_key(k)) else tr("overview.no_phase")) for k in table.index]
    st.dataframe(table.rename(columns=lambda s: tr(f"alerts.severity_{s}")), width="stretch")
footer()
