"""Regencies (kabupaten/kota), immigration offices with dated working areas, and ports.

Everything is read from data/reference/*.csv and data/geo/; nothing here is hard-coded.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache, lru_cache

import pandas as pd

from domain.paths import GEO, REFERENCE, STATIC_GEO


def _read(name: str) -> pd.DataFrame:
    # dtype=str everywhere: codes like "52.01" and ids must stay text.
    return pd.read_csv(REFERENCE / name, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def regencies() -> pd.DataFrame:
    """The ten regencies with voters (DPT 2024) and polling stations, indexed by code."""
    df = _read("regencies.csv")
    for col in ("voters_dpt_2024", "polling_stations_2024"):
        df[col] = df[col].astype(int)
    return df.set_index("code", drop=False)


REGENCY_CODES: tuple[str, ...] = ()


def regency_codes() -> list[str]:
    return list(regencies()["code"])


def regency_name(code: str, with_kind: bool = True) -> str:
    row = regencies().loc[code]
    if not with_kind:
        return row["name"]
    return row["name"] if row["kind"] == "Kota" else f"Kab. {row['name']}"


@lru_cache(maxsize=1)
def boundaries_geojson() -> dict:
    """FeatureCollection with clockwise exterior rings (built by scripts/build_boundaries.py)."""
    return json.loads((GEO / "ntb_regencies.geojson").read_text())


@lru_cache(maxsize=1)
def web_boundaries_geojson() -> dict:
    """The lighter copy the browser map fetches (same codes and ring order; see viz/web_geo.py)."""
    return json.loads((STATIC_GEO / "ntb_regencies.geojson").read_text())


@lru_cache(maxsize=1)
def web_regency_geometries() -> dict:
    """Regency code -> the simplified geometry of the browser map (office outlines follow it)."""
    import shapely.geometry

    return {
        f["id"]: shapely.geometry.shape(f["geometry"]) for f in web_boundaries_geojson()["features"]
    }


@cache
def ntb_bounds(margin: float = 0.0) -> tuple[float, float, float, float]:
    """(lon_min, lat_min, lon_max, lat_max) of the ten regencies in the boundary file, widened by
    `margin` degrees on every side, to 4 decimals (~10 m). The one NTB bounding box: the upload
    contract, the browser map and the briefing each add the margin they need."""

    def points(coords):  # a GeoJSON coordinate array, nested to any depth -> its (lon, lat) pairs
        if isinstance(coords[0], (int, float)):
            yield coords
        else:
            for c in coords:
                yield from points(c)

    lons, lats = zip(
        *(
            p[:2]
            for f in boundaries_geojson()["features"]
            for p in points(f["geometry"]["coordinates"])
        )
    )
    return (
        round(min(lons) - margin, 4),
        round(min(lats) - margin, 4),
        round(max(lons) + margin, 4),
        round(max(lats) + margin, 4),
    )


def boundaries_gdf():
    import geopandas as gpd  # heavy import kept local: only maps and briefings need it

    gdf = gpd.GeoDataFrame.from_features(boundaries_geojson()["features"], crs="EPSG:4326")
    return gdf.set_index("code", drop=False)


@lru_cache(maxsize=1)
def regency_geometries() -> dict:
    """Regency code -> prepared shapely geometry (fast point-in-polygon tests)."""
    import shapely

    geoms = dict(zip(boundaries_gdf()["code"], boundaries_gdf().geometry))
    for g in geoms.values():
        shapely.prepare(g)
    return geoms


def attribution() -> str:
    return (GEO / "ATTRIBUTION.txt").read_text().strip()


# --- Regency names as analysts write them ------------------------------------------------

_PREFIX = re.compile(r"^(kabupaten|kab\.?|kota)\s+", re.I)


@lru_cache(maxsize=1)
def regency_lookup() -> dict[str, str]:
    """Map every accepted spelling (lower case, single spaces) to its code 52.xx."""
    table: dict[str, str] = {}
    for _, r in regencies().iterrows():
        code, name = r["code"], r["name"].lower()
        table[code] = code
        table[r["bps_code"]] = code
        table[name] = code
        if r["kind"] == "Kota":
            table[f"kota {name.removeprefix('kota ')}"] = code
        else:
            for p in ("kab", "kab.", "kabupaten"):
                table[f"{p} {name}"] = code
    for _, r in _read("regency_aliases.csv").iterrows():
        table[r["alias"].lower()] = r["code"]
    return table


def resolve_regency(text) -> str | None:
    """Return the code 52.xx for a code, BPS code, name or alias; None when unknown."""
    if text is None:
        return None
    raw = str(text).strip()
    if not raw:
        return None
    key = re.sub(r"\s+", " ", raw.lower().replace("_", " ").replace("-", " "))
    table = regency_lookup()
    if key in table:
        return table[key]
    key2 = re.sub(r"^(kabupaten|kab\.?)\s*", "kab ", key)
    if key2 in table:
        return table[key2]
    # "KAB. LOMBOK BARAT", "Kab Lombok Barat", "kab.lombok barat"
    bare = _PREFIX.sub("", key).strip()
    bare = re.sub(r"^kab\.", "", bare).strip()
    if key.startswith("kota"):
        return table.get(f"kota {bare}")
    if bare in table and not key.startswith(("kab", "kabupaten")):
        return table[bare]
    if key.startswith(("kab", "kabupaten")):
        # "Kab. Bima" is the regency, never the city
        for code, r in regencies().iterrows():
            if r["kind"] == "Kabupaten" and r["name"].lower() == bare:
                return code
    return None


# --- Offices and their dated working areas ------------------------------------------------


@lru_cache(maxsize=1)
def offices() -> pd.DataFrame:
    df = _read("offices.csv")
    df["lat"] = df["lat"].astype(float)
    df["lon"] = df["lon"].astype(float)
    return df.set_index("id", drop=False)


@lru_cache(maxsize=1)
def office_areas() -> pd.DataFrame:
    df = _read("office_areas.csv")
    df["valid_from"] = pd.to_datetime(df["valid_from"].replace("", None), format="%Y-%m-%d").dt.date
    df["valid_to"] = pd.to_datetime(df["valid_to"].replace("", None), format="%Y-%m-%d").dt.date
    return df


def areas_on(day: dt.date) -> dict[str, str]:
    """Regency code -> office id for the working areas in force on `day`."""
    return dict(_areas_on(day))


@lru_cache(maxsize=512)
def _areas_on(day: dt.date) -> tuple[tuple[str, str], ...]:
    # Cached: every regency table and map asks, and scanning the reference frame cost ~1 ms a time.
    out: dict[str, str] = {}
    for r in office_areas().itertuples():
        starts_ok = pd.isna(r.valid_from) or r.valid_from <= day
        ends_ok = pd.isna(r.valid_to) or day <= r.valid_to
        if starts_ok and ends_ok:
            if r.regency_code in out:
                raise ValueError(
                    f"two offices for {r.regency_code} on {day}: check office_areas.csv"
                )
            out[r.regency_code] = r.office_id
    return tuple(out.items())


def office_for(regency_code: str, day: dt.date) -> str | None:
    return areas_on(day).get(regency_code)


def offices_on(day: dt.date) -> list[str]:
    """Offices that had a working area on `day`, in the reference file's order."""
    active = set(areas_on(day).values())
    return [o for o in offices()["id"] if o in active]


def regencies_of_office(office_id: str, day: dt.date) -> list[str]:
    return sorted(code for code, off in areas_on(day).items() if off == office_id)


@lru_cache(maxsize=1)
def ports() -> pd.DataFrame:
    df = _read("ports.csv")
    df["lat"] = df["lat"].astype(float)
    df["lon"] = df["lon"].astype(float)
    return df.set_index("id", drop=False)


@lru_cache(maxsize=1)
def _port_keys() -> dict[str, str]:
    """Lower-cased id, name and each earlier or other spelling (ports.csv `also_written`,
    "|"-separated) → port id: a file that names a port as it was once written still matches."""
    keys = {}
    for r in ports().itertuples():
        spellings = [r.id, r.name, *str(r.also_written or "").split("|")]
        keys.update({s.strip().lower(): r.id for s in spellings if s.strip()})
    return keys


def resolve_port(text) -> str | None:
    if text is None:
        return None
    return _port_keys().get(str(text).strip().lower())
