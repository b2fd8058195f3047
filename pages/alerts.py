"""Peringatan (alerts): what the rules found, who must act, and the follow-up workflow as a case
list: select one or several alerts (by id; ?alert=<id> opens one), change their status in one
click with one note, give them to a person; overdue alerts are marked and can come first."""

import pandas as pd
import streamlit as st

from domain.agencies import alert_supporting
from domain.alert_rules import RULE_NAMES
from domain.follow_up import overdue_hours
from domain.regions import offices, ports, regency_name
from domain.thresholds import SEVERITIES
from domain.vocabularies import CLOSED, STATUSES
from loaders.thresholds import load_rules
from services import voter_check
from services.alerts import evaluate_and_store
from storage import alerts_store
from storage.models import utcnow
from ui import alert_queue
from ui.auth import allowed, guard, role, user_name
from ui.components import any_of, demo_banner, footer
from ui.data import alerts_by_id, engine, q_alerts
from ui.lang import current, tr
from ui.sidebar import election, sidebar
from ui.tables import STATUS_WORDS, date_column, day_text, readable, wita_text
from ui.text import inert
from viz.alert_text import describe
from viz.maps import fmt_number

guard("view_aggregates")
f = sidebar()
lang = current()


def fmt_hours(hours: float) -> str:
    return fmt_number(round(hours), lang)


st.title(tr("alertpage.title"))
demo_banner()
st.caption(tr("alertpage.intro"))
alert_queue.flash()

# The statuses as pills, every one in view with the chosen ones marked: as chips in a multiselect
# the default three were cut off at 1440 px ("Baru", "Ditelaah", "Ditindakl…"). None chosen: all.
statuses = st.pills(
    tr("alertpage.status"),
    STATUSES,
    selection_mode="multi",
    default=[s for s in STATUSES if s != CLOSED],
    key="al_status",
    format_func=lambda s: tr(f"status.{s}"),
    help=tr("alertpage.status_help"),
)
c2, c3, c4, c5 = st.columns([2, 2, 2, 1.4], vertical_alignment="bottom")
sevs = any_of(
    tr("alertpage.severity"),
    SEVERITIES,
    "al_sev",
    c2,
    format_func=lambda s: tr(f"alerts.severity_{s}"),
)
rules = any_of(
    tr("alertpage.rule"), RULE_NAMES, "al_rule", c3, format_func=lambda r: tr(f"alerts.{r}")
)
order = c4.selectbox(
    tr("alertpage.sort"),
    ("newest", "overdue"),
    key="al_sort",
    format_func=lambda o: tr(f"alertpage.sort_{o}"),
)
if c5.button(
    tr("alertpage.run"),
    key="al_run",
    disabled=not allowed("change_alert_status"),
    help=tr("alertpage.run_help"),
):
    with st.spinner(tr("alertpage.running")):
        done = evaluate_and_store(engine(), election(), f.as_of, actor=user_name())
    st.success(tr("alertpage.ran", **done))

response = load_rules().response_time
now = utcnow()
found = q_alerts(f, tuple(statuses), tuple(sevs), tuple(rules)).copy()
found["overdue"] = overdue_hours(found, now, response)
if order == "overdue":
    found = found.sort_values(
        ["overdue", "date"], ascending=[False, False], na_position="last", kind="stable"
    )


def where(row) -> str:
    if pd.notna(row["regency_code"]):
        return regency_name(row["regency_code"])
    if pd.notna(row["port_id"]):
        return ports().loc[row["port_id"], "name"]
    return offices().loc[row["office_id"], "name"] if pd.notna(row["office_id"]) else "NTB"


if found.empty:
    st.info(tr("alertpage.none"))
else:
    st.subheader(tr("alertpage.who_acts"))
    st.dataframe(
        found.pivot_table(
            index="agency", columns="severity", values="id", aggfunc="count", fill_value=0
        )
        .reindex(columns=[s for s in SEVERITIES if s in set(found["severity"])])
        .rename(columns=lambda s: tr(f"alerts.severity_{s}"))
        .rename_axis(index=tr("alertpage.agency"), columns=None),
        width="stretch",
    )
    late = found["overdue"]
    view = pd.DataFrame(
        {
            "id": found["id"],
            tr("alertpage.late_mark"): [
                "" if pd.isna(h) else tr("alertpage.late_cell", hours=fmt_hours(h)) for h in late
            ],
            tr("alertpage.date"): pd.to_datetime(found["date"]),
            tr("alertpage.severity"): [tr(f"alerts.severity_{s}") for s in found["severity"]],
            tr("alertpage.rule"): [tr(f"alerts.{r}") for r in found["rule"]],
            tr("alertpage.where"): [where(r) for _, r in found.iterrows()],
            tr("alertpage.phase"): [
                p.name(lang) if (p := election().phase_by_key(k)) else tr("overview.no_phase")
                for k in found["phase"]
            ],
            tr("alertpage.agency"): found["agency"],
            tr("alertpage.supporting"): [
                ", ".join(alert_supporting(d, a)) for d, a in zip(found["detail"], found["agency"])
            ],
            tr("alertpage.status"): [tr(f"status.{s}") for s in found["status"]],
            tr("alertpage.holder"): found["assigned_to"].fillna(""),
            tr("alertpage.holder_since"): wita_text(found["assigned_at"]),
        }
    )
    st.subheader(tr("alertpage.list", n=len(found)))
    st.caption(
        tr(
            "alertpage.overdue_rule",
            **{
                k: fmt_hours(h)
                for k, h in (
                    ("campaign", response.hours_for("kampanye")),
                    ("quiet", response.hours_for("masa_tenang")),
                    ("voting", response.hours_for("pemungutan")),
                    ("other", response.default_hours),
                )
            },
        )
    )
    alert_queue.table(view, list(found["id"]), column_config={tr("alertpage.date"): date_column()})

chosen = alerts_by_id(
    alert_queue.selected()
)  # only the account's area: a link to another's opens nothing
alert_queue.share_selection()
if len(chosen) == 1:
    alert = chosen.iloc[0]
    st.markdown(
        f"**#{alert['id']} {tr('alerts.' + alert['rule'])}** — {inert(where(alert))} · {day_text(alert['date'])}"
    )
    if alert["rule"] in voter_check.PERSON_LEVEL and not allowed("view_person_level"):
        st.caption(tr("alertpage.person_level_only"))  # leadership sees the counts (map, overview)
    else:
        if (
            alert["rule"] in voter_check.PERSON_LEVEL
            and st.session_state.get("viewed") != alert["id"]
        ):
            voter_check.viewed(
                engine(), int(alert["id"]), alert["rule"], user_name(), role()
            )  # audited once
            st.session_state["viewed"] = alert["id"]
        st.markdown(
            inert(describe(alert, lang, election()))
        )  # the agency and other values came from files
    late = overdue_hours(chosen, now, response).iloc[0]
    held = (
        tr(
            "alertpage.held",
            holder=inert(alert["assigned_to"]),
            since=wita_text(chosen["assigned_at"]).iloc[0],
        )
        if pd.notna(alert["assigned_to"])
        else tr("alertpage.not_held")
    )
    st.caption(
        f"{tr('alertpage.status')}: **{tr('status.' + alert['status'])}** · {held}"
        + (" · ⚠ " + tr("alertpage.late", hours=fmt_hours(late)) if pd.notna(late) else "")
    )
elif len(chosen) > 1:
    st.markdown(tr("alertpage.selected_n", n=len(chosen)))
    st.caption(
        ", ".join(
            f"#{a['id']} {tr('alerts.' + a['rule'])} ({inert(where(a))}, {tr('status.' + a['status'])})"
            for _, a in chosen.iterrows()
        )
    )
if len(chosen) and allowed("change_alert_status"):
    alert_queue.form(chosen)
if len(chosen) == 1:
    hist = alerts_store.status_history(engine(), int(chosen.iloc[0]["id"]))
    if len(hist):
        st.dataframe(readable(hist, STATUS_WORDS), hide_index=True, width="stretch")
footer()
