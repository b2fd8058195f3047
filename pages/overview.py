"""Ringkasan (overview): where to look, in a few numbers with their change, the alerts waiting for a
decision, the regencies whose risk rose most, and a map."""

import streamlit as st

from domain.changes import WORSE_WHEN_UP
from domain.regions import regency_name
from i18n import formats
from ui import nav
from ui.auth import guard
from ui.components import demo_banner, export_buttons, footer, kpi_row
from ui.data import decisions, headline, map_table, overview_map_png, q, q_voter_summary, risers
from ui.lang import current, tr
from ui.sidebar import election, sidebar
from ui.sitrep import sitrep_box
from ui.text import inert
from viz.maps import fmt_number, metric_decimals
from viz.style import TEXT_SEVERITY

# Streamlit also serves pages/<name>.py at /<name> to a new session before dashboard.py (and its
# sign-in) has run: the page itself must refuse a visitor who is not signed in.
guard("view_aggregates")
f = sidebar()
lang = current()
st.title(tr("overview.title"))
demo_banner()

e = election()
phase = e.phase_on(f.as_of)
days = e.days_to_voting(f.as_of)
when = (
    formats.plural("overview.days_to_voting", days, lang)
    if days > 0
    else tr("overview.voting_today")
    if days == 0
    else formats.plural("overview.days_since_voting", -days, lang)
)
st.info(
    f"**{inert(e.name(lang))}** · {tr('overview.as_of', date=formats.date(f.as_of, lang))} · "
    f"{tr('overview.phase')}: **{inert(phase.name(lang)) if phase else tr('overview.no_phase')}** · {when}"
)

# What changed, what needs a decision (issue 18 item 3): above the map.
h = headline(f)
prev = formats.date(h.previous[0], lang), formats.date(h.previous[1], lang)
kpi_row(
    h.now,
    ["present", "incidents", "election_incidents", "open_incidents", "arrivals"],
    h.before,
    WORSE_WHEN_UP,
)
span = q("data_span")
no_previous = tr(
    "overview.no_previous",
    start=prev[0],
    end=prev[1],
    first=formats.date(span[0], lang) if span else "-",
)
st.caption(no_previous if h.before is None else tr("overview.compared", start=prev[0], end=prev[1]))
voters = q_voter_summary(f)  # foreign residents on a voter list: counts, never persons (issue 25)
if voters is not None:
    where = ", ".join(f"{inert(regency_name(c))} {n}" for c, n in voters["by_regency"].items())
    st.markdown(
        tr("overview.voter_matches", n=voters["total"], where=where)
        if voters["total"]
        else tr("overview.voter_matches_none")
    )

left, right = st.columns(2)
left.subheader(tr("overview.decisions"), help=tr("overview.decisions_help"))
ALERTS = nav.page("alerts")  # as dashboard.py registers it (ui/nav.py)
waiting = decisions(f)
listed = left.container(key="decisions")
# Streamlit draws a page link on one line and cuts what does not fit ("Election-sensitive incide"
# in English at 1440 px, most of it on a phone): these links wrap instead.
listed.html(
    "<style>.st-key-decisions [data-testid='stPageLink'] :is(span,div,p){white-space:normal}</style>"
)
for a in waiting.to_dict("records"):
    sev = tr(f"alerts.severity_{a['severity']}")
    sev = (
        f":{TEXT_SEVERITY[a['severity']]}[**{sev}**]"
        if a["severity"] in TEXT_SEVERITY
        else f"**{sev}**"
    )
    age = formats.age(a["age_days"], lang)
    # the rule's name last: place, agency and age matter most
    listed.page_link(
        ALERTS,
        query_params={"alert": str(a["id"])},
        icon=":material/notification_important:",
        label=f"{sev} · {inert(a['place'])} · {inert(a['agency'])} · {age} · {tr('alerts.' + a['rule'])}",
        help=tr("alerts." + a["rule"]),
    )
if waiting.empty:
    left.caption(tr("overview.no_decisions"))
left.page_link(ALERTS, label=tr("overview.all_alerts"), icon=":material/arrow_forward:")

since, rose = risers(f, e.id)
# Without a comparison no date: "since 31/05/2024" above "No comparison: ..." contradicted itself.
right.subheader(
    tr("overview.risers_undated")
    if rose is None
    else tr("overview.risers", date=formats.date(since, lang))
)
if rose is None:
    right.caption(no_previous)
elif rose.empty:
    right.caption(tr("overview.no_risers", date=formats.date(since, lang)))
else:
    right.markdown(
        "\n".join(
            "- "
            + tr(
                "overview.riser",
                regency=inert(regency_name(code)),
                before=fmt_number(r["score_before"], lang, 1),
                now=fmt_number(r["score"], lang, 1),
                change=formats.signed(r["change"], lang, 1),
                component=tr(f"alerts.risk_{r['component']}"),
                points=formats.signed(r["component_change"], lang, 1),
            )
            for code, r in rose.iterrows()
        )
    )

metric = (
    st.pills(
        tr("map.metric"),
        ["present", "per_1000_voters", "incidents"],
        default="present",
        format_func=lambda m: tr(f"metric.{m}"),
        key="overview_metric",
    )
    or "present"
)
table = map_table(f, metric)
# A picture drawn on the server (the briefing's map, ui.data.overview_map_png), not a plotly chart:
# the first page after sign-in then needs no plotly.js. The interactive map is one click away.
st.image(
    overview_map_png(f, metric, lang),
    width="stretch",
    output_format="PNG",
    alt=tr("overview.map_alt", metric=tr(f"metric.{metric}")),
)
st.page_link(nav.page("map"), label=tr("overview.open_map"), icon=":material/map:")

top = table.dropna(subset=["value"]).sort_values("value", ascending=False, kind="stable").head(5)
st.subheader(tr("overview.top5"))
dec = metric_decimals(metric)
# A markdown table, not st.dataframe: five rows need no data grid (its JavaScript is 1.2 MB).
st.markdown(
    "\n".join(
        [
            f"| {tr('overview.regency')} | {tr(f'metric.{metric}')} | {tr('metric.incidents')} |",
            "| --- | ---: | ---: |",
        ]
        + [
            f"| {inert(regency_name(c))} | {fmt_number(v, lang, dec)} | {fmt_number(n, lang)} |"
            for c, v, n in zip(top.index, top["value"], top["incidents"])
        ]
    )
)
export_buttons(
    table.drop(columns=["value"]).reset_index(names="code"),
    "ringkasan_kabupaten",
    "TERBATAS",
    key="overview_export",
)
sitrep_box(f)  # the latest situation report to download, and one made now (issue 23)
footer()
