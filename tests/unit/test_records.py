"""The records search (storage/records.py) on a small database filled through the real import:
each filter gives exactly the expected rows, sorting and paging happen in the database, the export
holds every filtered row (not a page) up to the cap, formatted for people (dd/mm/yyyy, coordinates
to 5 decimals, headers in the user's language), and every view is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from domain.roles import Forbidden
from i18n import t
from loaders.pipeline import import_file
from storage import records
from ui.components import as_sent
from viz.exports import to_csv

D = dt.date
ALL = ("52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71", "52.72")
FILE_1 = (
    "no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;no_paspor;jumlah_orang;"
    "tanggal_masuk;lintang;bujur\n"
    "H-001;01/11/2024;Lobar;AUS;VOA;wisata;A1234567;1;30/10/2024;-8.491234567891;116.0412345678\n"
    "H-002;02/11/2024;KLU;DEU;BVK;wisata;B1234567;2;;;\n"
    "P-003;03/11/2024;Lobar;CHN;ITAS_KERJA;bekerja;C1234567;1;;-8.7;116.1\n"
    "H-004;04/11/2024;Kota Bima;AUS;ITK;bisnis;;3;;;\n"
)
FILE_2 = (
    "no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan\n"
    "X-010;05/11/2024;Lobar;AUS;VOA;wisata\n"
    "X-011;20/11/2024;Lotim;JPN;VOA;wisata\n"
)


@pytest.fixture
def db(engine):
    assert import_file(engine, FILE_1.encode(), "hotel.csv", "presence").rows_imported == 4
    assert import_file(engine, FILE_2.encode(), "polres.csv", "presence").rows_imported == 2
    return engine


def ids(engine, **kw) -> list[str]:
    rf = records.RecordFilter(
        kw.pop("start", D(2024, 11, 1)),
        kw.pop("end", D(2024, 11, 30)),
        kw.pop("regencies", ALL),
        **kw,
    )
    rows, total = records.page(engine, rf, "analyst", "ana", limit=100)
    assert total == len(rows)
    return list(rows["record_id"])


def test_each_filter_gives_exactly_its_rows(db):
    assert ids(db) == ["X-011", "X-010", "H-004", "P-003", "H-002", "H-001"]  # newest first
    assert ids(db, regencies=("52.01",)) == ["X-010", "P-003", "H-001"]
    assert ids(db, nationalities=("AUS",)) == ["X-010", "H-004", "H-001"]
    assert ids(db, permits=("VOA", "ITK")) == ["X-011", "X-010", "H-004", "H-001"]
    assert ids(db, activities=("bekerja", "bisnis")) == ["H-004", "P-003"]
    assert ids(db, start=D(2024, 11, 2), end=D(2024, 11, 4)) == ["H-004", "P-003", "H-002"]
    assert ids(db, batch_id=2) == ["X-011", "X-010"]
    assert ids(db, sender_id="H-00") == ["H-004", "H-002", "H-001"]
    assert ids(db, sender_id="h-00") == ["H-004", "H-002", "H-001"]  # any case, on both engines
    assert ids(db, sender_id="%") == []  # LIKE wildcards are text, not patterns
    assert ids(db, regencies=("52.01",), nationalities=("AUS",), permits=("VOA",)) == [
        "X-010",
        "H-001",
    ]


def test_sorting_and_paging_happen_in_the_database(db):
    assert ids(db, sort="person_count", descending=True) == [
        "H-004",
        "H-002",
        "X-011",
        "X-010",
        "P-003",
        "H-001",
    ]
    assert ids(db, sort="record_id", descending=False) == [
        "H-001",
        "H-002",
        "H-004",
        "P-003",
        "X-010",
        "X-011",
    ]
    rf = records.RecordFilter(
        D(2024, 11, 1), D(2024, 11, 30), ALL, sort="record_id", descending=False
    )
    rows, total = records.page(db, rf, "analyst", "ana", limit=2, offset=2)
    assert (list(rows["record_id"]), total) == (["H-004", "P-003"], 6)
    with pytest.raises(ValueError, match="passport_hash"):
        records.page(
            db,
            records.RecordFilter(D(2024, 11, 1), D(2024, 11, 30), ALL, sort="passport_hash"),
            "analyst",
            "ana",
        )


def test_views_are_audited_and_need_the_analyst_role(db):
    rf = records.RecordFilter(D(2024, 11, 1), D(2024, 11, 30), ("52.01",), nationalities=("AUS",))
    records.page(db, rf, "analyst", "ana", limit=1)
    with db.connect() as conn:
        actor, detail = conn.execute(
            text("select actor, detail from audit_event where action = 'person_level_view'")
        ).one()
    assert actor == "ana"
    assert '"nationalities": ["AUS"]' in detail and '"rows": 1' in detail and '"total": 2' in detail
    with pytest.raises(Forbidden):
        records.page(db, rf, "viewer", "lead")
    with pytest.raises(Forbidden):
        records.export_rows(db, rf, "viewer")


def test_the_export_holds_every_filtered_row_formatted_for_people(db):
    rf = records.RecordFilter(
        D(2024, 11, 1), D(2024, 11, 3), ALL, sort="report_date", descending=False
    )
    rows = records.export_rows(db, rf, "analyst")
    short = records.for_people(rows).drop(
        columns=["passport_pseudonym", "sponsor", "location", "source", "permit_expiry"]
    )
    csv = to_csv(as_sent(short, "presence", "id"), "RAHASIA").decode("utf-8-sig").split("\r\n")
    assert csv == [
        "# RAHASIA",
        "no_register,tanggal_laporan,kabupaten_kota,kewarganegaraan,jenis_izin,kegiatan,jumlah_orang,tanggal_masuk,"
        "lintang,bujur,batch_unggahan",
        "H-001,01/11/2024,52.01,AUS,VOA,wisata,1,30/10/2024,-8.49123,116.04123,1",
        "H-002,02/11/2024,52.08,DEU,BVK,wisata,2,,,,1",
        "P-003,03/11/2024,52.01,CHN,ITAS_KERJA,bekerja,1,,-8.7,116.1,1",
        "",
    ]
    english = as_sent(short, "presence", "en")
    assert list(english.columns) == [
        "record_id",
        "report_date",
        "regency",
        "nationality",
        "permit_type",
        "activity",
        "person_count",
        "arrival_date",
        "lat",
        "lon",
        "upload_batch",
    ]
    assert list(english["permit_type"]) == [
        t("code.permit_VOA", "en"),
        t("code.permit_BVK", "en"),
        t("code.permit_ITAS_KERJA", "en"),
    ]
    assert list(records.for_people(rows, coordinates_as_text=True)["lat"]) == [
        "-8.49123",
        "",
        "-8.70000",
    ]


def test_an_export_above_the_cap_is_refused_with_the_numbers(db):
    rf = records.RecordFilter(D(2024, 11, 1), D(2024, 11, 30), ALL)
    assert len(records.export_rows(db, rf, "analyst", cap=6)) == 6  # every row, not a page
    with pytest.raises(records.TooManyRows) as refused:
        records.export_rows(db, rf, "analyst", cap=5)
    assert (refused.value.total, refused.value.cap) == (6, 5)
