"""Small building blocks shared by pages: the demo banner, KPI tiles, filter choices, the footer."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from domain.regions import attribution
from i18n import formats, source_text
from storage import audit
from ui.auth import user_name
from ui.data import engine, q, user_scope
from ui.lang import current, tr
from ui.tables import FIELD_WORDS, code_text
from viz.exports import to_csv, to_xlsx, unique_name
from viz.maps import fmt_number


def demo_banner() -> None:
    if q("shows_demo"):
        st.warning(tr("app.demo_banner"), icon=":material/science:")


def any_of(label: str, options, key: str, where=st, **kw) -> list:
    """A filter's multiselect, where choosing nothing means every value: the empty box says "Semua" /
    "All" (Streamlit's own placeholder is English), and it offers no "Select all" entry (English too,
    and choosing every value one by one means the same as choosing none)."""
    return where.multiselect(
        label, options, key=key, placeholder=tr("app.any"), select_all=False, **kw
    )


def as_sent(rows: pd.DataFrame, kind: str, lang: str | None = None) -> pd.DataFrame:
    """Stored rows under the upload contract's column names in the user's language (the names
    analysts send, so a table reads like their own files), with blanks for missing values. Columns
    outside the contract (the passport pseudonym, the batch) are named by the catalogue."""
    from domain.data_kinds import kind as data_kind
    from i18n import t

    lang = lang or current()
    record = data_kind(kind)
    contract = {c.name: c.id_name if lang == "id" else c.name for c in record.columns}
    names = {
        c: contract.get(record.contract_name(c) or c) or t(f"records.col_{c}", lang)
        for c in rows.columns
    }
    if (
        lang != "id"
    ):  # Indonesian readers see the codes as they send them; others read them as words
        rows = rows.assign(
            **{
                c: rows[c].map(lambda v, c=c: code_text(c, v, lang), na_action="ignore")
                for c in rows.columns
                if c in FIELD_WORDS
            }
        )
    return rows.astype(object).where(rows.notna(), "").rename(columns=names)


def kpi_row(
    values: dict[str, float],
    keys: list[str],
    before: dict[str, float] | None = None,
    worse_when_up: frozenset = frozenset(),
) -> None:
    """KPI tiles; with `before`, each shows its change (red when a rise is bad news, grey when
    neutral) and the earlier value beside it ("-56 dari 278"): no tooltip icon to crowd the label."""
    lang = current()
    cols = st.columns(len(keys))
    for col, key in zip(cols, keys):
        if before is None:
            col.metric(tr(f"kpi.{key}"), fmt_number(values[key], lang))
            continue
        col.metric(
            tr(f"kpi.{key}"),
            fmt_number(values[key], lang),
            formats.signed(values[key] - before[key], lang),
            delta_color="inverse" if key in worse_when_up else "off",
            delta_description=tr("overview.from_value", value=fmt_number(before[key], lang)),
        )


def footer() -> None:
    st.divider()
    st.caption(tr("app.footer") + "  \n" + source_text(attribution(), current()))


def _audit_export(actor: str, name: str, digest: str, marking: str, rows: int, scope=None) -> None:
    audit.log(
        engine(), actor, "export", name, {"sha256": digest, "marking": marking, "rows": rows}, scope
    )


def export_buttons(df, stem: str, marking: str, key: str) -> None:
    """CSV and XLSX downloads: formulas neutralised, marking inside the file and in its name,
    a unique file name per request, and the file's SHA-256 in the audit trail. The file is
    built only when the button is clicked (not on every render); `df` may be a function that
    reads the rows then (an export of every filtered record, not the page shown)."""
    actor, account = user_name(), user_scope()
    c1, c2 = st.columns(2)
    for col, fmt, mime in (
        (c1, "csv", "text/csv"),
        (c2, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        name = unique_name(stem, fmt, marking)

        def build(fmt=fmt, name=name) -> bytes:
            rows = df() if callable(df) else df
            data = to_csv(rows, marking) if fmt == "csv" else to_xlsx(rows, marking)
            _audit_export(
                actor, name, hashlib.sha256(data).hexdigest(), marking, len(rows), account
            )
            return data

        col.download_button(
            tr(f"app.export_{fmt}"),
            build,
            name,
            mime,
            key=f"{key}_{fmt}",
            icon=":material/download:",
        )


def _css_string(text: str) -> str:
    """A quoted CSS string: backslash, quote, line breaks and "<" (no closing </style>) escaped
    as CSS hex escapes; other characters as they are (CSS has no \\uXXXX escape)."""
    escape = {c: f"\\{ord(c):x} " for c in '\\"<\n\r'}
    return '"' + "".join(escape.get(c, c) for c in text) + '"'


def file_uploader(label: str, types: list[str], key: str, max_mb: int):
    """st.file_uploader with its own words in the user's language. Streamlit draws "Upload" and
    "200MB per file" in English whatever the page's language and has no option to change them,
    so they are hidden and our words drawn in their place by CSS (generated content is part of
    the button's accessible name, so a screen reader hears the same words)."""
    size = formats.number(max_mb, current())
    browse = _css_string(tr("uploadpage.browse"))
    limit = _css_string(
        tr("uploadpage.limit", size=size, types=", ".join(t.upper() for t in types))
    )
    not_sent = _css_string(tr("uploadpage.not_sent", size=size))
    box = f".st-key-{key} [data-testid='stFileUploaderDropzone']"
    st.html(
        # A file the browser refuses (too large) or whose upload breaks off never reaches the
        # server: Streamlit marks it with a red icon and an English tooltip only; our words below.
        f"<style>{box}:has([data-testid='stFileChip'][aria-invalid='true'])::after"
        f"{{content:{not_sent};display:block;flex-basis:100%;margin-top:0.5rem;"
        f"color:rgb(125,53,59);font-size:0.875rem}}"
        f"{box} button [data-testid='stMarkdownContainer'] p{{display:none}}"
        f"{box} button [data-testid='stMarkdownContainer']::after{{content:{browse}}}"
        f"{box} [data-testid='stFileUploaderDropzoneInstructions'] span{{display:none}}"
        f"{box} [data-testid='stFileUploaderDropzoneInstructions'] > div::after"
        f"{{content:{limit};font-size:0.875rem;opacity:0.6}}</style>"
    )
    # No `type=` for Streamlit: a file of another type would get its English "… files are not
    # allowed" in the browser. The reader refuses it instead, in the user's language
    # (errors.unsupported_extension), and the words above still name the types taken.
    return st.file_uploader(label, key=key)
