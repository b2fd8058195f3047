"""The briefing export widget: marking, page size and format chosen by the user; the file is
rendered on the server (no browser), named uniquely, and its SHA-256 goes to the audit trail."""

from __future__ import annotations

import hashlib

import streamlit as st

from domain.filters import Filters
from domain.regions import attribution, offices
from i18n import formats, source_text, t
from services.briefing import briefing_input
from storage import audit
from ui.auth import guard, user_name
from ui.data import engine, q, scoped, user_scope
from ui.lang import current, tr
from viz.briefing import export_name, render
from viz.map_slide import Slide, slide_title
from viz.style import DEFAULT_MARKING, MARKINGS

MARKING_KEY = "brief_marking"


def chosen_marking() -> str:
    """The marking chosen in the briefing popover (TERBATAS until one is chosen): the browser
    map carries the same one, so a screenshot is marked like the briefing."""
    value = st.session_state.get(MARKING_KEY)
    return value if value in MARKINGS else DEFAULT_MARKING


def _audit_export(name: str, digest: str, marking: str) -> None:
    audit.log(
        engine(),
        user_name(),
        "export",
        name,
        {"sha256": digest, "marking": marking, "kind": "briefing"},
        user_scope(),
    )


def briefing_export(f: Filters, metric: str) -> None:
    guard("export_briefing")
    marking = st.radio(
        tr("briefing_ui.marking"),
        MARKINGS,
        index=MARKINGS.index(DEFAULT_MARKING),
        horizontal=True,
        key=MARKING_KEY,
    )
    size = st.radio(
        tr("briefing_ui.size"),
        ["a4", "16:9"],
        horizontal=True,
        key="brief_size",
        format_func=lambda s: tr(f"briefing_ui.size_{s.replace(':', 'x')}"),
    )
    fmt = st.radio(
        tr("briefing_ui.format"),
        ["png", "pdf"],
        horizontal=True,
        key="brief_fmt",
        format_func=str.upper,
    )
    if st.button(tr("briefing_ui.make"), key="brief_make", type="primary"):
        with st.spinner(tr("briefing_ui.rendering")):
            inp = briefing_input(engine(), scoped(f), metric, current(), marking)
            data = render(inp, fmt=fmt, size=size)
        st.session_state["briefing_file"] = {
            "name": export_name(inp, fmt, size),
            "data": data,
            "fmt": fmt,
            "sha": hashlib.sha256(data).hexdigest(),
            "marking": marking,
        }
    done = st.session_state.get("briefing_file")
    if done:
        st.download_button(
            tr("briefing_ui.download", name=done["name"]),
            done["data"],
            done["name"],
            "application/pdf" if done["fmt"] == "pdf" else "image/png",
            key="brief_download",
            on_click=_audit_export,
            args=(done["name"], done["sha"], done["marking"]),
            icon=":material/download:",
        )


def map_slide(
    f: Filters, metric: str, election, lang: str | None = None, marking: str | None = None
) -> Slide:
    """The words the browser map carries as a slide: metric, period and the phases it covers,
    area and as-of date, the marking, the source line and whether demo data shows. `lang` and
    `marking` default to the session's (ui.warm passes them: it has no session)."""
    lang = lang or current()

    def tr(key: str, **params) -> str:
        return t(key, lang, **params)

    area = (
        tr("map.slide_office", office=offices().loc[f.office, "name"])
        if f.office
        else tr("map.slide_all_ntb")
    )
    batches = q("batches")
    n = int((batches["status"] == "committed").sum()) if len(batches) else 0
    return Slide(
        title=slide_title(
            tr(f"metric.{metric}"), f.start, f.end, election.phases_between(f.start, f.end), lang
        ),
        subtitle=f"{area} · {tr('map.slide_as_of', date=formats.date(f.as_of, lang))}",
        marking=marking or chosen_marking(),
        source=f"{tr('briefing.source_line', batches=n)} · {source_text(attribution(), lang)}",
        demo=bool(q("shows_demo")),
    )
