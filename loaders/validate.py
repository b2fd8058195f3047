"""Row-level validation with pandera (lazy: every failure is collected, none stops the run),
then conversion of the valid rows to stored values.

The schema runs on the raw text the reader produced; each check is vectorised and named after
its message key in i18n/errors.*.toml (`errors.row_<check>`). Values are parsed once per distinct
value, so validating and converting a million rows stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as pc

from domain.data_kinds import kind as data_kind
from domain.regions import boundaries_gdf, ntb_bounds
from loaders import values as V
from loaders.columns import SPECS, Column
from loaders.pseudonym import Hashing

# A point is in NTB when it lies in the boundary file's box widened by 0.15° (~16 km): the sea
# around the coast (a boat, an anchorage) counts. A point outside it is a row error.
COORD_MARGIN_DEG = 0.15
LON_MIN, LAT_MIN, LON_MAX, LAT_MAX = ntb_bounds(COORD_MARGIN_DEG)


@dataclass(frozen=True)
class RowError:
    line: int | None
    column: str
    value: str  # passport numbers masked, never in clear
    code: str  # message key: errors.row_<code>
    level: str = "error"  # error | warning (warnings do not reject the row)
    header: str = ""  # the column as the file named it (`column` is the contract's name)
    detail: str = ""  # fills {detail} in the message: the candidates of an ambiguous place


# Column type -> (parser: text -> stored value or None, error code when it returns None).
TYPES = {
    "date": (V.parse_date, "bad_date"),
    "regency": (V.parse_regency, "unknown_regency"),
    "nationality": (V.parse_nationality, "unknown_nationality"),
    "count": (V.parse_count, "bad_count"),
    "severity": (V.parse_severity, "bad_severity"),
    "bool": (V.parse_bool, "bad_bool"),
    "port": (V.parse_port, "unknown_port"),
    "passport": (V.normalise_passport, "bad_passport"),
    "nik": (V.normalise_nik, "bad_nik"),
    "tps": (V.parse_tps, "bad_tps"),
}


# Column type -> parser of all distinct texts at once (vectorised), used instead of the one above.
MANY = {"passport": V.normalise_passports}  # NIKs: V.parse_niks (per row when all distinct)


def _parser(col: Column):
    """Function text -> stored value (None when not acceptable) for a column type."""
    t = col.type
    if t.startswith("enum:"):
        vocab = t.split(":", 1)[1]
        return lambda s: V.parse_enum(vocab, s)
    if t == "coord":
        return V.parse_coordinate
    return TYPES[t][0] if t in TYPES else (lambda s: s)  # text and ids: kept as text


def _check_code(col: Column) -> str:
    t = col.type
    if t.startswith("enum:"):
        return "bad_value"
    return "bad_coordinate" if t == "coord" else TYPES.get(t, (None, ""))[1]


class Distinct(dict):
    """{column: (codes, distinct parsed values)}; `hashing`: {secret column: its Hashing}."""

    hashing: dict[str, Hashing]


class Parsed(dict):
    """Column name -> parsed values, computed once per column and shared by the pandera checks
    and the conversion of valid rows (parsing is the expensive part). `none[name]` marks the
    values that are None (empty or not acceptable); `distinct[name]` is (codes, distinct values)
    of a parsed or free-text column, so that later steps need not find the distinct values again."""

    def __init__(self, frame: pd.DataFrame, kind: str):
        super().__init__()
        self.frame = frame
        self.spec = {c.name: c for c in SPECS[kind]}
        self.none: dict[str, np.ndarray] = {}
        self.distinct: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.hashing: dict[str, Hashing] = {}  # keyed hashes of a secret column's distinct values
        self.raw = {s.source for s in data_kind(kind).stored if s.raw}  # hashes kept as 32 bytes

    def __missing__(self, name: str) -> pd.Series:
        col, raw = self.spec[name], self.frame[name]
        # copy=False: pandas 3 copies a NumPy array given to Series (0.6 s of copies at 4M rows);
        # these arrays are made here and used by nothing else
        if col.type == "id":  # kept as text, nearly every value distinct: only empty becomes None
            empty = (raw == "").to_numpy(dtype=bool)
            values = pd.Series(
                np.where(empty, None, raw.to_numpy(dtype=object)),
                index=raw.index,
                dtype=object,
                copy=False,
            )
            self.none[name] = empty
        elif (
            col.type == "text"
        ):  # kept as text, values repeat: one Python string per distinct value
            codes, distinct = V.parse_distinct(raw, lambda s: s)
            values = pd.Series(distinct[codes], index=raw.index, dtype=object, copy=False)
            self.none[name] = np.equal(distinct, None)[codes]
            self.distinct[name] = (codes, distinct)
        else:
            codes, distinct = (
                V.parse_niks(raw)
                if col.type == "nik"
                else V.parse_distinct(raw, _parser(col), many=MANY.get(col.type))
            )
            values = pd.Series(distinct[codes], index=raw.index, dtype=object, copy=False)
            self.none[name] = np.equal(distinct, None)[codes]
            self.distinct[name] = (codes, distinct)
            if col.secret:  # hashed by a helper process while the other columns are validated
                self.hashing[name] = Hashing(distinct, col.type, raw=name in self.raw)
        self[name] = values
        return values

    def nik_region(self, name: str) -> np.ndarray:
        """Rows whose NIK claims NTB with regency digits no NTB regency has (looked for only among
        the values that did not parse: usually none)."""
        out = np.zeros(len(self.frame), dtype=bool)
        failed = np.flatnonzero(~self.accepted(name))
        if len(failed):
            out[failed] = V.nik_region_errors(self.frame[name].to_numpy(dtype=object)[failed])
        return out

    def accepted(self, name: str) -> np.ndarray:
        """Rows whose value parsed (not None)."""
        self[name]  # noqa: B018 - parses the column if not done yet
        return ~self.none[name]


def build_schema(kind: str, present: list[str], parsed: Parsed) -> pa.DataFrameSchema:
    columns = {}
    for col in SPECS[kind]:
        if col.name not in present:
            continue
        checks = []
        if col.required:
            checks.append(pa.Check(lambda s: s != "", name="required"))
        code = _check_code(col)
        if (
            col.type == "nik"
        ):  # well formed but claiming NTB with a regency NTB has not: its own message
            checks.append(
                pa.Check(
                    lambda s, n=col.name: (s == "") | parsed.accepted(n) | parsed.nik_region(n),
                    name=code,
                )
            )
            checks.append(
                pa.Check(
                    lambda s, n=col.name: pd.Series(
                        ~parsed.nik_region(n), index=s.index, copy=False
                    ),
                    name="nik_region",
                )
            )
        elif code:
            checks.append(pa.Check(lambda s, n=col.name: (s == "") | parsed.accepted(n), name=code))
        checks.append(pa.Check(lambda s, n=col.max_len: _not_too_long(s, n), name="too_long"))
        # Column(None): the values are text; no per-cell dtype check (it costs seconds per million rows)
        columns[col.name] = pa.Column(None, checks=checks, nullable=False, coerce=False)
    return pa.DataFrameSchema(columns, strict=False, coerce=False)


def _not_too_long(values: pd.Series, most: int) -> pd.Series:
    """Per value: at most `most` characters. When no value of Arrow's text has more bytes than
    that (a character is at least one byte), every value is, without counting characters (4M
    rows, seven columns: 0.45 s less)."""
    text = getattr(values.array, "_pa_array", None)
    if text is not None and (
        arrow.types.is_string(text.type) or arrow.types.is_large_string(text.type)
    ):
        longest = pc.max(pc.binary_length(text)).as_py()
        if longest is None or longest <= most:
            return pd.Series(True, index=values.index)
    return values.str.len() <= most


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> list[tuple[int, str, str]]:
    """(row, column, check) of every failed check, as pandera's lazy validation lists them:
    column by column in the schema's order, a missing value first, then each check in order.

    Every check runs through pandera (`pa.Check.__call__`, its public API: NA values dropped
    first, a boolean Series out); the failing rows are read from each result instead of from
    `schema.validate(lazy=True)`'s SchemaErrors, whose report (pandera consolidates every failing
    column's cases into one frame) took ~2/3 of validating a small file with bad rows. A check
    that raises counts no row, as lazy validation recorded it without a row index (and this
    module has always dropped such records)."""
    out: dict[tuple[int, str, str], None] = {}
    for name, column in schema.columns.items():
        values = frame[name]
        if not column.nullable:
            out.update(((int(i), name, "not_nullable"), None) for i in values.index[values.isna()])
        for check in column.checks:
            try:
                result = check(values)
            except Exception:  # as lazy validation: recorded without a row, then dropped
                continue
            if (
                result.failure_cases is not None
            ):  # None: passed, or rows not known (dropped, as before)
                out.update(((int(i), name, check.name), None) for i in result.failure_cases.index)
    return list(out)


def convert(parsed: Parsed, kind: str, keep: pd.Series) -> pd.DataFrame:
    """Parsed values of the rows in `keep` (a boolean mask); absent columns are None."""
    every = bool(keep.all())  # the usual case: no copy of a million rows
    n = int(keep.sum())
    index = keep.index if every else keep.index[keep]
    out = {}
    for col in SPECS[kind]:
        if col.name in parsed.frame:
            out[col.name] = parsed[col.name] if every else parsed[col.name][keep]
        else:
            out[col.name] = pd.Series(np.full(n, None, dtype=object), index=index, copy=False)
    return pd.DataFrame(out, index=index, copy=False)


def validate(
    frame: pd.DataFrame,
    lines: np.ndarray,
    kind: str,
    ragged: list[int] | None = None,
    places: dict[int, RowError] | None = None,
) -> tuple[pd.DataFrame, list[RowError], dict]:
    """Return (converted valid rows, every row error and warning, distinct values): rows keep
    their frame index; `lines[i]` is the spreadsheet line of row position i; distinct values
    are {column: (codes of the valid rows, distinct parsed values)} of the parsed columns.
    `places`: row position -> why its blank regency could not come from its place (that error
    replaces the regency's "required")."""
    frame = frame.reset_index(drop=True)
    line_of = pd.Series(lines, index=frame.index)
    errors: list[RowError] = []
    bad = pd.Series(False, index=frame.index)
    parsed = Parsed(frame, kind)
    schema = build_schema(kind, list(frame.columns), parsed)
    for i, column, check in failures(schema, frame):
        if places and column == "regency" and i in places:
            continue  # the place's own error replaces "required"
        raw = str(frame.at[i, column])
        shown = V.mask_passport(raw) if _is_secret(kind, column) else raw[:120]
        errors.append(RowError(int(line_of[i]), column, shown, check))
        bad[i] = True
    for i, err in (places or {}).items():
        errors.append(err)
        bad[i] = True
    for line in ragged or []:
        idx = line_of.index[line_of == line]
        if len(idx):
            bad[idx] = True
            errors.append(RowError(int(line), "", "", "wrong_field_count"))

    rows = convert(parsed, kind, ~bad)
    more, row_bad = _cross_checks(rows, kind, line_of)
    errors += more
    if row_bad:
        rows = rows[~rows.index.isin(row_bad)]
    for name in _passports(kind):
        if name in frame:  # the row imports; the analyst is told
            errors += [
                RowError(int(line_of[i]), name, "", "no_passport", level="warning")
                for i in rows.index[rows[name].isna()]
            ]
    errors.sort(key=lambda e: (e.line or 0, e.column))
    return rows, errors, _distinct_of(parsed, rows.index.to_numpy(), len(frame))


def _distinct_of(parsed: Parsed, positions: np.ndarray, total: int) -> Distinct:
    if len(positions) == total:  # every row valid: the codes as they are
        out = Distinct(parsed.distinct)
    else:
        out = Distinct(
            (name, (codes[positions], distinct))
            for name, (codes, distinct) in parsed.distinct.items()
        )
    out.hashing = parsed.hashing
    return out


def _passports(kind: str) -> list[str]:
    return [c.name for c in SPECS[kind] if c.type == "passport"]


def _is_secret(kind: str, column: str) -> bool:
    """Passport numbers and NIKs: masked in every error report."""
    return any(c.name == column and c.secret for c in SPECS[kind])


def _cross_checks(rows: pd.DataFrame, kind: str, line_of: pd.Series) -> tuple[list[RowError], set]:
    """Checks across columns: coordinates (both or neither, inside NTB, inside the stated
    regency: a warning), the kind's date order (permit expiry after arrival)."""
    errors: list[RowError] = []
    bad: set = set()
    if "lat" in rows:
        lat, lon = rows["lat"], rows["lon"]
        half = lat.isna() != lon.isna()
        for i in rows.index[half]:
            col = "lon" if pd.isna(rows.at[i, "lon"]) else "lat"
            errors.append(RowError(int(line_of[i]), col, "", "coordinate_pair"))
            bad.add(i)
        both = lat.notna() & lon.notna()
        if both.any():  # most files carry no coordinates
            errors += _place_checks(rows, both, line_of, bad)
    for first, then, code in data_kind(kind).date_order:  # e.g. permit expiry before arrival
        wrong = (pd.to_datetime(rows[then]) < pd.to_datetime(rows[first])).fillna(False)
        for i in rows.index[wrong]:
            errors.append(RowError(int(line_of[i]), then, str(rows.at[i, then]), code))
            bad.add(i)
    return errors, bad


def _place_checks(
    rows: pd.DataFrame, both: pd.Series, line_of: pd.Series, bad: set
) -> list[RowError]:
    """Rows with both coordinates: inside NTB (else rejected), inside the stated regency (else a warning)."""
    errors = []
    latf = pd.to_numeric(rows["lat"].where(both), errors="coerce")
    lonf = pd.to_numeric(rows["lon"].where(both), errors="coerce")
    outside = both & ~(
        (lonf >= LON_MIN) & (lonf <= LON_MAX) & (latf >= LAT_MIN) & (latf <= LAT_MAX)
    )
    for i in rows.index[outside]:
        errors.append(
            RowError(
                int(line_of[i]), "lat", f"{rows.at[i, 'lat']}, {rows.at[i, 'lon']}", "outside_ntb"
            )
        )
        bad.add(i)
    inside = both & ~outside
    if inside.any():
        wrong = _outside_stated_regency(lonf[inside], latf[inside], rows.loc[inside, "regency"])
        for i in wrong:
            errors.append(
                RowError(
                    int(line_of[i]),
                    "lat",
                    f"{rows.at[i, 'lat']}, {rows.at[i, 'lon']}",
                    "outside_regency",
                    level="warning",
                )
            )
    return errors


# Points within ~1.1 km of a regency (the coastline is simplified) count as inside it.
_REGENCY_TOLERANCE_DEG = 0.01


@cache
def _regency_zone(code: str):
    """A regency's boundary widened by the tolerance, prepared for point tests: made once per
    process (the buffer alone took ~85 ms, the boundary file's shapes ~95 ms, per upload)."""
    import shapely

    geom = boundaries_gdf().loc[code, "geometry"].buffer(_REGENCY_TOLERANCE_DEG)
    shapely.prepare(geom)
    return geom


def _outside_stated_regency(lon: pd.Series, lat: pd.Series, regency: pd.Series) -> list:
    import shapely

    out = []
    for code, idx in regency.groupby(regency).groups.items():
        geom = _regency_zone(code)
        inside = shapely.contains_xy(geom, lon[idx].to_numpy(), lat[idx].to_numpy())
        out += list(np.asarray(idx)[~inside])
    return out
