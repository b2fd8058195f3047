"""Admin: accounts, imported batches (undo), and the audit trail."""

import pandas as pd
import streamlit as st

from domain.alert_rules import RULES
from domain.regions import offices
from domain.scope import PROVINCE_KEY
from loaders.thresholds import rules_path
from services.thresholds import save_rules
from storage import queries
from storage.imports import undo_batch
from storage.users import UserError, list_users, set_office
from ui.auth import guard, role, user_name, user_scope
from ui.data import engine
from ui.lang import tr
from ui.sidebar import sidebar
from ui.tables import BATCH_WORDS, USER_WORDS, readable
from ui.text import inert

guard("manage_users")
sidebar()
st.title(tr("admin.title"))

st.subheader(tr("admin.users"))
users = list_users(engine())
st.dataframe(readable(pd.DataFrame(users), USER_WORDS), hide_index=True, width="stretch")
st.caption(tr("admin.users_help"))


def scope_name(key: str) -> str:
    return tr("admin.office_province") if key == PROVINCE_KEY else offices().loc[key, "name"]


SCOPES = [PROVINCE_KEY, *offices()["id"]]
if users:
    st.markdown(f"**{tr('admin.office_title')}**")
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    who = c1.selectbox(tr("admin.office_user"), [u["username"] for u in users], key="office_user")
    sees = c2.selectbox(
        tr("admin.office_choice"), SCOPES, key="office_choice", format_func=scope_name
    )
    if c3.button(tr("admin.office_save"), key="office_save"):
        guard("manage_users")
        try:
            set_office(engine(), who, sees, user_name(), user_scope())
        except UserError as exc:
            st.error(tr("admin.office_invalid", reason=inert(exc)))
        else:
            st.success(tr("admin.office_saved", user=inert(who), scope=scope_name(sees)))

st.subheader(tr("admin.batches"))
batches = queries.batches(engine())
st.dataframe(readable(batches, BATCH_WORDS), hide_index=True, width="stretch")
committed = batches[batches["status"] == "committed"]["id"].tolist()
if committed:
    c1, c2 = st.columns([1, 3])
    which = c1.selectbox(tr("admin.undo_which"), committed, key="undo_batch")
    confirm = c2.checkbox(tr("admin.undo_confirm", batch=which), key="undo_confirm")
    if c2.button(tr("admin.undo"), disabled=not confirm, key="undo_button"):
        guard("undo_batch")
        done = undo_batch(engine(), int(which), user_name())
        st.success(tr("admin.undone", batch=which, **done))

st.subheader(tr("admin.audit"))
c1, c2, c3 = st.columns(3)
action = c1.text_input(tr("admin.audit_action"), key="audit_action").strip() or None
actor = c2.text_input(tr("admin.audit_actor"), key="audit_actor").strip() or None
in_scope = c3.selectbox(
    tr("admin.audit_scope"),
    [None, *SCOPES],
    key="audit_scope",
    placeholder=tr("app.any"),
    format_func=lambda k: tr("app.any") if k is None else scope_name(k),
)
st.dataframe(
    readable(queries.audit_log(engine(), role(), action, actor, scope=in_scope)),
    hide_index=True,
    width="stretch",
)

st.subheader(tr("admin.rules"))
st.caption(tr("admin.rules_help", path=inert(rules_path())))
st.dataframe(
    pd.DataFrame(
        {
            tr("admin.rules_alert"): [tr(f"alerts.{r.name}") for r in RULES.values()],
            tr("admin.rules_section"): [f"[{r.section}]" for r in RULES.values()],
        }
    ),
    hide_index=True,
    width="stretch",
)
text = st.text_area(
    tr("admin.rules_file"), rules_path().read_text(encoding="utf-8"), height=400, key="rules_text"
)
if st.button(tr("admin.rules_save"), key="rules_save"):
    guard("edit_rules")
    try:
        saved = save_rules(engine(), text, user_name())
    except ValueError as exc:
        st.error(tr("admin.rules_invalid", reason=inert(exc)))
    else:
        st.success(tr("admin.rules_saved", path=inert(saved)))
