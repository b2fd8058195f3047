"""Template files analysts download: the contract's columns (Indonesian names) and the kind's example row
(domain/data_kinds.py)."""

from __future__ import annotations

import io

import pandas as pd

from domain.data_kinds import kind as data_kind


def template_frame(kind: str) -> pd.DataFrame:
    record = data_kind(kind)
    cols = [c.id_name for c in record.columns]
    return pd.DataFrame([{c: record.example.get(c, "") for c in cols}], columns=cols)


def template_csv(kind: str) -> bytes:
    return template_frame(kind).to_csv(index=False).encode("utf-8-sig")


def template_xlsx(kind: str) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        template_frame(kind).to_excel(xw, index=False, sheet_name=kind)
    return buf.getvalue()
