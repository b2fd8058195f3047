"""Column mappings saved as profiles: which header of an agency's file is which contract column,
and which columns name a place (their text resolves the regency: loaders/places.py).

A profile is a plain TOML file, reviewed and shared as such, and used by the upload page and
`python -m loaders.ingest KIND FILE --profile PATH.toml` alike:

    kind = "presence"
    [columns]                 # the file's header = the contract column
    "Tgl Check In" = "report_date"
    "No. Paspor" = "passport_no"
    [place]
    from = ["Alamat Hotel"]   # columns whose text names a village, district or regency

Headers are matched as the contract's are (case, spaces and hyphens do not matter). Columns the
profile does not name are still matched by the contract's own names. Profiles saved in the app
live in the database (storage/profiles.py) and are offered again for a file with the same headers.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import pandas as pd

from domain.data_kinds import kinds
from loaders import values as V
from loaders.columns import PERSONAL, SPECS, HeaderMap, header_key, map_headers
from loaders.errors import ImportRejected

PLACE = (
    "place"  # target of a column whose text names a place (not stored: used to find the regency)
)
IGNORE = "ignore"  # target of a column left out


@dataclass
class Profile:
    kind: str
    columns: dict[str, str] = field(default_factory=dict)  # file header -> contract column
    place_from: list[str] = field(default_factory=list)  # file headers naming a place
    name: str = ""


def place_capable(kind: str) -> bool:
    """Kinds whose rows carry a regency that a place can stand for."""
    return any(c.name == "regency" for c in SPECS[kind])


def parse(text: str, name: str = "") -> Profile:
    """A profile from TOML text; a wrong profile is rejected with a reason (ImportRejected)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ImportRejected("profile_unreadable", reason=str(exc)) from None
    kind = raw.get("kind")
    if kind not in kinds():
        raise ImportRejected("profile_bad_kind", kind=str(kind), kinds=", ".join(kinds()))
    columns = raw.get("columns", {})
    place = raw.get("place", {}).get("from", [])
    if (
        not isinstance(columns, dict)
        or not all(isinstance(v, str) for v in columns.values())
        or not isinstance(place, list)
        or not all(isinstance(v, str) for v in place)
    ):
        raise ImportRejected(
            "profile_unreadable",
            reason='[columns] "header" = "column"; [place] from = ["header", ...]',
        )
    profile = Profile(kind, dict(columns), list(place), name)
    check(profile)
    return profile


def check(profile: Profile) -> None:
    """Every target a contract column of the kind, none twice; place columns only where a regency is."""
    known = {c.name for c in SPECS[profile.kind]}
    wrong = [t for t in profile.columns.values() if t not in known]
    if wrong:
        raise ImportRejected("profile_unknown_target", columns=", ".join(wrong), kind=profile.kind)
    twice = sorted(
        {t for t in profile.columns.values() if list(profile.columns.values()).count(t) > 1}
    )
    if twice:
        raise ImportRejected("profile_target_twice", columns=", ".join(twice))
    if profile.place_from and not place_capable(profile.kind):
        raise ImportRejected("profile_place_not_here", kind=profile.kind)


def to_toml(profile: Profile) -> str:
    """The profile as the TOML file above (JSON string escapes are valid TOML basic strings)."""
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731
    out = [f"kind = {q(profile.kind)}", "", "[columns]  # the file's header = the contract column"]
    out += [f"{q(h)} = {q(c)}" for h, c in profile.columns.items()]
    if profile.place_from:
        out += [
            "",
            "[place]  # columns whose text names a village, district or regency",
            f"from = [{', '.join(q(h) for h in profile.place_from)}]",
        ]
    return "\n".join(out) + "\n"


def headers_signature(headers: list[str]) -> str:
    """The normalised header set of a file: a file with the same headers (any order, case,
    spacing) gets the same signature, so a saved profile is offered again."""
    keys = sorted({header_key(h) for h in headers if str(h).strip()})
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


@dataclass
class Mapping:
    headers: HeaderMap  # rename (file header -> column), unknown, personal, missing
    place_from: list[str]  # file headers naming a place, as in the file


def apply(kind: str, file_headers: list[str], profile: Profile | None) -> Mapping:
    """The file's headers mapped by the profile, the rest by the contract's names. A profile that
    names a column the file lacks rejects the file, naming it as the profile (the file) does."""
    if profile is None:
        return Mapping(_with_place(kind, map_headers(file_headers, kind), []), [])
    if profile.kind != kind:
        raise ImportRejected("profile_other_kind", profile_kind=profile.kind, kind=kind)
    by_key = {header_key(h): h for h in file_headers}
    wanted = list(profile.columns) + list(profile.place_from)
    absent = [h for h in wanted if header_key(h) not in by_key]
    if absent:
        raise ImportRejected("profile_missing_columns", columns=", ".join(f'"{h}"' for h in absent))
    rename = {by_key[header_key(h)]: c for h, c in profile.columns.items()}
    place = [by_key[header_key(h)] for h in profile.place_from]
    rest = [h for h in file_headers if h not in rename and h not in place]
    others = map_headers(rest, kind)
    for h, c in others.rename.items():
        if c not in rename.values():
            rename[h] = c
        else:
            others.unknown.append(h)
    found = set(rename.values())
    missing = [c.name for c in SPECS[kind] if c.required and c.name not in found]
    hm = HeaderMap(rename, others.unknown, others.personal, missing)
    return Mapping(_with_place(kind, hm, place), place)


def _with_place(kind: str, hm: HeaderMap, place: list[str]) -> HeaderMap:
    """A missing regency is not missing when a place can stand for it (`location`, place columns)."""
    if (
        "regency" in hm.missing
        and place_capable(kind)
        and (place or "location" in hm.rename.values())
    ):
        hm.missing.remove("regency")
    return hm


# --- guessing a mapping for the upload page ------------------------------------------------------

# Words agencies use for the contract's columns, beyond its own names (header_key form).
SYNONYMS = {
    "report_date": ("tgl_check_in", "check_in", "tanggal_check_in", "tgl_lapor", "tanggal_lapor"),
    "nationality": ("kebangsaan", "bangsa", "nationality", "citizenship", "asal_negara"),
    "activity": ("keperluan", "tujuan", "maksud_kunjungan", "purpose", "tujuan_kunjungan"),
    "permit_type": ("jenis_izin_tinggal", "jenis_visa", "visa", "izin_tinggal"),
    "passport_no": ("no_paspor", "no_passport", "passport_no"),
    "record_id": ("no_reg", "no_registrasi", "nomor_register", "no_urut"),
    "arrival_date": ("tgl_kedatangan", "tanggal_kedatangan", "tgl_datang"),
    "regency": ("kab", "kabupaten_kota", "kab_kota"),
    "location": ("lokasi", "tempat"),
}
PLACE_WORDS = ("alamat", "address", "desa", "kecamatan", "kelurahan", "lokasi", "tempat", "hotel")


def _name_key(text: str) -> str:
    """Stronger than header_key: dots and other punctuation count as separators too ("No. Paspor")."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).strip().lower()).strip("_")


def _name_score(header: str, col) -> float:
    key = _name_key(header)
    names = {
        _name_key(n) for n in (col.name, col.id_name, *col.aliases, *SYNONYMS.get(col.name, ()))
    }
    if key in names:
        return 1.0
    return max(SequenceMatcher(None, key, n).ratio() for n in names)


def _value_score(values: list[str], col, kind: str) -> float | None:
    """Share of sample values the column's parser accepts; None when values tell nothing."""
    t = col.type
    if t.startswith("enum:"):
        parse = functools.partial(V.parse_enum, t.split(":", 1)[1])
    elif t == "date":
        parse = V.parse_date
    elif t == "nationality":
        parse = lambda s: V.parse_nationality(s) if len(s) > 1 else None  # noqa: E731
    elif t == "regency":
        parse = V.parse_regency
    elif t == "port":
        parse = V.parse_port
    elif t == "severity":
        parse = V.parse_severity
    else:
        return None
    if not values:
        return None
    return sum(parse(v) is not None for v in values) / len(values)


def _place_score(header: str, values: list[str]) -> float:
    from loaders.places import resolve

    share = sum(resolve(v).regency is not None for v in values) / len(values) if values else 0.0
    named = any(w in _name_key(header).split("_") for w in PLACE_WORDS)
    return 0.6 * share + (0.4 if named else 0.0)


@dataclass(frozen=True)
class Guess:
    target: str  # a contract column, PLACE or IGNORE
    score: float  # 0..1
    by: str  # "name", "values", "name+values" or "" (nothing fitted)


def guess(kind: str, headers: list[str], sample: pd.DataFrame) -> dict[str, Guess]:
    """A guess per file header: the contract column whose names are closest to the header and
    whose parser accepts the sample's values (dates, country codes, permit codes, regency or
    village names), each contract column given once, best first; IGNORE below 0.5."""
    scored = []
    for h in headers:
        values = [v for v in sample[h].astype(str).tolist() if v][:50] if h in sample else []
        if header_key(h) in PERSONAL:
            continue
        for col in SPECS[kind]:
            name = _name_score(h, col)
            value = _value_score(values, col, kind)
            if value is None:
                score, by = name, "name"
            else:
                score, by = 0.45 * name + 0.55 * value, "name+values" if name >= 0.8 else "values"
                if value == 0:
                    score = min(score, 0.3)
            score += 0.02 if col.required else 0.0  # a tie goes to the column the file cannot miss
            scored.append((score, h, col.name, by))
        if place_capable(kind):
            scored.append((_place_score(h, values), h, PLACE, "values"))
    out: dict[str, Guess] = {}
    taken: set[str] = set()
    for score, h, target, by in sorted(scored, key=lambda s: -s[0]):
        if h in out or (target in taken and target != PLACE) or score < 0.5:
            continue
        out[h] = Guess(target, round(min(score, 1.0), 2), by)
        taken.add(target)
    return {h: out.get(h, Guess(IGNORE, 0.0, "")) for h in headers}


def from_choices(kind: str, choices: dict[str, str], name: str = "") -> Profile:
    """A profile from the page's choice per header (contract column, PLACE or IGNORE)."""
    profile = Profile(
        kind,
        {h: c for h, c in choices.items() if c not in (PLACE, IGNORE)},
        [h for h, c in choices.items() if c == PLACE],
        name,
    )
    check(profile)
    return profile
