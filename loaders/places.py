"""Place text -> regency (and kecamatan): the gazetteer of NTB's kecamatan and villages
(data/reference/ntb_gazetteer.csv, Kepmendagri codes, MIT: data/reference/LICENSE-gazetteer.txt),
the hamlet and tourist names of data/reference/place_aliases.csv, and the regency names.

Whole words of the text are matched ("Jl. Raya Senggigi No 5, Batu Layar": `senggigi` and `batu
layar`); a longer name wins over a name inside it ("Batu Layar Barat" over "Batu Layar"). The
regency named by the most matches is taken; a tie ("Kuta": a desa in Lombok Tengah and in Bima)
is never guessed but reported with its candidates, unless other words decide ("Kuta, Pujut").
The kecamatan is kept when the matches within that regency agree on one.

A file has few distinct addresses: `resolve_many` resolves each distinct text once.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from domain.paths import REFERENCE

# Village names that are everyday words in addresses ("Jl. Baru", "Dalam Kota"): matched only
# as part of a longer name.
COMMON_WORDS = {"baru", "tengah", "dalam"}


@dataclass(frozen=True)
class Place:
    code: str  # the matched unit: 52.01, 52.01.14 or 52.01.14.2006
    regency: str  # 52.01
    kecamatan: str | None  # 52.01.14 (None for a regency)


@dataclass(frozen=True)
class Resolution:
    regency: str | None = None
    kecamatan: str | None = None
    candidates: tuple[str, ...] = ()  # regency codes when the text is ambiguous
    matched: tuple[str, ...] = ()  # the names found (normalised), for the report

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


def words(text: str) -> list[str]:
    """Lower-case ASCII words; apostrophes vanish (Hu'u = Huu), other punctuation separates."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"['`’]", "", s)
    return re.findall(r"[a-z0-9]+", s)


@lru_cache(maxsize=1)
def _gazetteer() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "ntb_gazetteer.csv", dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def index() -> tuple[dict[tuple[str, ...], frozenset[Place]], int]:
    """{name as a tuple of words: the places it names}, and the longest name in words."""
    from domain.regions import regencies

    by_code: dict[str, Place] = {}
    names: dict[tuple[str, ...], set[Place]] = defaultdict(set)

    def add(name: str, place: Place) -> None:
        w = tuple(words(name))
        if not w or (len(w) == 1 and w[0] in COMMON_WORDS):
            return
        names[w].add(place)
        if len(w) > 1:  # "Batulayar" is written for "Batu Layar" and the other way round
            names[("".join(w),)].add(place)

    for r in regencies().itertuples():
        by_code[r.code] = Place(r.code, r.code, None)
        add(r.name, by_code[r.code])
    aliases = pd.read_csv(REFERENCE / "regency_aliases.csv", dtype=str, keep_default_na=False)
    for alias, code in zip(aliases["alias"], aliases["code"]):
        add(alias, by_code[code])
    for r in _gazetteer().itertuples():
        by_code[r.code] = Place(r.code, r.regency_code, r.kecamatan_code)
        add(r.name, by_code[r.code])
    places = pd.read_csv(REFERENCE / "place_aliases.csv", dtype=str, keep_default_na=False)
    for alias, code in zip(places["alias"], places["code"]):
        add(alias, by_code[code])
    frozen = {k: frozenset(v) for k, v in names.items()}
    return frozen, max(len(k) for k in frozen)


def _matches(ws: list[str]) -> list[tuple[int, int, frozenset[Place]]]:
    """(start, end, places) of every name in the words, without names lying inside a longer one."""
    names, longest = index()
    found = []
    for i in range(len(ws)):
        for n in range(min(longest, len(ws) - i), 0, -1):
            hit = names.get(tuple(ws[i : i + n]))
            if hit:
                found.append((i, i + n, hit))
    return [
        m
        for m in found
        if not any(o[0] <= m[0] and m[1] <= o[1] and (o[1] - o[0]) > (m[1] - m[0]) for o in found)
    ]


@lru_cache(maxsize=100_000)
def resolve(text: str) -> Resolution:
    ws = words(text)
    found = _matches(ws)
    if not found:
        return Resolution()
    matched = tuple(" ".join(ws[a:b]) for a, b, _ in found)
    support = Counter(r for _, _, places in found for r in {p.regency for p in places})
    best = max(support.values())
    top = tuple(sorted(r for r, n in support.items() if n == best))
    if len(top) > 1:
        return Resolution(candidates=top, matched=matched)
    regency = top[0]
    # A name that is also the regency's ("Dompu", "Mataram") names the regency, not its kecamatan.
    kec = Counter(
        k
        for _, _, places in found
        if not any(p.kecamatan is None for p in places)
        for k in {p.kecamatan for p in places if p.regency == regency}
    )
    kecamatan = None
    if kec:
        most = max(kec.values())
        winners = [k for k, n in kec.items() if n == most]
        kecamatan = winners[0] if len(winners) == 1 else None
    return Resolution(regency, kecamatan, (regency,), matched)


def resolve_many(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, resolutions): each distinct text resolved once; resolutions[codes] per row."""
    codes, uniques = pd.factorize(texts, use_na_sentinel=False)
    out = np.empty(len(uniques), dtype=object)
    out[:] = [resolve(u) if isinstance(u, str) and u else Resolution() for u in uniques]
    return codes, out


def candidates_text(codes: tuple[str, ...]) -> str:
    """'Kab. Lombok Tengah (52.02), Kab. Bima (52.06)': proper names, the same in both languages."""
    from domain.regions import regencies

    reg = regencies().set_index("code")
    return ", ".join(
        f"{'Kab.' if reg.at[c, 'kind'] == 'Kabupaten' else 'Kota'} "
        f"{reg.at[c, 'name'].removeprefix('Kota ')} ({c})"
        for c in codes
    )


@dataclass
class Filled:
    regency: pd.Series  # the file's regency text, blanks filled with the code found
    kecamatan: pd.Series  # kecamatan code where a place gave the regency, else None
    problems: dict[int, tuple[str, str]]  # row position -> (error code, detail) of a blank regency
    resolved: int  # rows whose regency came from a place


def fill_regency(regency: pd.Series | None, place: pd.Series) -> Filled:
    """Blank regencies (or no regency column: `regency` None) resolved from the place text of the
    row. A place in several regencies, or none, is a problem of that row, never a guess."""
    n = len(place)
    reg = (
        regency.reset_index(drop=True) if regency is not None else pd.Series([""] * n, dtype=object)
    )
    place = place.reset_index(drop=True)
    kec = np.full(n, None, dtype=object)
    need = ((reg == "") & (place != "")).to_numpy(dtype=bool)
    if not need.any():
        return Filled(reg, pd.Series(kec, dtype=object), {}, 0)
    rows = np.flatnonzero(need)
    codes, found = resolve_many(place.iloc[rows])
    region = np.array([r.regency or "" for r in found], dtype=object)[codes]
    filled = reg.to_numpy(dtype=object).copy()
    filled[rows] = region
    kec[rows] = np.array([r.kecamatan for r in found], dtype=object)[codes]
    problems = {}
    for pos, r in zip(rows[region == ""], found[codes[region == ""]]):
        problems[int(pos)] = (
            ("ambiguous_place", candidates_text(r.candidates))
            if r.ambiguous
            else ("unknown_place", "")
        )
    return Filled(
        pd.Series(filled, dtype=object),
        pd.Series(kec, dtype=object),
        problems,
        int((region != "").sum()),
    )
