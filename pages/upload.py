"""Unggah data: analysts import presence, incident and crossing files.

The uploaded bytes are copied into the session at once, so switching page mid-way loses nothing;
the check (every row error) runs before anything is written; the commit is one transaction."""

import hashlib

import pandas as pd
import streamlit as st

from loaders.columns import KINDS, SPECS
from loaders.contract_doc import page_help
from loaders.errors import ImportRejected
from loaders.pipeline import MODES, commit, error_message, prepare
from loaders.reader import ALLOWED_EXTENSIONS, Limits
from loaders.templates import template_csv, template_xlsx
from services.alerts import evaluate_and_store
from ui.auth import guard, user_name
from ui.components import export_buttons, file_uploader, footer
from ui.data import engine, user_scope
from ui.lang import current, tr
from ui.mapping import mapping_for, place_note
from ui.sidebar import election, sidebar
from ui.text import inert
from ui.upload_preview import allowed_codes, understood
from ui.uploads import release

guard("upload")
sidebar()
lang = current()
st.title(tr("uploadpage.title"))
st.markdown(tr("uploadpage.intro"))

kind = st.radio(
    tr("uploadpage.kind"),
    KINDS,
    format_func=lambda k: tr(f"uploadpage.kind_{k}"),
    horizontal=True,
    key="upload_kind",
)
with st.expander(tr("uploadpage.contract")):
    st.dataframe(
        pd.DataFrame(
            [
                {
                    tr("uploadpage.col_en"): c.name,
                    tr("uploadpage.col_id"): c.id_name,
                    tr("uploadpage.col_required"): "✔" if c.required else "",
                }
                for c in SPECS[kind]
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.markdown(tr("uploadpage.rules"))
with st.expander(tr("uploadpage.contract_doc")):
    # The project's own document (docs/upload-contract.md), never text from an uploaded file.
    st.markdown(page_help(kind))
c1, c2 = st.columns(2)
c1.download_button(
    tr("uploadpage.template_csv"),
    template_csv(kind),
    f"template_{kind}.csv",
    "text/csv",
    key=f"tpl_csv_{kind}",
)
c2.download_button(
    tr("uploadpage.template_xlsx"),
    template_xlsx(kind),
    f"template_{kind}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key=f"tpl_xlsx_{kind}",
)
with st.expander(
    tr("uploadpage.codes_title")
):  # beside the template: what the coded columns accept
    for vocab, codes in allowed_codes(kind, lang):
        st.markdown(f"**{tr(f'uploadpage.codes_vocab_{vocab}')}**")
        st.dataframe(codes, hide_index=True, width="stretch")

uploaded = file_uploader(
    tr("uploadpage.file"),
    [ext.lstrip(".") for ext in ALLOWED_EXTENSIONS],
    f"file_{kind}",
    Limits().max_bytes // 2**20,
)
if uploaded is not None:
    data = uploaded.getvalue()
    release(
        uploaded
    )  # the bytes live in the session from here on; Streamlit's copy goes (ui/uploads.py)
    sha = hashlib.sha256(data).hexdigest()
    pending = st.session_state.get("pending_upload")
    if (not pending or pending["sha"] != sha or pending["kind"] != kind) and st.session_state.get(
        "upload_result", {}
    ).get("sha") != sha:
        st.session_state["pending_upload"] = {
            "name": uploaded.name,
            "data": data,
            "sha": sha,
            "kind": kind,
        }
        st.session_state.pop("upload_result", None)

pending = st.session_state.get("pending_upload")
if pending and pending["kind"] == kind:
    st.subheader(tr("uploadpage.checking", file=inert(pending["name"])))
    bar = st.progress(0.0, text=tr("uploadpage.stage_read"))

    def progress(fraction, stage):
        bar.progress(min(fraction, 1.0), text=tr(f"uploadpage.stage_{stage}"))

    try:
        # ui/mapping.py: None when the headers match; rows of another office's area are row errors
        prep = prepare(
            pending["data"],
            pending["name"],
            kind,
            Limits(),
            progress,
            profile=mapping_for(pending, kind),
            scope=user_scope(),
        )
    except ImportRejected as exc:
        bar.empty()
        st.error(tr("uploadpage.rejected") + " " + inert(exc.message(lang)))
        if st.button(tr("uploadpage.discard")):
            st.session_state.pop("pending_upload", None)
            st.rerun()
        st.stop()
    bar.progress(1.0, text=tr("uploadpage.stage_done"))
    n_err = prep.rows_rejected
    st.markdown(
        tr(
            "uploadpage.check_summary",
            read=prep.rows_read,
            valid=len(prep.rows),
            rejected=n_err,
            warnings=len(prep.warnings),
        )
    )
    place_note(prep)
    if prep.dropped_personal:
        st.warning(tr("upload.personal_dropped", columns=inert(", ".join(prep.dropped_personal))))
    if prep.dropped_columns:
        st.info(tr("uploadpage.unknown_dropped", columns=inert(", ".join(prep.dropped_columns))))
    if prep.no_passport:
        st.warning(tr("upload.no_passport", n=prep.no_passport))
    st.caption(tr("uploadpage.understood", n=min(10, prep.rows_read)))
    st.dataframe(understood(prep, lang), hide_index=True, width="stretch", key="understood_table")
    if prep.errors:
        st.subheader(tr("uploadpage.errors", n=len(prep.errors)))
        errs = pd.DataFrame(
            [
                {
                    tr("uploadpage.err_line"): e.line,
                    tr("uploadpage.err_column"): e.header or e.column,
                    tr("uploadpage.err_value"): e.value,
                    tr("uploadpage.err_level"): tr(f"uploadpage.level_{e.level}"),
                    tr("uploadpage.err_message"): error_message(e, lang),
                }
                for e in prep.errors
            ]
        )
        st.dataframe(errs, hide_index=True, width="stretch", key="error_table")
        export_buttons(errs, "errors", "TERBATAS", key="errors_export")

    mode = st.radio(
        tr("uploadpage.mode"),
        MODES,
        format_func=lambda m: tr(f"uploadpage.mode_{m}"),
        key="upload_mode",
        horizontal=True,
    )
    if st.button(
        tr("uploadpage.commit"), type="primary", disabled=len(prep.rows) == 0, key="commit_upload"
    ):
        res = commit(engine(), prep, mode, user=user_name(), progress=progress, scope=user_scope())
        if res.batch_id is not None:  # new data: re-run the alert rules so alerts follow the upload
            evaluate_and_store(engine(), election(), actor=user_name())
        st.session_state["upload_result"] = {
            "status": res.status,
            "text": inert(res.summary(lang)),
            "sha": pending["sha"],
        }
        if res.status in ("imported", "partial", "already_imported", "no_new_rows"):
            st.session_state.pop("pending_upload", None)
        st.rerun()

result = st.session_state.get("upload_result")
if result:
    {
        "imported": st.success,
        "partial": st.warning,
        "already_imported": st.info,
        "no_new_rows": st.info,
    }.get(result["status"], st.error)(result["text"])
footer()
