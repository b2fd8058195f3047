"""The overview's situation report box: the latest pack for the sidebar's area to download
(viewer and up; each download is an audited export with the PDF's SHA-256) and a button that
makes one now for the sidebar's as-of date and area, in the user's language and with the marking
chosen for briefings."""

from __future__ import annotations

import streamlit as st

from domain.filters import Filters
from i18n import formats
from services import sitrep
from storage import sitreps
from ui.auth import allowed, user_name
from ui.briefing import chosen_marking
from ui.data import engine, user_scope
from ui.lang import current, tr
from viz.briefing import format_as_of


def _download(pack: dict, actor: str) -> bytes:
    """The PDF, read when the button is clicked, and the export in the audit trail."""
    data = sitreps.pdf(engine(), pack["id"])
    sitreps.audit_download(engine(), actor, pack, f"{pack['name']}.pdf", user_scope())
    return data


def sitrep_box(f: Filters) -> None:
    if not allowed("export_briefing"):
        return
    lang = current()
    st.subheader(tr("sitrep.ui_title"))
    if st.button(tr("sitrep.ui_make"), key="sitrep_make", icon=":material/summarize:"):
        with st.spinner(tr("sitrep.ui_making")):
            try:
                made = sitrep.make(
                    engine(),
                    None,
                    as_of=f.as_of,
                    office=f.office,
                    marking=chosen_marking(),
                    lang=lang,
                    actor=user_name(),
                    scope=user_scope(),
                )
                st.success(tr("sitrep.ui_made", id=made["pack"]))
            except LookupError:
                st.warning(tr("sitrep.ui_failed", reason=tr("sitrep.cli_no_data")))
    account = user_scope()  # an office-scoped account: its own office's packs only
    pack = sitreps.latest(engine(), f.office if account.province else account.office)
    if pack is None:
        st.caption(tr("sitrep.ui_none"))
        return
    st.caption(
        tr(
            "sitrep.ui_latest",
            id=pack["id"],
            as_of=formats.date(pack["as_of"], lang),
            made=format_as_of(pack["made_at"], lang),
            marking=pack["marking"],
        )
    )
    st.download_button(
        tr("sitrep.ui_download"),
        lambda: _download(pack, user_name()),
        f"{pack['name']}.pdf",
        "application/pdf",
        key=f"sitrep_download_{pack['id']}",
        icon=":material/download:",
    )
