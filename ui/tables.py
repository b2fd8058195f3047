"""Stored tables as people read them: headers in the user's language, codes as words, times in
WITA (storage keeps UTC), blanks for missing values."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from domain.wita import to_wita
from i18n import formats, has, t
from ui.lang import current, tr

# Codes shown as words, per table: column -> catalogue key prefix (the code completes the key).
BATCH_WORDS = {"kind": "uploadpage.kind_", "mode": "uploadpage.mode_", "status": "table.batch_"}
STATUS_WORDS = {"from_status": "status.", "to_status": "status."}
USER_WORDS = {"role": "auth.role_"}
# The codes of stored presence, incident and crossing rows (as the upload contract names them).
FIELD_WORDS = {
    "permit_type": "code.permit_",
    "activity": "alerts.activity_",
    "action": "code.action_",
    "category": "category.",
    "status": "status.",
    "direction": "alerts.direction_",
}


def code_text(column: str, code, lang: str | None = None) -> str:
    """A stored code of `column` as a word in the language (ITAS_KERJA -> "Limited stay permit,
    work"); the code itself when the catalogue has no word for it."""
    key = f"{FIELD_WORDS.get(column, '')}{code}"
    return t(key, lang or current()) if column in FIELD_WORDS and has(key) else code


def day_text(day) -> str:
    """A date as the pages show it (27/11/2024); "–" when there is none (an open-ended span)."""
    return formats.date(day, current())


def date_column(label: str | None = None):
    """A table column of dates shown as 27/11/2024 that still sorts as dates when its header is
    clicked (text would sort 01/12 before 30/11)."""
    return st.column_config.DateColumn(label, format=formats.WIDGET_DATE)


def wita_text(values: pd.Series) -> pd.Series:
    """Stored UTC times as WITA wall-clock text (27/11/2024 14:05); blank when missing."""
    lang = current()
    return values.map(
        lambda v: (
            "" if pd.isna(v) else formats.datetime(to_wita(pd.Timestamp(v).to_pydatetime()), lang)
        )
    )


def readable(frame: pd.DataFrame, words: dict[str, str] | None = None) -> pd.DataFrame:
    """`frame` under the catalogue's headers (`table.<column>`), its times in WITA and the codes
    of the `words` columns as words."""
    words = words or {}
    out = {}
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.infer_dtype(values, skipna=True) in ("datetime", "datetime64"):
            values = wita_text(values)
        elif col in words:
            values = values.map(lambda v, key=words[col]: "" if pd.isna(v) else tr(f"{key}{v}"))
        out[tr(f"table.{col}")] = values.astype(object).where(values.notna(), "")
    return pd.DataFrame(out, index=frame.index)
