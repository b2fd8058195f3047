"""The geometry the browser fetches from static/geo/: in step with the data it is built from,
clockwise (else d3-geo fills the world instead of the regency), and covering every dated office area."""

import datetime as dt
import json

import shapely

from domain.paths import STATIC_GEO
from domain.regions import areas_on, regency_codes
from viz import web_geo


def _polygons(geometry: dict):
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def test_committed_office_areas_match_what_the_builder_makes():
    for name, text in web_geo.built_files().items():
        assert (STATIC_GEO / name).read_text() == text, (
            f"static/geo/{name} is stale: run python -m viz.web_geo"
        )


def test_every_ring_is_clockwise():
    for name in (web_geo.REGENCIES, web_geo.OFFICE_AREAS, web_geo.REGENCY_OUTLINES):
        fc = json.loads((STATIC_GEO / name).read_text())
        for f in fc["features"]:
            for exterior, *holes in _polygons(f["geometry"]):
                assert not shapely.LinearRing(exterior).is_ccw, (name, f["id"])
                assert all(shapely.LinearRing(h).is_ccw for h in holes), (name, f["id"])


def test_regency_file_has_the_ten_codes():
    fc = json.loads((STATIC_GEO / web_geo.REGENCIES).read_text())
    assert sorted(f["id"] for f in fc["features"]) == regency_codes()


def test_office_area_ids_before_and_after_the_lombok_timur_office():
    before = web_geo.office_area_ids(areas_on(dt.date(2024, 11, 27)))
    after = web_geo.office_area_ids(areas_on(dt.date(2026, 2, 1)))
    assert before == {
        "kanim_mataram": "52.01+52.02+52.03+52.08+52.71",
        "kanim_sumbawa_besar": "52.04+52.07",
        "kanim_bima": "52.05+52.06+52.72",
    }
    assert (
        after["kanim_lombok_timur"] == "52.03"
        and after["kanim_mataram"] == "52.01+52.02+52.08+52.71"
    )
    labels = web_geo.office_labels()
    assert set(before.values()) | set(after.values()) == set(labels)
    for lon, lat in labels.values():  # inside the map's fixed extent
        assert (
            web_geo.MAP_LON[0] < lon < web_geo.MAP_LON[1]
            and web_geo.MAP_LAT[0] < lat < web_geo.MAP_LAT[1]
        )


def test_office_labels_sit_north_of_all_their_land():
    """A label over an island hides its name and the markers there (Kanim Sumbawa Besar's label
    lay on Pulau Moyo, north of the main coast)."""
    geoms = web_geo.web_regency_geometries()
    for fid, (_, lat) in web_geo.office_labels().items():
        top = max(geoms[c].bounds[3] for c in fid.split("+"))
        assert lat == round(min(top + 0.05, web_geo.MAP_LAT[1] - 0.05), 4), fid
    assert web_geo.office_labels()["52.04+52.07"][1] > -8.127  # Pulau Moyo's northern tip


def test_outline_covers_its_regencies():
    fc = json.loads((STATIC_GEO / web_geo.OFFICE_AREAS).read_text())
    bima = shapely.geometry.shape(
        next(f for f in fc["features"] if f["id"] == "52.05+52.06+52.72")["geometry"]
    )
    assert shapely.Point(118.73, -8.46).within(bima)  # Kota Bima
    assert not shapely.Point(116.10, -8.58).within(bima)  # Mataram


def test_regency_outlines_leave_out_the_islets():
    """The chosen regency's thick outline goes round its larger islands only: drawn round every
    islet (Kab. Bima's east coast has dozens), a 3 px line turned them into solid black blobs."""
    fc = json.loads((STATIC_GEO / web_geo.REGENCY_OUTLINES).read_text())
    assert sorted(f["id"] for f in fc["features"]) == regency_codes()
    geoms = web_geo.web_regency_geometries()
    bima = next(f for f in fc["features"] if f["id"] == "52.06")["geometry"]
    parts = _polygons(bima)
    assert all(len(rings) == 1 for rings in parts)  # exterior rings only
    assert all(shapely.Polygon(rings[0]).area >= web_geo.MIN_ISLAND_DEG2 for rings in parts)
    islets = [
        p
        for p in getattr(geoms["52.06"], "geoms", [geoms["52.06"]])
        if p.area < web_geo.MIN_ISLAND_DEG2
    ]
    assert len(parts) == len(geoms["52.06"].geoms) - len(islets) and len(islets) >= 5
