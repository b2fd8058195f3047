"""Linimasa (timeline): presence, incidents and alerts placed against the election calendar."""

import pandas as pd
import streamlit as st

from domain.thresholds import SEVERITIES
from i18n import formats
from ui.auth import guard
from ui.components import demo_banner, footer
from ui.data import q, q_alerts
from ui.lang import current, tr
from ui.sidebar import election, sidebar
from ui.text import inert
from viz.maps import plotly_config
from viz.timeline import incidents_alerts_figure, trend_figure

guard("view_aggregates")
f = sidebar()
lang = current()
e = election()
st.title(tr("timeline.title", name=inert(e.name(lang))))
demo_banner()

# Both charts follow the sidebar's period: phases as bands, voting day as a line (viz/timeline.py).
# A phone ("Mobi" in its user agent) gets taller charts: the phase legend wraps to one entry a line.
height = 640 if "Mobi" in st.context.headers.get("User-Agent", "") else 400
fig = trend_figure(
    q("presence_trend", f), e, lang, tr("chart.trend"), f.start, f.end, height=height
)
st.plotly_chart(fig, width="stretch", config=plotly_config(lang), key="tl_presence")

alerts = q_alerts(f)
fig2 = incidents_alerts_figure(
    q("incident_trend", f),
    alerts,
    e,
    lang,
    tr("timeline.incidents_alerts"),
    f.start,
    f.end,
    {sev: tr(f"alerts.severity_{sev}") for sev in SEVERITIES},
    height=height,
)
st.plotly_chart(fig2, width="stretch", config=plotly_config(lang), key="tl_alerts")

# The calendar below the charts: above them its 12 rows pushed the first chart below the fold
# at 1440x900.
st.subheader(tr("timeline.phases"))
today = e.phase_on(f.as_of)
st.dataframe(
    pd.DataFrame(
        [
            {
                tr("about.phase"): ("▶ " if today and p.key == today.key else "") + p.name(lang),
                tr("about.start"): formats.date(p.start, lang),
                tr("about.end"): formats.date(p.end, lang),
                tr("timeline.sensitive"): "●" if p.sensitive else "",
            }
            for p in e.phases
        ]
    ),
    hide_index=True,
    width="stretch",
)

if len(alerts):
    st.subheader(tr("timeline.by_phase"))
    table = e.count_by_phase(alerts, SEVERITIES)
    table.index = [
        (p.name(lang) if (p := e.phase_by_key(k)) else tr("overview.no_phase")) for k in table.index
    ]
    st.dataframe(table.rename(columns=lambda s: tr(f"alerts.severity_{s}")), width="stretch")
footer()
