"""Build data/geo/ntb_regencies.geojson from ../shared/geo/ntb_regencies.geojson.

Why a build step: the shared file follows RFC 7946 (exterior rings counter-clockwise); plotly's
geo traces (d3-geo) read that as "the globe minus the regency" and draw a rectangle over the map.
We orient exterior rings clockwise, check validity, codes and bounds, and copy the MIT notice and
the attribution line beside the output.

Usage: python scripts/build_boundaries.py [--src PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SRC = ROOT.parent / "shared" / "geo" / "ntb_regencies.geojson"
WEB_TOLERANCE = 0.0015  # degrees
WEB_OUT = ROOT / "static" / "geo" / "ntb_regencies.geojson"  # fetched by the browser map
EXPECTED_CODES = [
    "52.01",
    "52.02",
    "52.03",
    "52.04",
    "52.05",
    "52.06",
    "52.07",
    "52.08",
    "52.71",
    "52.72",
]


def build(src: Path, out_dir: Path) -> Path:
    gdf = gpd.read_file(src)
    codes = sorted(gdf["code"])
    if codes != EXPECTED_CODES:
        raise SystemExit(f"unexpected regency codes: {codes}")
    if not gdf.geometry.is_valid.all():
        raise SystemExit("invalid geometry in source")
    minx, miny, maxx, maxy = gdf.total_bounds
    if not (minx >= 115.7 and maxx <= 119.5 and miny >= -9.3 and maxy <= -7.9):
        raise SystemExit(f"bounds outside NTB: {gdf.total_bounds}")
    # Clockwise exterior rings for d3-geo (plotly). Not RFC 7946 any more, on purpose.
    gdf["geometry"] = shapely.orient_polygons(gdf.geometry.values, exterior_cw=True)
    gdf = gdf.sort_values("code")[
        ["code", "bps_code", "name", "kind", "island", "capital", "geometry"]
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "ntb_regencies.geojson"
    fc = json.loads(gdf.to_json(drop_id=True))
    fc["properties_note"] = (
        "Exterior rings clockwise (d3-geo/plotly convention), see scripts/build_boundaries.py"
    )
    for f in fc["features"]:
        f["id"] = f["properties"]["code"]
    out.write_text(json.dumps(fc, separators=(",", ":")))

    # A lighter copy for the browser map (fetched once per browser from /app/static/geo/): coverage-preserving
    # simplification (~150 m) and 4 decimals (~11 m). Briefings and point checks use the full file.
    web = gdf.copy()
    web["geometry"] = shapely.orient_polygons(
        shapely.set_precision(
            shapely.coverage_simplify(gdf.geometry.values, tolerance=WEB_TOLERANCE), 1e-4
        ),
        exterior_cw=True,
    )
    if not web.geometry.is_valid.all():
        raise SystemExit("web simplification produced an invalid geometry")
    fc = json.loads(web.to_json(drop_id=True))
    for f in fc["features"]:
        f["id"] = f["properties"]["code"]
    WEB_OUT.parent.mkdir(parents=True, exist_ok=True)
    WEB_OUT.write_text(json.dumps(fc, separators=(",", ":")))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC)
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "geo")
    args = ap.parse_args()
    out = build(args.src, args.out)
    print(
        f"wrote {out} ({out.stat().st_size:,} bytes) and the web copy "
        f"({WEB_OUT.stat().st_size:,} bytes, {WEB_OUT.relative_to(ROOT)}); "
        "now run python -m viz.web_geo for the office-area outlines"
    )


if __name__ == "__main__":
    main()
