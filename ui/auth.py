"""Sign-in. With an identity provider configured in secrets ([auth] for st.login, OIDC) the app
uses it, and roles come from secrets [roles] (e-mail -> role; default viewer). Otherwise local
accounts (storage.users, argon2id) with lock-out. A session idle longer than the timeout is signed
out. The role lives in the session and every data function checks it again."""
from __future__ import annotations

import functools
import ipaddress
import os
import time

import streamlit as st

from domain.roles import can, require
from storage import audit
from storage.users import authenticate
from ui import gate
from ui.data import engine
from ui.lang import tr

TIMEOUT_S = int(os.environ.get("NTB_SESSION_MINUTES", "30")) * 60


@functools.cache
def secrets_facts() -> tuple[bool, str | None]:
    """(single sign-on configured, pseudonym key) from the secrets file, read once per server
    process (restart the server after changing secrets). Asking st.secrets on every run cost a
    quarter of the sign-in form's time when a hundred people arrived at once: each question
    re-reads the settings under one lock."""
    try:
        return "auth" in st.secrets, st.secrets.get("pseudonym_key")
    except Exception:  # no secrets file at all
        return False, None


def _oidc_configured() -> bool:
    return secrets_facts()[0]


def current_user() -> dict | None:
    """{'name', 'role'} of the signed-in user, or None. Expired sessions are signed out here."""
    auth = st.session_state.get("auth")
    if auth is None and _oidc_configured() and getattr(st.user, "is_logged_in", False):
        email = st.user.get("email", "")
        roles = dict(st.secrets.get("roles", {}))
        auth = {"name": email, "role": roles.get(email, "viewer"), "method": "oidc"}
        _audit(email, "signin", {"method": "oidc", "role": auth["role"]})
    if auth is None:
        return None
    now = time.time()
    if now - auth.get("last_seen", now) > TIMEOUT_S:
        _audit(auth["name"], "session_expired", {})
        sign_out(expired=True)
        return None
    auth["last_seen"] = now
    st.session_state["auth"] = auth
    return auth


def role() -> str | None:
    user = current_user()
    return user["role"] if user else None


def user_name() -> str:
    user = current_user()
    return user["name"] if user else ""


def allowed(permission: str) -> bool:
    return can(role(), permission)


def guard(permission: str) -> None:
    """Stop the page unless the user may do this (a hidden page reached by URL shows nothing)."""
    if not allowed(permission):
        st.error(tr("auth.forbidden"))
        st.stop()
    require(role(), permission)


def sign_out(expired: bool = False) -> None:
    st.session_state.pop("auth", None)
    if expired:
        st.session_state["auth_expired"] = True
    if _oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def client_address() -> str | None:
    """The address sign-in delays are counted for: the connection's peer. Streamlit reports a
    peer on this machine as None; then the app sits behind the local reverse proxy
    (deploy/nginx), whose address for the visitor is the LAST entry of X-Forwarded-For (it
    appends $remote_addr; earlier entries come from the visitor and prove nothing)."""
    forwarded = st.context.headers.get("X-Forwarded-For")
    for ip in (st.context.ip_address, forwarded.split(",")[-1].strip() if isinstance(forwarded, str) else None):
        try:
            return str(ipaddress.ip_address(ip))
        except ValueError:  # None (a peer on this machine), or not an address at all
            continue
    return None


def _audit(actor: str, action: str, detail: dict) -> None:
    audit.log(engine(), actor, action, "", detail)


def sign_in_page() -> None:
    """The only thing an unauthenticated session sees."""
    st.title(tr("auth.title"))
    if st.session_state.pop("auth_expired", False):
        st.info(tr("auth.expired"))
    if _oidc_configured():
        st.button(tr("auth.sso"), on_click=st.login, type="primary")
        return
    with st.form("signin"):
        name = st.text_input(tr("auth.username"), key="signin_user")
        password = st.text_input(tr("auth.password"), type="password", key="signin_password")
        submitted = st.form_submit_button(tr("auth.submit"), type="primary")
    if submitted:
        with gate.giving_way():
            got, reason = authenticate(engine(), name.strip(), password, client_address())
        if got:
            st.session_state["auth"] = {"name": name.strip(), "role": got, "method": "local", "last_seen": time.time()}
            st.rerun()
        # One answer for a wrong password, an unknown name and a client that must wait: which
        # names exist stays unknown. "Disabled" comes only after the right password.
        st.error(tr("auth.disabled" if reason == "disabled" else "auth.refused"))
    st.caption(tr("auth.help"))
