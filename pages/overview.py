"""Ringkasan (overview): where to look, in a map and a few numbers."""
import streamlit as st

from domain.regions import regency_name
from ui.components import demo_banner, export_buttons, footer, kpi_row
from i18n import formats
from ui.data import kpis, map_figure, map_table
from ui.lang import current, tr
from ui.sidebar import election, sidebar
from ui.text import inert
from viz.maps import PLOTLY_CONFIG, fmt_number, metric_decimals

f = sidebar()
lang = current()
st.title(tr("overview.title"))
demo_banner()

e = election()
phase = e.phase_on(f.as_of)
days = e.days_to_voting(f.as_of)
when = (formats.plural("overview.days_to_voting", days, lang) if days > 0 else
        tr("overview.voting_today") if days == 0 else formats.plural("overview.days_since_voting", -days, lang))
st.info(f"**{inert(e.name(lang))}** · {tr('overview.as_of', date=formats.date(f.as_of, lang))} · "
        f"{tr('overview.phase')}: **{inert(phase.name(lang)) if phase else tr('overview.no_phase')}** · {when}")

kpi_row(kpis(f), ["present", "incidents", "election_incidents", "open_incidents", "arrivals"])

metric = st.pills(tr("map.metric"), ["present", "per_1000_voters", "incidents"], default="present",
                              format_func=lambda m: tr(f"metric.{m}"), key="overview_metric") or "present"
table = map_table(f, metric)
fig = map_figure(f, metric, lang, None, 640)
st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key="overview_map")

top = table.dropna(subset=["value"]).sort_values("value", ascending=False).head(5)
st.subheader(tr("overview.top5"))
dec = metric_decimals(metric)
st.dataframe(
    {tr("overview.regency"): [regency_name(c) for c in top.index],
     tr(f"metric.{metric}"): [fmt_number(v, lang, dec) for v in top["value"]],
     tr("metric.incidents"): [fmt_number(v, lang) for v in top["incidents"]]},
    hide_index=True, width="stretch")
export_buttons(table.drop(columns=["value"]).reset_index(names="code"), "ringkasan_kabupaten", "TERBATAS",
               key="overview_export")
footer()
