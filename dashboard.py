"""Entry point: `streamlit run dashboard.py` (or `make run`).

Page config, production checks, sign-in gate, the page list for the user's role, then the page.
Pages are thin: they read widgets, call services and queries through ui.data, and draw with viz;
the pages themselves (files, URL paths, who may open them) are listed once in ui/nav.py.
"""

from __future__ import annotations

import streamlit as st

from domain.roles import can
from ui import auth, gate, nav, uploads
from ui.data import engine
from ui.lang import selector, tr
from ui.serve import key_from_secrets, production_problems

st.set_page_config(
    page_title="Timpora NTB",
    page_icon="/app/static/favicon.png",
    layout="wide",
    initial_sidebar_state="auto",
)

key_from_secrets()
# `make run` (python -m ui.serve) refuses to start at all; this is for a server started another way.
if problems := production_problems(engine()):
    st.error(tr("app.production_refused") + "\n\n" + "\n\n".join(problems))
    st.stop()

user = auth.current_user()
# Who may PUT files to Streamlit's upload endpoint: only a signed-in user who may upload (ui/uploads.py).
uploads.note_session(user is not None and can(user["role"], "upload"), auth.TIMEOUT_S)
if user is None:
    # A new session's first run draws the sign-in form: an arrival. Its later runs (the form
    # submitted, the language changed) let the forms of those still arriving go first.
    first_run = not st.session_state.get("signin_form_drawn")
    st.session_state["signin_form_drawn"] = True
    with gate.arriving() if first_run else gate.giving_way():
        selector()
        # Every known URL shows the sign-in form (no "page not found"); after sign-in the same URL
        # opens the page it names, if the role allows it.
        st.navigation(
            [
                st.Page(
                    auth.sign_in_page,
                    title=tr("auth.submit"),
                    url_path=path or "signin",
                    default=not path,
                )
                for path in ("", *nav.url_paths())
            ],
            position="hidden",
        ).run()
    st.stop()

role = user["role"]
pages = nav.pages_for(
    lambda permission: can(role, permission)
)  # ui/nav.py: files, URL paths, who may open them

with st.sidebar:
    st.caption(tr("auth.signed_in_as", name=user["name"], role=tr(f"auth.role_{role}")))
    if st.button(tr("auth.sign_out"), key="sign_out"):
        auth.sign_out()
        st.rerun()

page = st.navigation(pages)
with gate.page_slot(page.url_path):
    page.run()
