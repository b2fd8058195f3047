"""Peringatan (alerts): what the rules found, who must act, and the follow-up workflow."""
import pandas as pd
import streamlit as st

from domain.agencies import alert_supporting
from domain.alerts import RULE_NAMES, SEVERITIES, describe
from domain.regions import offices, ports, regency_name
from storage import alerts_store
from ui.auth import allowed, guard, role, user_name
from ui.components import any_of, demo_banner, footer
from ui.data import engine, q_alerts
from ui.lang import current, tr
from ui.sidebar import election, sidebar
from ui.tables import STATUS_WORDS, readable
from ui.text import inert

guard("view_aggregates")
f = sidebar()
lang = current()
st.title(tr("alertpage.title"))
demo_banner()
st.caption(tr("alertpage.intro"))

c1, c2, c3, c4 = st.columns([2, 2, 2, 1], vertical_alignment="bottom")
statuses = any_of(tr("alertpage.status"), alerts_store.STATUSES, "al_status", c1,
                  default=["baru", "ditelaah", "ditindaklanjuti"], format_func=lambda s: tr(f"status.{s}"))
sevs = any_of(tr("alertpage.severity"), SEVERITIES, "al_sev", c2, format_func=lambda s: tr(f"alerts.severity_{s}"))
rules = any_of(tr("alertpage.rule"), [*RULE_NAMES, "permit_activity_mismatch_cluster"], "al_rule", c3,
               format_func=lambda r: tr(f"alerts.{r}"))
if c4.button(tr("alertpage.run"), key="al_run", disabled=not allowed("change_alert_status"),
             help=tr("alertpage.run_help")):
    with st.spinner(tr("alertpage.running")):
        done = alerts_store.evaluate_and_store(engine(), election(), f.as_of, actor=user_name())
    st.success(tr("alertpage.ran", **done))

found = q_alerts(f, tuple(statuses), tuple(sevs), tuple(rules))
if found.empty:
    st.info(tr("alertpage.none"))
    footer()
    st.stop()

st.subheader(tr("alertpage.who_acts"))
st.dataframe(found.pivot_table(index="agency", columns="severity", values="id", aggfunc="count", fill_value=0)
             .reindex(columns=[s for s in SEVERITIES if s in set(found["severity"])])
             .rename(columns=lambda s: tr(f"alerts.severity_{s}"))
             .rename_axis(index=tr("alertpage.agency"), columns=None), width="stretch")


def where(row) -> str:
    if pd.notna(row["regency_code"]):
        return regency_name(row["regency_code"])
    if pd.notna(row["port_id"]):
        return ports().loc[row["port_id"], "name"]
    return offices().loc[row["office_id"], "name"] if pd.notna(row["office_id"]) else "NTB"


view = pd.DataFrame({
    "id": found["id"],
    tr("alertpage.date"): found["date"],
    tr("alertpage.severity"): [tr(f"alerts.severity_{s}") for s in found["severity"]],
    tr("alertpage.rule"): [tr(f"alerts.{r}") for r in found["rule"]],
    tr("alertpage.where"): [where(r) for _, r in found.iterrows()],
    tr("alertpage.phase"): [p.name(lang) if (p := election().phase_by_key(k)) else tr("overview.no_phase") for k in found["phase"]],
    tr("alertpage.agency"): found["agency"],
    tr("alertpage.supporting"): [", ".join(alert_supporting(d, a)) for d, a in zip(found["detail"], found["agency"])],
    tr("alertpage.status"): [tr(f"status.{s}") for s in found["status"]],
})
st.subheader(tr("alertpage.list", n=len(found)))
picked = st.dataframe(view, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                      key="alert_table")
rows = picked.selection.rows if picked and picked.selection else []
if rows:
    alert = found.iloc[rows[0]]
    st.markdown(f"**{tr('alerts.' + alert['rule'])}** — {inert(where(alert))} · {alert['date']}")
    st.markdown(inert(describe(alert, lang, election())))  # the agency and other values came from files
    if allowed("change_alert_status"):
        with st.form("status_form"):
            new = st.radio(tr("alertpage.new_status"), alerts_store.STATUSES, horizontal=True,
                           index=alerts_store.STATUSES.index(alert["status"]), format_func=lambda s: tr(f"status.{s}"))
            note = st.text_input(tr("alertpage.note"))
            if st.form_submit_button(tr("alertpage.save")):
                alerts_store.set_status(engine(), int(alert["id"]), new, user_name(), role(), note)
                st.success(tr("alertpage.saved"))
                st.rerun()
    hist = alerts_store.status_history(engine(), int(alert["id"]))
    if len(hist):
        st.dataframe(readable(hist, STATUS_WORDS), hide_index=True, width="stretch")
footer()
