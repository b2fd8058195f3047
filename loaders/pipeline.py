"""One import, as the upload page and `python -m loaders.ingest` both run it:
read -> map headers -> validate (pandera, every error) -> pseudonymise -> commit (one transaction).

`prepare` needs no database (the page shows its preview and errors before the analyst commits);
`commit` writes. Nothing here raises anything but ImportRejected for a bad file.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from domain.agencies import fill_agencies
from i18n import t
from loaders.columns import map_headers
from loaders.errors import ImportRejected
from loaders.pseudonym import pseudonymise
from loaders.reader import Limits, read_table
from loaders.validate import RowError, validate
from loaders.values import mask_passport
from storage.imports import commit_batch

MODES = ("partial", "all_or_nothing")
Progress = Callable[[float, str], None]


@dataclass
class Prepared:
    kind: str
    file_name: str
    file_sha256: str
    rows_read: int
    rows: pd.DataFrame                 # stored columns, valid rows only
    errors: list[RowError]             # errors and warnings, by line
    dropped_columns: list[str]         # unknown columns (dropped, reported)
    dropped_personal: list[str]        # names, birth dates, addresses (dropped, reported)
    preview: pd.DataFrame              # first rows as read (passport column masked)
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def row_errors(self) -> list[RowError]:
        return [e for e in self.errors if e.level == "error"]

    @property
    def warnings(self) -> list[RowError]:
        return [e for e in self.errors if e.level == "warning"]

    @property
    def rows_rejected(self) -> int:
        return len({e.line for e in self.row_errors})


@dataclass
class ImportResult:
    kind: str
    file_name: str
    status: str                       # imported | partial | rejected | already_imported | no_new_rows
    rows_read: int = 0
    rows_imported: int = 0            # rows written: new + updated
    rows_updated: int = 0
    rows_rejected: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    dropped_personal: list[str] = field(default_factory=list)
    batch_id: int | None = None
    already_imported_batch: int | None = None
    rejection: ImportRejected | None = None

    @property
    def exit_code(self) -> int:
        if self.status in ("rejected",):
            return 2
        return 1 if self.rows_rejected else 0

    def summary(self, lang: str = "id") -> str:
        if self.rejection is not None:
            return self.rejection.message(lang)
        if self.status == "already_imported":
            return t("upload.already_imported", lang, batch=self.already_imported_batch)
        if self.status == "no_new_rows":
            return t("upload.no_new_rows", lang, duplicates=self.duplicates, rejected=self.rows_rejected,
                     read=self.rows_read)
        text = t("upload.summary", lang, imported=self.rows_imported, updated=self.rows_updated,
                 rejected=self.rows_rejected, duplicates=self.duplicates, read=self.rows_read)
        if self.dropped_personal:
            text += " " + t("upload.personal_dropped", lang, columns=", ".join(self.dropped_personal))
        return text

    def to_json(self, lang: str = "en") -> dict:
        return {
            "kind": self.kind, "status": self.status, "rows_read": self.rows_read,
            "rows_imported": self.rows_imported, "rows_updated": self.rows_updated,
            "rows_rejected": self.rows_rejected, "duplicates": self.duplicates,
            "errors": [{"line": e.line, "column": e.column, "value": e.value, "message": error_message(e, lang),
                        "level": e.level} for e in self.errors],
            "dropped_columns": self.dropped_columns + self.dropped_personal,
            "dropped_personal": self.dropped_personal,
            "batch_id": self.batch_id, "message": self.summary(lang),
        }


def error_message(e: RowError, lang: str) -> str:
    return t(f"errors.row_{e.code}", lang)


def prepare(data: bytes, file_name: str, kind: str, limits: Limits = Limits(),
            progress: Progress | None = None) -> Prepared:
    step = progress or (lambda f, s: None)
    step(0.05, "read")
    raw = read_table(data, file_name, limits)
    headers = map_headers(list(raw.frame.columns), kind)
    if headers.missing:
        raise ImportRejected("missing_columns", columns=", ".join(headers.missing))
    frame = raw.frame[list(headers.rename)].rename(columns=headers.rename)
    step(0.3, "validate")
    decimal_comma = raw.delimiter != ","  # XLSX has no delimiter: a decimal comma is unambiguous there
    rows, errors = validate(frame, raw.lines, kind, decimal_comma, getattr(raw, "ragged", None))
    step(0.7, "pseudonymise")
    stored = _to_stored(rows, kind)
    preview = frame.head(20).copy()
    if "passport_no" in preview:
        preview["passport_no"] = preview["passport_no"].map(lambda v: mask_passport(v) if v else "")
    return Prepared(kind, file_name, hashlib.sha256(data).hexdigest(), len(frame), stored, errors,
                    headers.unknown, headers.personal, preview, raw.encoding, raw.delimiter)


def _to_stored(rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Validated values -> the columns of the storage table, plus record_id and row_hash."""
    if kind == "presence":
        out = pd.DataFrame({
            "record_id": rows["record_id"], "report_date": rows["report_date"],
            "regency_code": rows["regency"], "nationality": rows["nationality"],
            "permit_type": rows["permit_type"], "activity": rows["activity"],
            "passport_hash": pseudonymise(rows["passport_no"]),
            "person_count": rows["person_count"].fillna(1).astype(int),
            "arrival_date": rows["arrival_date"], "permit_expiry": rows["permit_expiry"],
            "sponsor": rows["sponsor"], "location": rows["location"],
            "lat": rows["lat"], "lon": rows["lon"], "source": rows["source"],
        })
    elif kind == "incidents":
        out = pd.DataFrame({
            "record_id": rows["incident_id"], "incident_date": rows["incident_date"],
            "regency_code": rows["regency"], "category": rows["category"],
            "severity": rows["severity"].astype(int), "nationality": rows["nationality"],
            "persons": rows["persons"].fillna(1).astype(int), "description": rows["description"],
            "lat": rows["lat"], "lon": rows["lon"], "reported_by": rows["reported_by"],
            "responsible_agency": fill_agencies(rows["category"], rows["responsible_agency"]),
            "action": rows["action"], "status": rows["status"].fillna("baru"),
            "election_related": rows["election_related"].fillna(False).astype(bool),
        })
    else:
        out = pd.DataFrame({
            "date": rows["date"], "port_id": rows["port"], "direction": rows["direction"],
            "nationality": rows["nationality"], "count": rows["count"].astype(int),
        })
        # Aggregated figures have no sender id: date, port, direction and nationality identify them,
        # so a corrected figure replaces the old one instead of adding to it.
        out.insert(0, "record_id", out["date"].astype(str) + "|" + out["port_id"] + "|" + out["direction"]
                   + "|" + out["nationality"].fillna("*"))
    out["row_hash"] = row_hash(out.drop(columns=["record_id"]))
    return out.astype(object).where(out.notna(), None)


def row_hash(frame: pd.DataFrame) -> np.ndarray:
    """A 63-bit fingerprint of each row's stored values (duplicate and change detection).
    Each column is hashed once per distinct value, then combined."""
    acc = np.zeros(len(frame), dtype=np.uint64)
    for col in frame.columns:
        codes, uniques = pd.factorize(frame[col], use_na_sentinel=False)
        text = np.array(["" if u is None or u != u else str(u) for u in uniques], dtype=object)
        h = pd.util.hash_array(text, categorize=False)[codes]
        acc = (acc * np.uint64(1_000_003)) ^ h
    return (acc >> np.uint64(1)).astype(np.int64)


def commit(engine: Engine, prep: Prepared, mode: str = "partial", user: str = "", is_demo: bool = False,
           progress: Progress | None = None) -> ImportResult:
    if mode not in MODES:
        raise ValueError(mode)
    res = ImportResult(prep.kind, prep.file_name, "rejected", rows_read=prep.rows_read,
                       rows_rejected=prep.rows_rejected, errors=prep.errors,
                       dropped_columns=prep.dropped_columns, dropped_personal=prep.dropped_personal)
    if prep.row_errors and mode == "all_or_nothing":
        res.rejection = ImportRejected("rejected_all_or_nothing", rejected=prep.rows_rejected)
        return res
    if len(prep.rows) == 0:
        res.rejection = ImportRejected("no_valid_rows", rejected=prep.rows_rejected)
        return res
    (progress or (lambda f, s: None))(0.8, "commit")
    meta = {"file_name": prep.file_name, "file_sha256": prep.file_sha256, "uploaded_by": user, "mode": mode,
            "rows_read": prep.rows_read, "rows_rejected": prep.rows_rejected,
            "dropped_columns": prep.dropped_columns + prep.dropped_personal, "is_demo": is_demo}
    done = commit_batch(engine, prep.kind, prep.rows, prep.errors, meta)
    if done.already_imported_batch is not None:
        res.status, res.already_imported_batch, res.duplicates = "already_imported", done.already_imported_batch, len(prep.rows)
        res.rows_rejected = prep.rows_rejected
        return res
    res.batch_id = done.batch_id
    res.rows_imported = done.inserted + done.updated
    res.rows_updated = done.updated
    res.duplicates = done.duplicates
    res.status = "partial" if prep.row_errors else "imported"
    if res.rows_imported == 0:  # every valid row was already stored: not a success, say so
        res.status = "no_new_rows"
    return res


def import_file(engine: Engine, data: bytes, file_name: str, kind: str, mode: str = "partial", user: str = "",
                is_demo: bool = False, limits: Limits = Limits(), progress: Progress | None = None) -> ImportResult:
    try:
        prep = prepare(data, file_name, kind, limits, progress)
    except ImportRejected as exc:
        return ImportResult(kind, file_name, "rejected", rejection=exc)
    return commit(engine, prep, mode, user, is_demo, progress)
