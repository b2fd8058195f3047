"""One import, as the upload page and `python -m loaders.ingest` both run it:
read -> map headers -> validate (pandera, every error) -> pseudonymise -> commit (one transaction).

`prepare` needs no database (the page shows its preview and errors before the analyst commits);
`commit` writes. `import_file` does both; a large voter list in parts (PART_ROWS), still one
transaction. Nothing here raises anything but ImportRejected for a bad file.
"""

from __future__ import annotations

import binascii
import hashlib
import queue
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Engine

from domain.data_kinds import kind as data_kind
from domain.regions import office_for, offices, ports
from domain.scope import PROVINCE, Scope
from i18n import t
from loaders.errors import ImportRejected
from loaders.places import fill_regency
from loaders.profiles import Profile, apply, place_capable
from loaders.pseudonym import pseudonymise, pseudonyms
from loaders.reader import Limits, read_table
from loaders.validate import RowError, validate
from loaders.values import mask_passport
from storage.imports import Abandoned, commit_batch, commit_parts

MODES = ("partial", "all_or_nothing")
Progress = Callable[[float, str], None]


@dataclass
class Prepared:
    kind: str
    file_name: str
    file_sha256: str
    rows_read: int
    rows: pd.DataFrame  # stored columns, valid rows only
    errors: list[RowError]  # errors and warnings, by line
    dropped_columns: list[str]  # unknown columns (dropped, reported)
    dropped_personal: list[str]  # names, birth dates, addresses (dropped, reported)
    preview: pd.DataFrame  # first rows as read (passport column masked)
    encoding: str | None = None
    delimiter: str | None = None
    regencies_from_places: int = (
        0  # blank or absent regencies resolved from a place (loaders/places.py)
    )
    no_passport: int = 0  # valid presence rows without a passport number (a warning)

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
    status: str  # imported | partial | rejected | already_imported | no_new_rows
    rows_read: int = 0
    rows_imported: int = 0  # rows written: new + updated
    rows_updated: int = 0
    rows_rejected: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    dropped_personal: list[str] = field(default_factory=list)
    batch_id: int | None = None
    already_imported_batch: int | None = None
    rejection: ImportRejected | None = None
    regencies_from_places: int = 0
    no_passport: int = 0  # valid presence rows without a passport number

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
            return t(
                "upload.no_new_rows",
                lang,
                duplicates=self.duplicates,
                rejected=self.rows_rejected,
                read=self.rows_read,
            )
        text = t(
            "upload.summary",
            lang,
            imported=self.rows_imported,
            updated=self.rows_updated,
            rejected=self.rows_rejected,
            duplicates=self.duplicates,
            read=self.rows_read,
        )
        if self.dropped_personal:
            text += " " + t(
                "upload.personal_dropped", lang, columns=", ".join(self.dropped_personal)
            )
        if self.regencies_from_places:
            text += " " + t("mapping.from_places", lang, n=self.regencies_from_places)
        if self.no_passport:
            text += " " + t("upload.no_passport", lang, n=self.no_passport)
        return text

    def to_json(self, lang: str = "en") -> dict:
        return {
            "kind": self.kind,
            "status": self.status,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_updated": self.rows_updated,
            "rows_rejected": self.rows_rejected,
            "duplicates": self.duplicates,
            "errors": [
                {
                    "line": e.line,
                    "column": e.column,
                    "header": e.header or e.column,
                    "value": e.value,
                    "message": error_message(e, lang),
                    "level": e.level,
                }
                for e in self.errors
            ],
            "dropped_columns": self.dropped_columns + self.dropped_personal,
            "dropped_personal": self.dropped_personal,
            "batch_id": self.batch_id,
            "regencies_from_places": self.regencies_from_places,
            "no_passport": self.no_passport,
            "message": self.summary(lang),
        }


def error_message(e: RowError, lang: str) -> str:
    return (
        t(f"errors.row_{e.code}", lang, detail=e.detail)
        if e.detail
        else t(f"errors.row_{e.code}", lang)
    )


def prepare(
    data: bytes,
    file_name: str,
    kind: str,
    limits: Limits = Limits(),
    progress: Progress | None = None,
    profile: Profile | None = None,
    scope: Scope = PROVINCE,
) -> Prepared:
    """`profile`: the file's headers mapped to the contract and its place columns
    (loaders/profiles.py); without one the contract's own names are matched. `scope`: the
    uploading account's (domain/scope.py): rows of another office's area (on the row's date)
    are rejected, each with a row error naming the office it belongs to."""
    step = progress or (lambda f, s: None)
    step(0.05, "read")
    return _whole(_Table(data, file_name, kind, limits, profile), scope, step)


def _whole(table: _Table, scope: Scope, step) -> Prepared:
    """Every row of the file validated and made into stored rows at once."""
    step(0.3, "validate")
    part = table.part(0, len(table.frame), scope, lambda: step(0.7, "pseudonymise"))
    return table.prepared(part.stored, part.errors, part.resolved, part.no_passport)


@dataclass
class _Part:
    """Rows of a file validated and made into stored rows."""

    stored: pd.DataFrame
    errors: list[RowError]
    resolved: int  # regencies filled from a place
    no_passport: int


class _Table:
    """A file read and its headers mapped to the contract (or ImportRejected)."""

    def __init__(self, data, file_name, kind, limits, profile):
        self.data, self.file_name, self.kind = data, file_name, kind
        self.raw = read_table(data, file_name, limits)
        self.mapping = apply(kind, list(self.raw.frame.columns), profile)
        headers = self.mapping.headers
        if headers.missing:
            # the file has columns of its own: name them, a mapping can use them
            if headers.unknown:
                raise ImportRejected(
                    "missing_columns_unmatched",
                    columns=", ".join(headers.missing),
                    unmatched=", ".join(f'"{h}"' for h in headers.unknown),
                )
            raise ImportRejected("missing_columns", columns=", ".join(headers.missing))
        self.frame = (
            self.raw.frame[list(headers.rename)]
            .rename(columns=headers.rename)
            .reset_index(drop=True)
        )
        self.as_named = {c: h for h, c in headers.rename.items()}  # errors name columns as the file

    def part(self, start: int, stop: int, scope: Scope, validated=lambda: None) -> _Part:
        """Rows start..stop validated (every error, by line) and made into stored rows. Each row
        is checked on its own: the parts of a file give the errors and rows the whole file gives."""
        kind, whole = self.kind, (start, stop) == (0, len(self.frame))
        raw, lines = self.raw.frame, self.raw.lines
        frame, ragged = self.frame, self.raw.ragged
        if not whole:
            raw = raw.iloc[start:stop].reset_index(drop=True)
            frame = frame.iloc[start:stop].reset_index(drop=True)
            lines = lines[start:stop]
            ragged = [n for n in ragged if lines[0] <= n <= lines[-1]]  # file order: lines rise
        places, kecamatan, resolved = _regency_from_places(raw, frame, self.mapping, lines, kind)
        rows, errors, distinct = validate(frame, lines, kind, ragged, places)
        errors = [
            e if e.header else replace(e, header=self.as_named.get(e.column, e.column))
            for e in errors
        ]
        validated()
        stored = _to_stored(rows, kind, distinct)
        if kecamatan is not None:  # kept for a district drill-down; not part of row_hash
            stored["kecamatan_code"] = pd.Series(
                kecamatan.reindex(stored.index).to_numpy(dtype=object),
                index=stored.index,
                dtype=object,
            )  # None, not NaN
        if not scope.province:
            header = self.as_named.get("regency", "regency")
            stored, errors = _within(stored, errors, kind, scope, lines, header)
        no_passport = sum(
            int(rows[c.name].isna().sum()) for c in data_kind(kind).columns if c.type == "passport"
        )
        return _Part(stored, errors, resolved, no_passport)

    def prepared(self, stored, errors, resolved, no_passport) -> Prepared:
        preview = self.frame.head(20).copy()
        for c in data_kind(self.kind).columns:  # passport numbers and NIKs: masked even here
            if c.secret and c.name in preview:
                preview[c.name] = preview[c.name].map(lambda v: mask_passport(v) if v else "")
        headers = self.mapping.headers
        return Prepared(
            self.kind,
            self.file_name,
            hashlib.sha256(self.data).hexdigest(),
            len(self.frame),
            stored,
            errors,
            headers.unknown,
            headers.personal,
            preview,
            self.raw.encoding,
            self.raw.delimiter,
            resolved,
            no_passport,
        )


def _places_and_days(rows: pd.DataFrame, kind: str) -> tuple[pd.Series, pd.Series]:
    """Each stored row's regency (a crossing's: its port's) and date."""
    if "regency_code" in rows:
        regency = rows["regency_code"]
    elif "port_id" in rows:
        regency = rows["port_id"].map(ports()["regency_code"])
    else:  # a kind with no place: all of NTB, outside any office's scope
        regency = pd.Series(None, index=rows.index, dtype=object)
    return regency, rows[data_kind(kind).date]


def _within(
    stored: pd.DataFrame,
    errors: list[RowError],
    kind: str,
    scope: Scope,
    lines: np.ndarray,
    header: str,
) -> tuple[pd.DataFrame, list[RowError]]:
    """The rows in `scope` on their own date; the others become row errors (outside_scope)."""
    regency, day = _places_and_days(stored, kind)
    out = scope.outside(regency, day)
    if not out.any():
        return stored, errors
    theirs = []
    for i in np.flatnonzero(out.to_numpy()):
        code, when = regency.iat[i], pd.Timestamp(day.iat[i]).date()
        office = office_for(code, when) if isinstance(code, str) else None
        theirs.append(
            RowError(
                int(lines[stored.index[i]]),
                "regency",
                code if isinstance(code, str) else "",
                "outside_scope",
                header=header,
                detail=offices().loc[office, "name"] if office else "-",
            )
        )
    errors = sorted([*errors, *theirs], key=lambda e: (e.line is None, e.line or 0))
    return stored[~out.to_numpy()], errors


def outside_rows(prep: Prepared, scope: Scope) -> int:
    """How many of the prepared rows lie outside `scope` (0 when prepare was given that scope)."""
    if scope.province or not len(prep.rows):
        return 0
    return int(scope.outside(*_places_and_days(prep.rows, prep.kind)).sum())


def _regency_from_places(
    raw: pd.DataFrame, frame: pd.DataFrame, mapping, lines: np.ndarray, kind: str
):
    """Blank (or absent) regencies filled in `frame` from the row's place text: the profile's
    place columns and `location`, joined. Returns (row errors by position, kecamatan codes or
    None, rows resolved). Nothing to do, and nothing computed, when every row has a regency."""
    sources = [raw[h].reset_index(drop=True) for h in mapping.place_from]
    location = next((h for h, c in mapping.headers.rename.items() if c == "location"), None)
    if location is not None:
        sources.append(frame["location"])
    if not sources or not place_capable(kind):
        return None, None, 0
    if "regency" in frame and not (frame["regency"] == "").any():
        return None, None, 0
    text = sources[0]
    for more in sources[1:]:  # "Senggigi" + "Batu Layar" -> "Senggigi, Batu Layar"
        text = (text + ", " + more).str.strip(", ")
    filled = fill_regency(frame.get("regency", None), text)
    frame["regency"] = filled.regency.to_numpy(dtype=object)
    shown = mapping.place_from + ([location] if location else [])
    header = " + ".join(shown)
    errors = {
        i: RowError(
            int(lines[i]), "regency", str(text.iat[i])[:120], code, header=header, detail=detail
        )
        for i, (code, detail) in filled.problems.items()
    }
    return errors, filled.kecamatan, filled.resolved


def _to_stored(rows: pd.DataFrame, kind: str, distinct: dict | None = None) -> pd.DataFrame:
    """Validated values -> the columns of the kind's storage table (its record's `stored`, in
    row_hash order), plus record_id and row_hash. `distinct`: {validated column: (codes, distinct
    values)} from the validator, reused to pseudonymise and fingerprint each distinct value once
    without looking for them again."""
    record, distinct = data_kind(kind), distinct or {}
    out, known = {}, {}
    for s in record.stored:
        col, values = record.column(s.source), rows[s.source]
        if s.fill is not None:
            out[s.name] = s.fill(rows)
        elif col.secret:  # passport numbers and NIKs are never stored in clear: their keyed hash
            if s.source in distinct:
                codes, numbers = distinct[s.source]
                hashing = getattr(distinct, "hashing", {}).get(s.source)  # started by the validator
                if hashing is not None and s.raw:  # 32-byte digests: one Arrow array, no object
                    # per row (storage.imports and storage.copy_binary take its bytes as a block)
                    digests = hashing.arrow()
                    known[s.name] = (codes, digests)
                    if len(codes) != len(digests) or (codes != np.arange(len(codes))).any():
                        digests = digests.take(pa.array(codes))  # else one row each, in order
                    out[s.name] = pd.Series(
                        pd.arrays.ArrowExtensionArray(digests), index=rows.index, copy=False
                    )
                    continue
                hashes = hashing.result() if hashing else pseudonyms(numbers, col.type, s.raw)
                known[s.name] = (codes, hashes)
                out[s.name] = pd.Series(
                    known[s.name][1][codes], index=rows.index, dtype=object, copy=False
                )
            else:
                out[s.name] = pseudonymise(values, col.type, s.raw)
        elif s.default is not None or (col.type in AS_NUMBER and col.required):
            filled = values if s.default is None else values.fillna(s.default)
            out[s.name] = filled.astype(AS_NUMBER[col.type]) if col.type in AS_NUMBER else filled
        else:  # stored as validated
            out[s.name] = values
            if s.source in distinct:
                known[s.name] = distinct[s.source]
                out[s.name] = _repeated_text(values, *distinct[s.source])
    if isinstance(record.identity, str):
        out["record_id"] = rows[record.identity]
    elif record.identity is None:  # a snapshot (a voter list): identical content is a duplicate
        out["record_id"] = pd.Series(
            np.full(len(rows), None, dtype=object), index=rows.index, dtype=object, copy=False
        )  # dtype given: pandas does not look at 4M Nones to infer one (0.05-0.2 s)
    else:  # "2024-11-01|lop_lombok_airport|datang|MYS"; a blank value as *
        parts = [out[c].astype(object).fillna("*").astype(str) for c in record.identity]
        out["record_id"] = parts[0].str.cat(parts[1:], sep="|")
    frame = pd.DataFrame(
        {c: out[c] for c in ["record_id", *(s.name for s in record.stored)]}, copy=False
    )  # no copy into one 2-D block
    later = {s.name for s in record.stored if s.added_later}
    raw = {s.name for s in record.stored if s.raw}
    frame["row_hash"] = row_hash(frame.drop(columns=["record_id"]), known, later, raw)
    return _python_values(frame, kept={"row_hash", *raw})


def _repeated_text(values: pd.Series, codes: np.ndarray, uniques: np.ndarray) -> pd.Series:
    """Text as a Categorical of the validator's codes (a regency, a list's name, a polling
    station, a village: values that repeat), so that COPY and the roll-ups take each distinct value
    once by its code instead of looking for the distinct values again. Per 500,000 rows, CPU
    seconds, medians of 11: encoding a voter list's five text columns 0.154 -> 0.095, a presence
    file's six 0.188 -> 0.096; a voter list's roll-up cells 0.111 -> 0.063. Anything but text
    (dates) stays as it is. A missing value has code -1 (storage.engine.driver_values: None)."""
    if pd.api.types.infer_dtype(uniques, skipna=True) != "string":
        return values
    recoded, categories = pd.factorize(uniques, use_na_sentinel=True)  # spellings may meet
    return pd.Series(
        pd.Categorical.from_codes(recoded[codes], categories=categories, validate=False),
        index=values.index,
        copy=False,
    )


# Contract types stored as numbers or flags once every value is there (required, or a default).
AS_NUMBER = {"count": int, "severity": int, "bool": bool}


def _python_values(out: pd.DataFrame, kept: set) -> pd.DataFrame:
    """Python values with None for missing, as the database drivers take them. The validator's
    object columns hold None already (checking a million values for NaN costs ~0.1 s a column);
    typed columns (counts, flags, text built here) are converted. `kept` stay as they are: row_hash
    (int64, never missing) and 32-byte hashes in Arrow; storage.imports.bulk_insert gives SQLite
    Python ints and bytearrays made from them, COPY encodes them at once (4M voter-list rows: a
    Python object per row and value made, then read back by COPY, ~1 s of CPU)."""
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):  # repeated text: as it is
            continue
        if out[col].dtype != object and col not in kept:
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def row_hash(
    frame: pd.DataFrame,
    known: dict | None = None,
    later: set | frozenset = frozenset(),
    raw: set | frozenset = frozenset(),
) -> np.ndarray:
    """A 63-bit fingerprint of each row's stored values (duplicate and change detection).
    Each column is hashed once per distinct value, then combined. `known`: column -> (codes,
    distinct values) already at hand. `later`: columns appended after rows were stored; a blank
    one leaves the fingerprint as it was before the column existed. `raw`: columns of 32-byte
    keyed hashes, fingerprinted by their hex text (as when they were stored so: migration 0020)."""
    acc = np.zeros(len(frame), dtype=np.uint64)
    for col in frame.columns:
        if known and col in known:
            codes, uniques = known[col]
        elif col in raw and isinstance(frame[col].dtype, pd.ArrowDtype):  # digests as Arrow's
            uniques = pa.array(frame[col])  # the Arrow array itself (no copy of its values)
            codes = np.arange(len(frame))
        else:
            values = frame[col].to_numpy()
            if col in raw:  # digests as bytearrays (loaders/pseudonym.py) cannot be grouped
                values = np.array([v if v is None else bytes(v) for v in values], dtype=object)
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            uniques = np.append(
                np.asarray(uniques, dtype=object), None
            )  # code -1 (missing): the last
        if col in raw and isinstance(uniques, pa.FixedSizeBinaryArray):
            text = _hex_texts(uniques)
        elif col in raw:  # hex of the digests (bytes or bytearrays) with no Python call per value;
            # ASCII bytes hash as their text does
            text = np.full(len(uniques), "", dtype=object)
            there = np.flatnonzero(np.not_equal(uniques, None))
            text[there] = list(map(binascii.hexlify, uniques[there]))
        else:
            text = np.array(["" if u is None or u != u else str(u) for u in uniques], dtype=object)
        h = pd.util.hash_array(text, categorize=False)[codes]
        mixed = (acc * np.uint64(1_000_003)) ^ h
        acc = np.where((text == "")[codes], acc, mixed) if col in later else mixed
    return (acc >> np.uint64(1)).astype(np.int64)


def _hex_texts(digests: pa.FixedSizeBinaryArray) -> np.ndarray:
    """The hex text of each digest as ASCII bytes (as binascii.hexlify makes it), "" for null:
    all of them hexlified in one call (4M: 0.4 s instead of 0.7 s a call per digest)."""
    n, width = len(digests), digests.type.byte_width
    data = memoryview(digests.buffers()[1])[digests.offset * width : (digests.offset + n) * width]
    text = np.frombuffer(binascii.hexlify(data), dtype=f"S{2 * width}")
    text = text.astype(object)  # hex digits hold no NUL: nothing is cut off
    if digests.null_count:
        text[digests.is_null().to_numpy(zero_copy_only=False)] = ""
    return text


def commit(
    engine: Engine,
    prep: Prepared,
    mode: str = "partial",
    user: str = "",
    is_demo: bool = False,
    progress: Progress | None = None,
    scope: Scope = PROVINCE,
) -> ImportResult:
    """`scope`: the uploading account's; a prepared file still holding rows outside it (prepared
    without that scope) is rejected whole, and the upload's audit event carries the scope."""
    if mode not in MODES:
        raise ValueError(mode)
    res = _result(prep)
    if refused := _refused(prep, len(prep.rows), mode):
        res.rejection = refused
        return res
    if outside := outside_rows(prep, scope):
        res.rejection = ImportRejected("outside_scope", rows=outside)
        return res
    (progress or (lambda f, s: None))(0.8, "commit")
    done = commit_batch(
        engine, prep.kind, prep.rows, prep.errors, _meta(prep, user, mode, is_demo, scope)
    )
    return _landed(res, done, len(prep.rows), bool(prep.row_errors))


def _result(prep: Prepared) -> ImportResult:
    """The import's result as prepared, before anything is written: rejected until it lands."""
    return ImportResult(
        prep.kind,
        prep.file_name,
        "rejected",
        rows_read=prep.rows_read,
        rows_rejected=prep.rows_rejected,
        errors=prep.errors,
        dropped_columns=prep.dropped_columns,
        dropped_personal=prep.dropped_personal,
        regencies_from_places=prep.regencies_from_places,
        no_passport=prep.no_passport,
    )


def _refused(prep: Prepared, valid: int, mode: str) -> ImportRejected | None:
    """Why nothing of the file is written: a bad row in an all-or-nothing file, or no valid row."""
    if prep.row_errors and mode == "all_or_nothing":
        return ImportRejected("rejected_all_or_nothing", rejected=prep.rows_rejected)
    if valid == 0:
        return ImportRejected("no_valid_rows", rejected=prep.rows_rejected)
    return None


def _meta(prep: Prepared, user: str, mode: str, is_demo: bool, scope: Scope) -> dict:
    return {
        "file_name": prep.file_name,
        "file_sha256": prep.file_sha256,
        "uploaded_by": user,
        "mode": mode,
        "rows_read": prep.rows_read,
        "rows_rejected": prep.rows_rejected,
        "dropped_columns": prep.dropped_columns + prep.dropped_personal,
        "is_demo": is_demo,
        "scope": scope,
    }


def _landed(res: ImportResult, done, valid: int, row_errors: bool) -> ImportResult:
    """The result once the commit is done (storage.imports' CommitResult)."""
    if done.already_imported_batch is not None:
        res.status, res.already_imported_batch, res.duplicates = (
            "already_imported",
            done.already_imported_batch,
            valid,
        )
        return res
    res.batch_id = done.batch_id
    res.rows_imported = done.inserted + done.updated
    res.rows_updated = done.updated
    res.duplicates = done.duplicates
    res.status = "partial" if row_errors else "imported"
    if res.rows_imported == 0:  # every valid row was already stored: not a success, say so
        res.status = "no_new_rows"
    return res


# A snapshot file (a voter list: no sender ids) of more rows than this is imported in parts of
# this many: the database stores one part while the next is validated and hashed (4M rows on
# PostgreSQL: see README, Performance). Smaller files, and kinds with sender ids, go whole.
PART_ROWS = 500_000


def import_file(
    engine: Engine,
    data: bytes,
    file_name: str,
    kind: str,
    mode: str = "partial",
    user: str = "",
    is_demo: bool = False,
    limits: Limits = Limits(),
    progress: Progress | None = None,
    profile: Profile | None = None,
    scope: Scope = PROVINCE,
) -> ImportResult:
    if mode not in MODES:
        raise ValueError(mode)
    step = progress or (lambda f, s: None)
    step(0.05, "read")
    try:
        table = _Table(data, file_name, kind, limits, profile)
    except ImportRejected as exc:
        return ImportResult(kind, file_name, "rejected", rejection=exc)
    if data_kind(kind).identity is None and len(table.frame) > PART_ROWS:
        return _import_in_parts(engine, table, mode, user, is_demo, step, scope)
    return commit(engine, _whole(table, scope, step), mode, user, is_demo, progress, scope)


_GIVE_UP = object()  # sent to the writing thread instead of a part: roll back


def _import_in_parts(
    engine: Engine, table: _Table, mode: str, user: str, is_demo: bool, step, scope: Scope
) -> ImportResult:
    """import_file for a large snapshot file: parts of PART_ROWS rows are validated and hashed
    here while a second thread writes the parts before them in one transaction
    (storage.imports.commit_parts). The same result as importing it whole: every error of every
    part is reported; an all-or-nothing file with a bad row, or one without a valid row, is
    rolled back and rejected as commit() rejects it; a failure rolls all of it back."""
    n, errors, valid = len(table.frame), [], 0
    whole = table.prepared(pd.DataFrame(), errors, 0, 0)  # its rows go to the database in parts
    feed: queue.Queue = queue.Queue(maxsize=1)

    def parts():
        while (rows := feed.get()) is not None:
            if rows is _GIVE_UP:
                raise Abandoned
            yield rows

    def ending():
        return errors, whole.rows_rejected

    def send(item) -> None:
        while not writing.done():  # a writer that failed takes nothing more: its error is raised
            try:
                return feed.put(item, timeout=0.1)
            except queue.Full:
                continue

    step(0.3, "validate")
    with ThreadPoolExecutor(max_workers=1) as pool:
        writing = pool.submit(
            commit_parts,
            engine,
            table.kind,
            parts(),
            ending,
            _meta(whole, user, mode, is_demo, scope),
        )
        try:
            given_up = False
            for start in range(0, n, PART_ROWS):
                part = table.part(start, min(start + PART_ROWS, n), scope)
                errors += part.errors  # whole.errors: the same list
                whole.regencies_from_places += part.resolved
                whole.no_passport += part.no_passport
                valid += len(part.stored)
                if given_up:
                    continue  # every part is still validated: the report lists every error
                if writing.done():  # it failed: its error is raised below
                    break
                if mode == "all_or_nothing" and any(e.level == "error" for e in part.errors):
                    send(_GIVE_UP)
                    given_up = True
                elif len(part.stored):
                    send(part.stored)
            step(0.8, "commit")
            send(_GIVE_UP if given_up or not valid else None)
        except BaseException:
            send(_GIVE_UP)
            raise
        try:
            done = writing.result()
        except Abandoned:
            done = None
    res = _result(whole)
    if done is None:
        res.rejection = _refused(whole, valid, mode)
        return res
    return _landed(res, done, valid, bool(whole.row_errors))
