"""Parsers for single values of the upload contract. Each returns the stored value, or None
when the text is not acceptable. Columns are parsed once per distinct value (`parse_distinct`),
which keeps a million-row file fast: a file has few distinct dates, regencies or countries.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pycountry

from domain.paths import REFERENCE
from domain.regions import resolve_port, resolve_regency
from domain.vocabularies import codes as allowed_values  # noqa: F401 - the contract's codes, for callers
from domain.vocabularies import key as _key
from domain.vocabularies import spellings as vocabularies

# --- vocabularies (data/reference/vocabularies.toml, read by domain/vocabularies.py) ------------


def parse_enum(vocabulary: str, text: str):
    return vocabularies()[vocabulary].get(_key(text))


def parse_severity(text: str):
    v = parse_enum("severity", text)
    return int(v) if v is not None else None


def parse_bool(text: str):
    v = parse_enum("boolean", text)
    return None if v is None else v == "true"


# --- dates ------------------------------------------------------------------------------------

_MONTHS = {
    # Indonesian and English month names and abbreviations; "Nopember"/"Agustus" are common spellings
    "jan": 1,
    "januari": 1,
    "january": 1,
    "feb": 2,
    "februari": 2,
    "pebruari": 2,
    "february": 2,
    "mar": 3,
    "maret": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "mei": 5,
    "may": 5,
    "jun": 6,
    "juni": 6,
    "june": 6,
    "jul": 7,
    "juli": 7,
    "july": 7,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "agus": 8,
    "agustus": 8,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "okt": 10,
    "oktober": 10,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "nop": 11,
    "november": 11,
    "nopember": 11,
    "des": 12,
    "desember": 12,
    "dec": 12,
    "december": 12,
}
# A time after the date (a spreadsheet date-time cell) is allowed: the day is what is stored.
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_NAMED = re.compile(r"^(\d{1,2})[\s\-]+([A-Za-z]+)\.?[\s\-]+(\d{4})$")
MIN_DATE, MAX_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


@lru_cache(maxsize=100_000)
def parse_date(text: str):
    """Day first always (Indonesian convention): 03/04/2024 is 3 April."""
    s = text.strip()
    if m := _ISO.match(s):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := _DMY.match(s):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    elif m := _NAMED.match(s):
        d, y = int(m[1]), int(m[3])
        mo = _MONTHS.get(m[2].lower())
        if mo is None:
            return None
    else:
        return None
    try:
        value = dt.date(y, mo, d)
    except ValueError:  # 31/02/2024
        return None
    return value if MIN_DATE <= value <= MAX_DATE else None


# --- places and people ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _nationality_aliases() -> dict[str, str]:
    df = pd.read_csv(REFERENCE / "nationality_aliases.csv", dtype=str, keep_default_na=False)
    return dict(zip(df["alias"].str.lower(), df["alpha3"]))


@lru_cache(maxsize=10_000)
def parse_nationality(text: str):
    """ISO alpha-3 for an alpha-3, alpha-2, English or Indonesian name. 'NA' is Namibia."""
    s = text.strip()
    if not s:
        return None
    low = s.lower()
    if low in _nationality_aliases():
        return _nationality_aliases()[low]
    if len(s) in (2, 3) and s.isalpha():
        c = pycountry.countries.get(**{"alpha_2" if len(s) == 2 else "alpha_3": s.upper()})
        return c.alpha_3 if c else None
    for attr in ("name", "common_name", "official_name"):
        for c in pycountry.countries:
            if getattr(c, attr, "").lower() == low:
                return c.alpha_3
    return None


@lru_cache(maxsize=1)
def _indonesian_names() -> dict[str, str]:
    df = pd.read_csv(REFERENCE / "nationality_aliases.csv", dtype=str, keep_default_na=False)
    df = df[df["display_id"] != ""]
    return dict(zip(df["alpha3"], df["display_id"]))


def country_name(alpha3: str, lang: str = "id") -> str:
    """Display name: the Indonesian name when the reference has one, else pycountry's."""
    if not alpha3:
        return ""
    if lang == "id" and alpha3 in _indonesian_names():
        return _indonesian_names()[alpha3]
    c = pycountry.countries.get(alpha_3=alpha3)
    return (getattr(c, "common_name", None) or c.name) if c else alpha3


parse_regency = lru_cache(maxsize=10_000)(resolve_regency)
parse_port = lru_cache(maxsize=1_000)(resolve_port)

_INT = re.compile(r"^\d{1,9}$")
_INT_DOT = re.compile(r"^\d{1,3}(?:\.\d{3})+$")  # 1.234 (Indonesian thousands separator)


def parse_count(text: str):
    s = text.strip()
    if _INT.match(s):
        return int(s)
    if _INT_DOT.match(s):
        return int(s.replace(".", ""))
    if re.match(r"^\d+\.0+$", s):  # 5.0 from a spreadsheet
        return int(float(s))
    return None


def parse_coordinate(text: str):
    """Decimal degrees with a decimal point or a decimal comma ("-8,46"), in every kind of file:
    a comma inside a value of a comma-separated file can only come from a quoted field, so it
    is the decimal separator there too. One separator at most ("1,234.5" is not a coordinate)."""
    s = text.strip()
    if "," in s and "." not in s:
        s = s.replace(",", ".")
    if not re.match(r"^[+-]?\d{1,3}(?:\.\d+)?$", s):
        return None
    return float(s)


_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
_PASSPORT_SEPARATORS = re.compile(r"[\s\-]")


def normalise_passport(text: str):
    """Upper case without spaces or dashes; None when it cannot be a passport number."""
    s = _PASSPORT_SEPARATORS.sub("", text).upper()
    return s if _PASSPORT.match(s) else None


# What `[\s\-]` matches among ASCII characters in Python's re (str.isspace() includes \x1c-\x1f).
_ASCII_SEPARATORS = r"[\t\n\v\f\r\x1c-\x1f \-]"


def normalise_passports(texts: np.ndarray) -> np.ndarray:
    """normalise_passport of many texts (a file's distinct numbers): ASCII texts, nearly all of
    them, through Arrow's vectorised kernels; any other text one by one in Python."""
    arr = pa.array(texts, pa.large_string())
    cleaned = pc.ascii_upper(pc.replace_substring_regex(arr, _ASCII_SEPARATORS, ""))
    valid = pc.match_substring_regex(cleaned, _PASSPORT.pattern).to_numpy(zero_copy_only=False)
    out = np.where(valid, cleaned.to_numpy(zero_copy_only=False), None)
    for i in np.flatnonzero(~pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)):
        out[i] = normalise_passport(texts[i])
    return out


# --- NIK (e-KTP number) and polling stations ----------------------------------------------------

_NIK_SEPARATORS = r"[\s.\-]"  # "5201.0123.4567.0001", "5201 0123 4567 0001"
_NIK = re.compile(r"^\d{16}$")
NTB_PROVINCE = "52"


@lru_cache(maxsize=1)
def _ntb_regency_digits() -> frozenset[str]:
    from domain.regions import regency_codes

    return frozenset(c.replace(".", "")[2:] for c in regency_codes())  # "52.01" -> "01"


def normalise_nik(text: str):
    """16 digits without spaces, dots or dashes; None when it cannot be a NIK: not 16 digits, or
    a NIK claiming NTB (province 52) whose regency digits are not an NTB regency's
    (nik_region_error tells the two apart for the error report)."""
    s = re.sub(_NIK_SEPARATORS, "", text)
    if not _NIK.match(s) or not s.isascii():
        return None
    return None if nik_region_error(s) else s


def nik_region_error(digits: str) -> bool:
    """A 16-digit NIK whose province is NTB (52) but whose regency digits are no NTB regency's."""
    return digits[:2] == NTB_PROVINCE and digits[2:4] not in _ntb_regency_digits()


def _nik_parts(texts: np.ndarray, arr: pa.Array | pa.ChunkedArray | None = None):
    """(digits without separators, 16 ASCII digits?, claims NTB with a regency not NTB's?) of many
    texts at once, through Arrow's vectorised kernels (a voter list's NIKs are nearly all distinct).
    Texts that are 16 digits already (nearly all) are kept as they are: only the others are
    cleaned of separators and made into new strings. `arr`: the same texts as Arrow strings, when
    at hand (not made again from the Python strings)."""
    texts = np.asarray(texts, dtype=object)
    arr = pa.array(texts, pa.large_string()) if arr is None else arr
    ok = pc.match_substring_regex(arr, r"^[0-9]{16}$").to_numpy(zero_copy_only=False)
    cleaned = texts.copy()
    bad_region = _ntb_unknown(arr, ok)
    rest = np.flatnonzero(~ok)
    if len(rest):
        more = pc.replace_substring_regex(
            pa.array(texts[rest], pa.large_string()), _NIK_SEPARATORS, ""
        )
        cleaned[rest] = more.to_numpy(zero_copy_only=False)
        ok[rest] = pc.match_substring_regex(more, r"^[0-9]{16}$").to_numpy(zero_copy_only=False)
        bad_region[rest] = _ntb_unknown(more, ok[rest])
    return cleaned, ok, bad_region


def _ntb_unknown(digits: pa.Array, ok: np.ndarray) -> np.ndarray:
    """Of texts that are 16 digits (`ok`): claims NTB (52) with regency digits no NTB regency has."""
    ntb = pc.equal(pc.utf8_slice_codeunits(digits, 0, 2), NTB_PROVINCE).to_numpy(
        zero_copy_only=False
    )
    known = pc.is_in(
        pc.utf8_slice_codeunits(digits, 2, 4),
        pa.array(sorted(_ntb_regency_digits()), pa.large_string()),
    ).to_numpy(zero_copy_only=False)
    return ok & ntb & ~known


def normalise_niks(texts: np.ndarray, arr: pa.Array | pa.ChunkedArray | None = None) -> np.ndarray:
    """normalise_nik of many texts (`arr`: the same as Arrow strings, when at hand)."""
    cleaned, ok, bad_region = _nik_parts(texts, arr)
    return np.where(ok & ~bad_region, cleaned, None)


# NIKs of a column are parsed row by row, not once per distinct value, when at least this share
# of its first SAMPLE values are distinct: a voter list holds each NIK once, and finding the
# distinct values of 4M distinct texts (a hash table of them all) took 0.8-1.2 s, longer than
# parsing them all (Arrow's kernels, ~0.5 s). A presence file repeats a resident's NIK on each
# report: there each distinct NIK is parsed and hashed once. Either way the values are the same.
NIK_ROWWISE_SHARE, NIK_SAMPLE = 0.9, 65_536


def parse_niks(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """parse_distinct(values, normalise_nik): (codes, parsed) such that parsed[codes] is the
    parsed column; when the column's NIKs are (nearly) all distinct, codes are the row positions
    and parsed has one value per row."""
    arr = getattr(values.array, "_pa_array", None)  # Arrow-backed text, as the reader makes it
    if arr is not None and arr.null_count == 0 and len(arr) >= NIK_SAMPLE:
        sample = arr.slice(0, NIK_SAMPLE)
        if pc.count_distinct(sample).as_py() >= NIK_ROWWISE_SHARE * NIK_SAMPLE:
            texts = arr.to_numpy(zero_copy_only=False)  # Python strings, one per row
            return np.arange(len(texts)), normalise_niks(texts, arr)  # empty text: None
    return parse_distinct(values, normalise_nik, many=normalise_niks)


def nik_region_errors(texts: np.ndarray) -> np.ndarray:
    """Per text: a 16-digit NIK claiming NTB (52) whose regency digits are no NTB regency's (a row
    error of its own: the number is well formed but cannot be an NTB resident's)."""
    return _nik_parts(texts)[2]


_TPS = re.compile(r"^(?:tps)?[\s.\-]*0*([1-9][0-9]{0,3})$", re.I)


def parse_tps(text: str):
    """A polling station (TPS) number as three digits at least: "TPS 12", "tps-012", "12" -> "012"."""
    m = _TPS.match(text.strip())
    return m[1].zfill(3) if m else None


def mask_passport(text: str) -> str:
    """Never show a passport number (or a NIK) in clear: keep only its length and last two characters."""
    s = re.sub(r"\s", "", str(text))
    if len(s) <= 2:
        return "*" * len(s)
    return "*" * (len(s) - 2) + s[-2:]


def parse_distinct(values: pd.Series, fn, *args, many=None) -> tuple[np.ndarray, np.ndarray]:
    """(codes, parsed): `fn` applied once per distinct value, so that parsed[codes] is the parsed
    column; or `many` applied to all distinct values at once. Empty text gives None without
    calling either."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    uniques = np.asarray(
        uniques, dtype=object
    )  # iterating an Arrow-backed array costs more than parsing
    if many is not None:
        parsed = many(uniques)
    else:
        parsed = np.empty(len(uniques), dtype=object)
        parsed[:] = [(fn(u, *args) if u != "" else None) for u in uniques]
    parsed[uniques == ""] = None
    return codes, parsed
