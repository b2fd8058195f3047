"""The geometry the browser map fetches, as static files (served at /app/static/geo/).

Why files and not figure data: inlined, the regency polygons and office outlines were 250 of the
map's 264 KB, deep-copied and JSON-encoded on every run of every session (about 50 ms of CPU per
render) and sent down every websocket. As static files the browser fetches them once and caches
them; a render carries only codes and numbers.

- `ntb_regencies.geojson`: the simplified regency polygons (written by scripts/build_boundaries.py).
- `office_areas.geojson`: one outline per office working area that occurs in
  data/reference/office_areas.csv (areas are dated; each distinct set of regencies is one feature,
  id = its regency codes joined by "+"), exterior rings only, islands under ~25 km² left out,
  with a label point in the sea just north of the area.
- `regency_outlines.geojson`: each regency's outline the same way (exterior rings, islands under
  ~25 km² left out), for the chosen regency's thick outline: drawn around every islet, a thick
  line turns small islands into solid blobs.

Both keep exterior rings clockwise (d3-geo's convention; see scripts/build_boundaries.py).
Rebuild after changing office_areas.csv or the boundaries:  python -m viz.web_geo
(tests/unit/test_web_geo.py fails while the committed files differ from what this builds).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache

import pandas as pd
import shapely

from domain.paths import STATIC_GEO
from domain.regions import areas_on, ntb_bounds, office_areas, web_regency_geometries

URL = "/app/static/geo/"  # Streamlit's static route for static/geo/
REGENCIES = "ntb_regencies.geojson"
OFFICE_AREAS = "office_areas.geojson"
REGENCY_OUTLINES = "regency_outlines.geojson"
MIN_ISLAND_DEG2 = 0.002  # ~25 km²: smaller islands add clutter, not information, to an outline
# The browser map's fixed extent: NTB with a small margin (0.05°, ~5 km) so no coast touches the edge.
_LON0, _LAT0, _LON1, _LAT1 = ntb_bounds(0.05)
MAP_LON, MAP_LAT = (_LON0, _LON1), (_LAT0, _LAT1)


def area_id(codes) -> str:
    return "+".join(sorted(codes))


def office_area_ids(areas: dict[str, str]) -> dict[str, str]:
    """Office id -> the feature id of its working area, for regency -> office `areas`."""
    by_office: dict[str, list[str]] = {}
    for code, office in areas.items():
        by_office.setdefault(office, []).append(code)
    return {office: area_id(codes) for office, codes in by_office.items()}


def _periods() -> list[dt.date]:
    """One day inside every period in which the working areas stay the same."""
    df = office_areas()
    starts = [d for d in df["valid_from"] if not pd.isna(d)]
    after_ends = [d + dt.timedelta(days=1) for d in df["valid_to"] if not pd.isna(d)]
    first = min(starts + after_ends, default=dt.date(2000, 1, 1)) - dt.timedelta(days=1)
    return sorted({first, *starts, *after_ends})


def _outline(geom) -> shapely.Geometry:
    """Exterior rings of the larger parts, clockwise."""
    parts = [
        shapely.Polygon(p.exterior)
        for p in getattr(geom, "geoms", [geom])
        if p.area >= MIN_ISLAND_DEG2
    ]
    merged = shapely.set_precision(shapely.MultiPolygon(parts), 1e-4)
    return shapely.orient_polygons(merged, exterior_cw=True)


def office_areas_geojson() -> dict:
    geoms = web_regency_geometries()
    features, seen = [], set()
    for day in _periods():
        for office, fid in office_area_ids(areas_on(day)).items():
            if fid in seen:
                continue
            seen.add(fid)
            union = shapely.coverage_union_all([geoms[c] for c in fid.split("+")])
            main = max(getattr(union, "geoms", [union]), key=lambda g: g.area)
            features.append(
                {
                    "type": "Feature",
                    "id": fid,
                    # above every island of the area (Moyo lies north of Sumbawa's coast), not on it
                    "properties": {
                        "office_id": office,
                        "label_lon": round(main.centroid.x, 4),
                        "label_lat": round(label_lat(union), 4),
                    },
                    "geometry": shapely.geometry.mapping(_outline(union)),
                }
            )
    return {"type": "FeatureCollection", "features": sorted(features, key=lambda f: f["id"])}


def regency_outlines_geojson() -> dict:
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {},
            "geometry": shapely.geometry.mapping(_outline(geom)),
        }
        for code, geom in sorted(web_regency_geometries().items())
    ]
    return {"type": "FeatureCollection", "features": features}


def label_lat(area) -> float:
    """Latitude of an office area's label: just north of its northernmost land, within the map."""
    return min(area.bounds[3] + 0.05, MAP_LAT[1] - 0.05)


def built_files() -> dict[str, str]:
    """File name -> the text this module writes (the regency file is build_boundaries' output)."""
    return {
        OFFICE_AREAS: json.dumps(office_areas_geojson(), separators=(",", ":")),
        REGENCY_OUTLINES: json.dumps(regency_outlines_geojson(), separators=(",", ":")),
    }


@lru_cache(maxsize=1)
def office_labels() -> dict[str, tuple[float, float]]:
    """Feature id -> (lon, lat) of the outline's label, read from the served file."""
    fc = json.loads((STATIC_GEO / OFFICE_AREAS).read_text())
    return {
        f["id"]: (f["properties"]["label_lon"], f["properties"]["label_lat"])
        for f in fc["features"]
    }


def main() -> None:
    STATIC_GEO.mkdir(parents=True, exist_ok=True)
    for name, text in built_files().items():
        (STATIC_GEO / name).write_text(text)
        print(f"wrote {STATIC_GEO / name} ({len(text):,} bytes)")


if __name__ == "__main__":
    main()
