"""Safe CSV/XLSX exports: cells a spreadsheet would evaluate are neutralised, file names are
unique per request, and each file carries its classification marking."""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets

import pandas as pd

# A cell starting with one of these is a formula (or becomes one) in Excel/LibreOffice/Sheets.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
)  # never legitimate in a cell; XLSX forbids them
# A trigger right after a line break: a reader that splits lines itself (or a cell pasted line by
# line) would see a formula there.
_AFTER_BREAK = re.compile(r"([\r\n])(?=[=+\-@\t])")


def neutralise(value):
    """Prefix a text cell that a spreadsheet would evaluate with an apostrophe; drop control
    characters (NUL and friends) that no spreadsheet cell may hold."""
    if isinstance(value, str):
        starts = value.startswith(TRIGGERS)
        value = _AFTER_BREAK.sub(r"\1'", _CONTROL.sub("", value))
        if starts or value.startswith(TRIGGERS):
            return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def unique_name(stem: str, ext: str, marking: str | None = None) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    mark = f"{marking}_" if marking else ""
    return f"{mark}{stem}_{stamp}_{secrets.token_hex(4)}.{ext}"


def to_csv(df: pd.DataFrame, marking: str | None = None) -> bytes:
    buf = io.StringIO()
    if marking:
        buf.write(f"# {marking}\r\n")
    # CRLF rows (RFC 4180): the csv writer quotes a field holding any character of the line
    # terminator, so a bare CR inside a cell is quoted too (with "\n" it was written bare and a
    # reader started a new row at it).
    neutralise_frame(df).to_csv(buf, index=False, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8-sig")  # BOM: Excel opens UTF-8 correctly


def to_xlsx(df: pd.DataFrame, marking: str | None = None, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        start = 0
        if marking:
            pd.DataFrame({marking: []}).to_excel(xw, sheet_name=sheet, index=False)
            start = 2
        neutralise_frame(df).to_excel(xw, sheet_name=sheet, index=False, startrow=start)
    return buf.getvalue()
