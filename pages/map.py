"""Peta & rincian: the regency map with every filter, a regency's drill-down, and the briefing export."""

import streamlit as st

from domain.filters import METRICS, Filters
from domain.regions import regency_codes, regency_name
from loaders.thresholds import load_rules
from loaders.values import allowed_values, country_name
from ui import warm
from ui.auth import guard, role
from ui.briefing import briefing_export, map_slide
from ui.components import any_of, as_sent, demo_banner, footer
from ui.data import NATIONALITY_CHOICES, map_figure, map_table, q, q_risk, scoped
from ui.lang import current, tr
from ui.sidebar import election, sidebar
from ui.tables import code_text
from ui.text import inert
from ui.view_state import remember, restore
from viz.explain import risk_explained
from viz.map_slide import image_options
from viz.maps import MAP_HEIGHT, bar_figure, fmt_number, metric_decimals, plotly_config
from viz.timeline import trend_figure

guard("view_aggregates")  # reached at /map before dashboard.py's sign-in: see pages/overview.py
base = sidebar()
lang = current()
# The title row carries the two popovers, so the metric pills get the whole width (at 1440 px they
# did not fit beside them: "Skor risiko" was cut off) and the map's legend stays above the fold.
head = st.columns([3, 1, 1], vertical_alignment="bottom")
head[0].title(tr("map.title"))
demo_banner()

metrics = list(METRICS)
restore("map_metric", lambda m: m if m in metrics else None, "present")
metric = (
    st.pills(tr("map.metric"), metrics, key="map_metric", format_func=lambda m: tr(f"metric.{m}"))
    or "present"
)
remember("map_metric")
with head[1].popover(tr("mappage.filters"), icon=":material/filter_list:", width="stretch"):
    nats = any_of(
        tr("mappage.nationality"),
        q("top_nationalities", base, n=NATIONALITY_CHOICES)["nationality"].tolist(),
        "f_nat",
        format_func=lambda a: f"{country_name(a, lang)} ({a})",
    )
    permits = any_of(tr("mappage.permit"), allowed_values("permit_type"), "f_permit")
    acts = any_of(tr("mappage.activity"), allowed_values("activity"), "f_act")
    cats = any_of(
        tr("mappage.category"),
        allowed_values("category"),
        "f_cat",
        format_func=lambda c: tr(f"category.{c}"),
    )
    sevs = any_of(tr("mappage.severity"), [1, 2, 3, 4, 5], "f_sev")
f = Filters(
    base.start,
    base.end,
    base.as_of,
    base.office,
    tuple(nats),
    tuple(permits),
    tuple(acts),
    tuple(cats),
    tuple(sevs),
)
with head[2].popover(tr("briefing_ui.button"), icon=":material/picture_as_pdf:", width="stretch"):
    briefing_export(f, metric)

table = map_table(f, metric, election().id)
# The chosen regency lives in the selectbox's state; a click on the map sets it (only a NEW
# click: the chart keeps reporting its last selection on every rerun).
codes = [None] + regency_codes()
restore("drill_select", lambda c: c if c in codes else None, None)
selected = st.session_state.get("drill_select")
# The map is a slide (title, marking, legends, scale, source: viz/map_slide.py); a phone ("Mobi"
# in its user agent, the only hint of the screen's width a server gets) gets the compact layout.
slide = map_slide(f, metric, election())
compact = "Mobi" in st.context.headers.get("User-Agent", "")
fig = map_figure(f, metric, lang, selected, MAP_HEIGHT, election().id, slide, compact=compact)
png_name = f"peta_{metric}_{f.start:%Y%m%d}-{f.end:%Y%m%d}_{slide.marking}"
config = {**plotly_config(lang), "toImageButtonOptions": image_options(png_name, fig.layout.height)}
event = st.plotly_chart(
    fig,
    width="stretch",
    config=config,
    key="regency_map",
    on_select="rerun",
    selection_mode="points",
)
clicked = [
    p.get("location")
    for p in (event.selection.points if event and event.selection else [])
    if p.get("location")
]
if clicked and clicked[0] != st.session_state.get("last_map_click"):
    st.session_state["last_map_click"] = clicked[0]
    st.session_state["drill_select"] = clicked[0]
    st.rerun()  # once: redraw the map with the new regency outlined
# The phase shortcuts of this view, computed in the background before anyone picks one (ui/warm.py).
warm.request(warm.View.of(scoped(f), lang, metric, slide.marking, election().id, selected, compact))

st.caption(tr("map.click_hint"))
selected = st.selectbox(
    tr("map.choose_regency"),
    codes,
    key="drill_select",
    placeholder=tr("map.none"),
    format_func=lambda c: tr("map.none") if c is None else regency_name(c),
)
remember("drill_select")

if selected:
    st.header(tr("mappage.drill_title", regency=inert(regency_name(selected))))
    row = table.loc[selected]
    cols = st.columns(4)
    for col, key in zip(cols, ["present", "per_1000_voters", "incidents", "election_incidents"]):
        val = row[key]
        col.metric(tr(f"metric.{key}"), fmt_number(val, lang, metric_decimals(key)))
    r = q_risk(f, election().id).loc[selected]
    if r["score"] == r["score"]:  # the window it covers and each component's points, in words
        st.info(risk_explained(r, f.as_of, load_rules(), election(), lang))
    st.plotly_chart(
        trend_figure(
            q("presence_trend", f, selected),
            election(),
            lang,
            tr("chart.trend"),
            f.start,
            f.end,
            regency=selected,
        ),
        width="stretch",
        config=plotly_config(lang),
        key="drill_trend",
    )
    c1, c2 = st.columns(2)
    top = q("top_nationalities", f, selected)
    top = top.assign(name=[country_name(a, lang) for a in top["nationality"]])
    c1.plotly_chart(
        bar_figure(top, "persons", "name", tr("chart.top_nationalities")),
        width="stretch",
        key="drill_nat",
    )
    mix = q("permit_activity_mix", f, selected)
    c2.subheader(tr("chart.permit_mix"))
    if len(mix):
        c2.dataframe(
            mix.pivot_table(index="permit_type", columns="activity", values="persons", fill_value=0)
            .rename(
                index=lambda p: code_text("permit_type", p),
                columns=lambda a: code_text("activity", a),
            )
            .rename_axis(index=tr("mappage.permit"), columns=tr("mappage.activity")),
            width="stretch",
        )
    st.subheader(tr("mappage.who_acts"))
    st.dataframe(
        q("who_acts", f, selected)
        .rename(
            columns=lambda s: tr("alertpage.supporting" if s == "supporting" else f"status.{s}")
        )
        .rename_axis(index=tr("alertpage.agency"), columns=None),
        width="stretch",
    )
    st.subheader(tr("mappage.incidents"))
    inc = q("regency_incidents", f, selected, role())
    if len(inc):
        inc = inc.assign(
            category=[tr(f"category.{c}") for c in inc["category"]],
            status=[tr(f"status.{s}") for s in inc["status"]],
        )
    st.dataframe(as_sent(inc, "incidents"), hide_index=True, width="stretch")
    if "description" not in inc:
        st.caption(tr("mappage.masked_note"))
footer()
