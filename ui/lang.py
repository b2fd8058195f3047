"""The UI language: Bahasa Indonesia by default, English as a choice (kept in the URL ?lang=en
so a reload or a shared link keeps it)."""

from __future__ import annotations

import streamlit as st

from i18n import DEFAULT_LANG, LANGS, t


def current() -> str:
    lang = st.session_state.get("lang")
    if lang not in LANGS:
        lang = st.query_params.get("lang", DEFAULT_LANG)
        lang = lang if lang in LANGS else DEFAULT_LANG
        st.session_state["lang"] = lang
    return lang


def tr(key: str, **params) -> str:
    return t(key, current(), **params)


def selector() -> None:
    labels = {"id": "Bahasa Indonesia", "en": "English"}
    choice = st.sidebar.radio(
        "🌐",
        list(labels),
        format_func=labels.get,
        index=list(labels).index(current()),
        horizontal=True,
        key="lang_choice",
        label_visibility="collapsed",
    )
    if choice != st.session_state.get("lang"):
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice
        st.rerun()
