"""Reference geography, offices with dated areas, aliases and the election calendar."""

import datetime as dt

import pandas as pd
import pytest
import shapely

from domain.calendar import OUTSIDE, default_election
from domain.paths import GEO, REFERENCE
from domain.regions import (
    areas_on,
    boundaries_gdf,
    boundaries_geojson,
    office_for,
    offices_on,
    ports,
    regencies,
    resolve_port,
    resolve_regency,
)

CODES = ["52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71", "52.72"]


def test_ten_valid_polygons_with_the_right_codes():
    gdf = boundaries_gdf()
    assert sorted(gdf["code"]) == CODES
    assert gdf.geometry.is_valid.all()
    assert set(gdf.geometry.geom_type) == {"MultiPolygon"}
    minx, miny, maxx, maxy = gdf.total_bounds
    assert minx >= 115.7 and maxx <= 119.5 and miny >= -9.3 and maxy <= -7.9
    assert dict(zip(gdf["code"], gdf["name"]))["52.71"] == "Kota Mataram"


def test_exterior_rings_are_clockwise_for_plotly():
    # d3-geo reads counter-clockwise exteriors as "the globe minus the polygon"
    for f in boundaries_geojson()["features"]:
        for poly in f["geometry"]["coordinates"]:
            ring = shapely.LinearRing(poly[0])
            assert not ring.is_ccw, f["id"]


def test_licence_and_attribution_travel_with_the_boundaries():
    assert "Copyright (c) 2024 Cahya DSN" in (GEO / "LICENSE-boundaries.txt").read_text()
    assert "cahyadsn/wilayah_boundaries" in (GEO / "ATTRIBUTION.txt").read_text()
    assert "Badan Informasi Geospasial" in (GEO / "ATTRIBUTION.txt").read_text()


def test_voters_and_polling_stations_add_up_to_the_province():
    r = regencies()
    assert r["voters_dpt_2024"].sum() == 3_964_325
    assert r["polling_stations_2024"].sum() == 8_405
    assert r.loc["52.03", "voters_dpt_2024"] == 994_467


@pytest.mark.parametrize(
    "text, code",
    [
        ("52.01", "52.01"),
        ("5201", "52.01"),
        ("Lobar", "52.01"),
        ("KAB. LOMBOK BARAT", "52.01"),
        ("Kabupaten Lombok Barat", "52.01"),
        ("kab lombok barat", "52.01"),
        ("Loteng", "52.02"),
        ("Lombok Tengah", "52.02"),
        ("Lotim", "52.03"),
        ("LOTIM", "52.03"),
        ("Sumbawa", "52.04"),
        ("Kab. Sumbawa", "52.04"),
        ("Dompu", "52.05"),
        ("Bima", "52.06"),
        ("Kab. Bima", "52.06"),
        ("Kabupaten Bima", "52.06"),
        ("KSB", "52.07"),
        ("Sumbawa Barat", "52.07"),
        ("KLU", "52.08"),
        ("Lombok Utara", "52.08"),
        ("Mataram", "52.71"),
        ("Kota Mataram", "52.71"),
        ("KOTA MATARAM", "52.71"),
        ("Kota Bima", "52.72"),
        ("kota bima", "52.72"),
        ("5272", "52.72"),
        ("  Lobar  ", "52.01"),
    ],
)
def test_every_alias_maps_to_its_code(text, code):
    assert resolve_regency(text) == code


@pytest.mark.parametrize("text", ["", "Atlantis", "52.99", "Kota Sumbawa", "Lombok"])
def test_unknown_regencies_are_none(text):
    assert resolve_regency(text) is None


def test_every_alias_in_the_reference_file_resolves():
    aliases = pd.read_csv(REFERENCE / "regency_aliases.csv", dtype=str)
    for alias, code in zip(aliases["alias"], aliases["code"]):
        assert resolve_regency(alias) == code


def test_office_areas_are_dated():
    assert office_for("52.03", dt.date(2024, 11, 27)) == "kanim_mataram"
    assert office_for("52.03", dt.date(2026, 1, 25)) == "kanim_mataram"
    assert office_for("52.03", dt.date(2026, 1, 26)) == "kanim_lombok_timur"
    assert office_for("52.03", dt.date(2026, 2, 1)) == "kanim_lombok_timur"
    assert offices_on(dt.date(2024, 11, 27)) == [
        "kanim_mataram",
        "kanim_sumbawa_besar",
        "kanim_bima",
    ]
    day = dt.date(2024, 11, 27)
    assert sorted(c for c, o in areas_on(day).items() if o == "kanim_mataram") == [
        "52.01",
        "52.02",
        "52.03",
        "52.08",
        "52.71",
    ]
    assert sorted(c for c, o in areas_on(day).items() if o == "kanim_sumbawa_besar") == [
        "52.04",
        "52.07",
    ]
    assert sorted(c for c, o in areas_on(day).items() if o == "kanim_bima") == [
        "52.05",
        "52.06",
        "52.72",
    ]
    assert len(areas_on(dt.date(2026, 2, 1))) == 10


def test_ports_come_from_the_shared_list():
    p = ports()
    assert len(p) == 12
    assert p.loc["lop_lombok_airport", "official_tpi"] == "yes"
    assert (
        p.loc["lembar_port", "official_tpi"] == "yes"
    )  # a TPI (docs/domain-facts.md, Ports and checkpoints)
    assert resolve_port("lop_lombok_airport") == "lop_lombok_airport"
    assert resolve_port("Pelabuhan Poto Tano") == "poto_tano_port"
    assert resolve_port("nowhere") is None
    # the Indonesian name, and the English one files of earlier years carry (ports.csv also_written)
    assert resolve_port("Pelabuhan Lembar / Terminal Kapal Pesiar Gili Mas") == "lembar_port"
    assert resolve_port(" pelabuhan lembar / gili mas cruise terminal ") == "lembar_port"
    assert resolve_port("Pelabuhan Benete (incl. AMNT special terminal)") == "benete_port"
    assert resolve_port("") is None


@pytest.mark.parametrize(
    "day, phase",
    [
        ("2024-09-24", OUTSIDE),
        ("2024-09-25", "kampanye"),
        ("2024-11-23", "kampanye"),
        ("2024-11-24", "masa_tenang"),
        ("2024-11-26", "masa_tenang"),
        ("2024-11-27", "pemungutan"),
        ("2024-11-28", "rekapitulasi"),
        ("2024-12-04", "rekapitulasi"),
        ("2024-12-05", "sengketa"),
        ("2024-12-18", "sengketa"),
        ("2024-12-19", OUTSIDE),
        ("2025-02-20", "pelantikan"),
        ("2024-05-30", OUTSIDE),
        ("2024-05-31", "pemutakhiran_dpt"),
        ("2024-08-26", "pemutakhiran_dpt"),
        ("2024-08-27", "pendaftaran"),
        ("2024-09-23", "pengundian"),
    ],
)
def test_phase_tagging_at_the_edges(day, phase):
    e = default_election()
    got = e.phase_on(dt.date.fromisoformat(day))
    assert (got.key if got else OUTSIDE) == phase
    assert e.tag(pd.Series([pd.Timestamp(day)])).tolist() == [phase]


def test_kota_bima_has_a_longer_post_vote_watch():
    e = default_election()
    day = dt.date(2025, 2, 5)
    assert e.phase_on(day) is None
    assert e.phase_on(day, "52.72").key == "sengketa"
    assert e.phase_on(dt.date(2025, 2, 6), "52.72") is None
    tags = e.tag(
        pd.Series(pd.to_datetime(["2025-02-05", "2025-02-05"])), pd.Series(["52.01", "52.72"])
    )
    assert tags.tolist() == [OUTSIDE, "sengketa"]
    assert e.days_to_voting(dt.date(2024, 11, 24)) == 3


def test_reference_files_name_their_source():
    """Each row names its source; a file copied verbatim from elsewhere (the gazetteer) names it
    once, in the licence notice beside it, which starts with the file's path."""
    notices = {
        n.read_text(encoding="utf-8").split(":", 1)[0] for n in REFERENCE.glob("LICENSE-*.txt")
    }
    for path in REFERENCE.glob("*.csv"):
        if f"data/reference/{path.name}" in notices:
            continue
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert "source" in df.columns or "note" in df.columns, path.name
        col = "source" if "source" in df.columns else "note"
        assert (df[col] != "").all(), path.name
