"""Sign-in. With an identity provider configured in secrets ([auth] for st.login, OIDC) the app
uses it, and roles come from secrets [roles] (e-mail -> role, or -> {role, office}; default
viewer of the whole province). Otherwise local accounts (storage.users, argon2id) with lock-out.
A session idle longer than the timeout is signed out. The role and the office scope live in the
session; every data function checks the role again, and ui/data.py applies the scope to every
query (user_scope)."""

from __future__ import annotations

import functools
import ipaddress
import os
import time

import streamlit as st

from domain.roles import can, require
from domain.scope import NOTHING, PROVINCE, Scope
from storage import audit
from storage.users import UserError, account_scope, authenticate, checked_scope
from ui import gate
from ui.data import engine
from ui.lang import tr
from ui.preload import preload_charts

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


def sso_account(entry) -> tuple[str, str | None]:
    """(role, office) from a [roles] entry: "analyst", or { role = "analyst", office = "kanim_bima" }.
    A missing entry is a viewer of the whole province; an entry that names an unknown office, or
    an office for an admin, gives a viewer that sees nothing (an error in the secrets never widens)."""
    if entry is None:
        return "viewer", None
    if isinstance(entry, str):
        return entry, None
    role, office = entry.get("role", "viewer"), entry.get("office")
    try:
        return role, checked_scope(role, office).office
    except UserError:
        return "viewer", NOTHING.office


def current_user() -> dict | None:
    """{'name', 'role', 'office'} of the signed-in user (office None: the whole province), or None.
    Expired sessions are signed out here."""
    auth = st.session_state.get("auth")
    if auth is None and _oidc_configured() and getattr(st.user, "is_logged_in", False):
        email = st.user.get("email", "")
        role_, office = sso_account(dict(st.secrets.get("roles", {})).get(email))
        auth = {"name": email, "role": role_, "office": office, "method": "oidc"}
        _audit(email, "signin", {"method": "oidc", "role": role_}, Scope(office))
    if auth is None:
        return None
    now = time.time()
    if now - auth.get("last_seen", now) > TIMEOUT_S:
        _audit(auth["name"], "session_expired", {}, Scope(auth.get("office")))
        sign_out(expired=True)
        return None
    auth["last_seen"] = now
    st.session_state["auth"] = auth
    return auth


def role() -> str | None:
    user = current_user()
    return user["role"] if user else None


def user_scope() -> Scope:
    """What the signed-in account may see; nothing at all when nobody is signed in."""
    user = current_user()
    if user is None:
        return NOTHING
    office = user.get("office")
    return PROVINCE if office is None else Scope(office)


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
    for ip in (
        st.context.ip_address,
        forwarded.split(",")[-1].strip() if isinstance(forwarded, str) else None,
    ):
        try:
            return str(ipaddress.ip_address(ip))
        except ValueError:  # None (a peer on this machine), or not an address at all
            continue
    return None


def _audit(actor: str, action: str, detail: dict, scope: Scope | None = None) -> None:
    audit.log(engine(), actor, action, "", detail, scope)


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
            office = account_scope(engine(), name.strip()).office
            st.session_state["auth"] = {
                "name": name.strip(),
                "role": got,
                "office": office,
                "method": "local",
                "last_seen": time.time(),
            }
            st.rerun()
        # One answer for a wrong password, an unknown name and a client that must wait: which
        # names exist stays unknown. "Disabled" comes only after the right password.
        st.error(tr("auth.disabled" if reason == "disabled" else "auth.refused"))
    st.caption(tr("auth.help"))
    preload_charts()  # plotly.js fetched and compiled while the user types (ui/preload.py)
