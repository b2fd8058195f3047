"""Admin: accounts, imported batches (undo), and the audit trail."""
import pandas as pd
import streamlit as st

from storage import queries
from storage.imports import undo_batch
from storage.users import list_users
from ui.auth import guard, role, user_name
from ui.data import engine
from ui.lang import tr
from ui.sidebar import sidebar

guard("manage_users")
sidebar()
st.title(tr("admin.title"))

st.subheader(tr("admin.users"))
st.dataframe(pd.DataFrame(list_users(engine())), hide_index=True, use_container_width=True)
st.caption(tr("admin.users_help"))

st.subheader(tr("admin.batches"))
batches = queries.batches(engine())
st.dataframe(batches, hide_index=True, use_container_width=True)
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
c1, c2 = st.columns(2)
action = c1.text_input(tr("admin.audit_action"), key="audit_action").strip() or None
actor = c2.text_input(tr("admin.audit_actor"), key="audit_actor").strip() or None
st.dataframe(queries.audit_log(engine(), role(), action, actor), hide_index=True, use_container_width=True)
