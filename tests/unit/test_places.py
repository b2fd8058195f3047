"""Places resolve the regency (issue 19 item 2): exact outcomes of loaders/places.py on the real
gazetteer, and of imports whose regency is blank or absent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loaders.pipeline import error_message, import_file
from loaders.places import Resolution, index, resolve
from storage.models import Presence


@pytest.mark.parametrize(
    "text, regency, kecamatan",
    [
        ("Gili Trawangan", "52.08", "52.08.05"),  # hamlet of Desa Gili Indah, Pemenang (alias)
        ("Senggigi", "52.01", "52.01.14"),  # desa of Batu Layar
        ("Kuta, Pujut", "52.02", "52.02.04"),  # Kuta alone is ambiguous; Pujut decides
        ("Jl. Raya Senggigi No 5, Batu Layar", "52.01", "52.01.14"),
        ("Kuta Mandalika", "52.02", "52.02.04"),
        ("Pantai Lakey, Hu'u", "52.05", "52.05.03"),
        ("Benete", "52.07", "52.07.08"),
        ("Maluk", "52.07", "52.07.08"),
        ("Sekotong", "52.01", "52.01.07"),
        ("GILI AIR", "52.08", "52.08.05"),
        ("Hotel Lombok Astoria, Mataram", "52.71", None),  # a regency name names no kecamatan
        ("Hu'u, Dompu", "52.05", "52.05.03"),
        ("Batulayar", "52.01", "52.01.14"),
    ],
)
def test_resolves(text, regency, kecamatan):
    r = resolve(text)
    assert (r.regency, r.kecamatan, r.ambiguous) == (regency, kecamatan, False)


def test_an_ambiguous_name_is_never_guessed():
    assert resolve("Kuta") == Resolution(None, None, ("52.02", "52.06"), ("kuta",))
    assert resolve("Atlantis") == Resolution()
    assert resolve("Jl. Baru No 3") == Resolution()  # "Baru" alone is an everyday word


def test_the_gazetteer_is_complete():
    import pandas as pd

    from domain.paths import REFERENCE

    g = pd.read_csv(REFERENCE / "ntb_gazetteer.csv", dtype=str)
    assert (g["level"].value_counts().to_dict()) == {"desa_kelurahan": 1166, "kecamatan": 117}
    names, longest = index()
    assert longest == 4
    aliases = pd.read_csv(REFERENCE / "place_aliases.csv", dtype=str, keep_default_na=False)
    assert (aliases["source"] != "").all() and len(aliases) >= 12
    known = set(g["code"]) | set(pd.read_csv(REFERENCE / "regencies.csv", dtype=str)["code"])
    assert set(aliases["code"]) <= known


HEADER = "no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;lokasi\n"


def test_blank_regency_from_location(engine):
    data = (
        HEADER + "P1;27/11/2024;;AUS;VOA;wisata;Gili Trawangan\n"
        "P2;27/11/2024;;AUS;VOA;wisata;Jl. Raya Senggigi No 5, Batu Layar\n"
        "P3;27/11/2024;;AUS;VOA;wisata;Kuta\n"
        "P4;27/11/2024;Lobar;AUS;VOA;wisata;Gili Trawangan\n"  # the file's regency is kept
        "P5;27/11/2024;;AUS;VOA;wisata;Kuta, Pujut\n"
        "P6;27/11/2024;;AUS;VOA;wisata;Atlantis\n"
        "P7;27/11/2024;;AUS;VOA;wisata;\n"
    ).encode()
    res = import_file(engine, data, "lokasi.csv", "presence", mode="partial")
    assert (res.status, res.rows_imported, res.rows_rejected, res.regencies_from_places) == (
        "partial",
        4,
        3,
        3,
    )
    assert [(e.line, e.column, e.header, e.value, e.code) for e in res.errors] == [
        (4, "regency", "lokasi", "Kuta", "ambiguous_place"),
        (7, "regency", "lokasi", "Atlantis", "unknown_place"),
        (8, "regency", "kabupaten_kota", "", "required"),
    ]
    assert error_message(res.errors[0], "en") == (
        "Regency/city blank and this place name is found in more than one regency/city: "
        "Kab. Lombok Tengah (52.02), Kab. Bima (52.06). Fill in the regency/city, or add the district (kecamatan)."
    )
    assert "3 kabupaten/kota ditentukan dari nama tempat." in res.summary("id")
    assert res.to_json("en")["regencies_from_places"] == 3
    with engine.connect() as conn:
        rows = conn.execute(
            select(Presence.record_id, Presence.regency_code, Presence.kecamatan_code).order_by(
                Presence.record_id
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("P1", "52.08", "52.08.05"),
        ("P2", "52.01", "52.01.14"),
        ("P4", "52.01", None),
        ("P5", "52.02", "52.02.04"),
    ]


def test_no_regency_column_when_location_is_there(engine):
    data = (
        b"tanggal_laporan;kewarganegaraan;jenis_izin;kegiatan;lokasi\n"
        b"27/11/2024;AUS;VOA;wisata;Senggigi\n"
    )
    res = import_file(engine, data, "tanpa_kabupaten.csv", "presence")
    assert (res.status, res.rows_imported, res.regencies_from_places) == ("imported", 1, 1)
    with engine.connect() as conn:
        assert conn.execute(select(Presence.regency_code, Presence.kecamatan_code)).one() == (
            "52.01",
            "52.01.14",
        )
