"""Who acts (lead and supporting agencies) and ITAS by purpose, with the values an immigration
officer would check first (docs/domain-facts.md, "Who acts" and "Stay permits")."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from domain.agencies import alert_supporting, fill_agencies, route, supporting_agencies
from domain.alert_rules import overstay, permit_activity_mismatch, purpose_unknown
from domain.calendar import default_election
from loaders.thresholds import load_rules
from loaders.values import parse_enum
from viz.alert_text import describe, detail_key

EL = default_election()
RULES = load_rules()


def presence(rows: list[dict]) -> pd.DataFrame:
    base = {
        "report_date": "2024-10-01",
        "regency_code": "52.05",
        "nationality": "AUS",
        "permit_type": "VOA",
        "activity": "wisata",
        "person_count": 1,
        "permit_expiry": None,
        "arrival_date": None,
        "passport_hash": None,
    }
    out = pd.DataFrame([{**base, **r} for r in rows])
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out


@pytest.mark.parametrize(
    "category, lead, supporting",
    [
        ("bekerja_tanpa_izin", "Imigrasi", ("Disnakertrans",)),
        ("pertambangan_ilegal", "Polda NTB", ("Dinas ESDM", "Imigrasi")),
        ("penyalahgunaan_izin", "Imigrasi", ()),
        ("overstay", "Imigrasi", ()),
        ("kegiatan_politik", "Bawaslu NTB", ("Imigrasi", "Polda NTB")),
        ("kepabeanan", "Bea Cukai", ("Imigrasi",)),
        ("lingkungan", "DLHK", ("Polda NTB",)),
        ("narkotika", "BNNP NTB", ("Polda NTB", "Imigrasi")),
        ("ketertiban_umum", "Polda NTB", ("Imigrasi",)),
        ("lainnya", "Timpora NTB", ()),
        ("not_a_category", "Timpora NTB", ()),
    ],
)
def test_each_category_has_a_lead_and_its_supporting_agencies(category, lead, supporting):
    assert (route(category).lead, supporting_agencies(category)) == (lead, supporting)


def test_an_incident_without_agency_gets_the_lead_and_a_file_agency_still_wins():
    cats = pd.Series(["bekerja_tanpa_izin", "pertambangan_ilegal", "pertambangan_ilegal"])
    given = pd.Series(["", None, "Polres Lombok Barat"])
    assert fill_agencies(cats, given).tolist() == ["Imigrasi", "Polda NTB", "Polres Lombok Barat"]
    # the file's agency leads; the category's supporting agencies still support it
    assert supporting_agencies("pertambangan_ilegal", "Polres Lombok Barat") == (
        "Dinas ESDM",
        "Imigrasi",
    )
    # a file naming a supporting agency as its lead does not list it twice
    assert supporting_agencies("bekerja_tanpa_izin", "Disnakertrans") == ()


def test_alerts_follow_the_routing_and_carry_their_supporting_agencies():
    f = presence(
        [
            {
                "permit_type": "VOA",
                "activity": "bekerja",
                "passport_hash": "a" * 64,
            },  # pearl trader
            {"permit_type": "ITAS_KERJA", "activity": "politik", "passport_hash": "b" * 64},
            {
                "permit_type": "ITAK",
                "activity": "wisata",
                "passport_hash": "c" * 64,
            },  # unknown permit
        ]
    )
    a = permit_activity_mismatch(f, EL, "2024-10-31", RULES).set_index("trigger_ids")
    assert (
        a.loc[[(1,)], "agency"].item(),
        alert_supporting(a.loc[[(1,)], "detail"].item(), "Imigrasi"),
    ) == ("Imigrasi", ("Disnakertrans",))
    assert (
        a.loc[[(2,)], "agency"].item(),
        alert_supporting(a.loc[[(2,)], "detail"].item(), "Bawaslu NTB"),
    ) == ("Bawaslu NTB", ("Imigrasi", "Polda NTB"))
    assert (
        a.loc[[(3,)], "agency"].item(),
        alert_supporting(a.loc[[(3,)], "detail"].item(), "Imigrasi"),
    ) == ("Imigrasi", ())
    assert alert_supporting({"increase_pct": 120.0}, "Imigrasi") == ()  # a surge: immigration alone


def test_remote_work_itas_with_work_is_one_mismatch_and_a_work_itas_none():
    remote = presence(
        [
            {"permit_type": "ITAS_REMOTE", "activity": "bekerja", "passport_hash": "d" * 64},
            {
                "report_date": "2024-10-02",
                "permit_type": "ITAS_REMOTE",
                "activity": "bekerja",
                "passport_hash": "d" * 64,
            },
        ]
    )
    a = permit_activity_mismatch(remote, EL, "2024-10-31", RULES)
    assert len(a) == 1
    row = a.iloc[0]
    assert (
        row["rule"],
        row["regency_code"],
        row["severity"],
        row["agency"],
        row["trigger_ids"],
    ) == ("permit_activity_mismatch", "52.05", "sedang", "Imigrasi", (1, 2))
    work = presence(
        [{"permit_type": "ITAS_KERJA", "activity": "bekerja", "passport_hash": "e" * 64}]
    )
    assert permit_activity_mismatch(work, EL, "2024-10-31", RULES).empty


def test_family_and_study_itas_allow_no_work_and_politics_is_never_allowed():
    f = presence(
        [
            {"permit_type": p, "activity": a, "passport_hash": h * 64}
            for p, a, h in (
                ("ITAS_KELUARGA", "bekerja", "1"),
                ("ITAS_STUDI", "bekerja", "2"),
                ("ITAP", "politik", "3"),
                ("ITAS_KELUARGA", "keluarga", "4"),
                ("ITAS_STUDI", "pendidikan", "5"),
            )
        ]
    )
    a = permit_activity_mismatch(f, EL, "2024-10-31", RULES)
    singles = a[a["rule"] == "permit_activity_mismatch"]
    assert sorted((d["permit"], d["activity"]) for d in singles["detail"]) == [
        ("ITAP", "politik"),
        ("ITAS_KELUARGA", "bekerja"),
        ("ITAS_STUDI", "bekerja"),
    ]
    # three in one regency on one day: a cluster too, led by immigration (permit misuse)
    cluster = a[a["rule"] == "permit_activity_mismatch_cluster"].iloc[0]
    assert (cluster["agency"], cluster["detail"]["count"], cluster["detail"]["political"]) == (
        "Imigrasi",
        3,
        1,
    )


def test_a_bare_itas_with_work_is_no_mismatch_but_is_counted_as_purpose_unknown():
    f = presence(
        [
            {"permit_type": "ITAS", "activity": "bekerja", "person_count": 2},
            {
                "permit_type": "ITAS",
                "activity": "bekerja",
                "person_count": 3,
                "report_date": "2024-09-01",
            },
            {"permit_type": "ITAS", "activity": "wisata", "person_count": 5},
            {"permit_type": "ITAS_KERJA", "activity": "bekerja", "person_count": 7},
        ]
    )
    assert permit_activity_mismatch(f, EL, "2024-10-31", RULES).empty
    assert purpose_unknown(f, "2024-10-31") == 5
    assert purpose_unknown(f, "2024-10-31", start="2024-09-15") == 2
    assert purpose_unknown(f, "2024-08-31") == 0


@pytest.mark.parametrize(
    "written, stored",
    [
        ("ITAS remote", "ITAS_REMOTE"),
        ("E33G", "ITAS_REMOTE"),
        ("itas kerja", "ITAS_KERJA"),
        ("KITAS", "ITAS"),
        ("ITAS", "ITAS"),
        ("ITAS-KELUARGA", "ITAS_KELUARGA"),
        ("B211A", "ITK"),
        ("C1", "ITK"),
        ("vksk", "VOA"),
        ("vkss", None),
    ],
)
def test_permit_spellings(written, stored):
    assert parse_enum("permit_type", written) == stored


@pytest.mark.parametrize(
    "report, regulation, confirmed, key",
    [
        ("2024-12-17", "PP 28/2019", True, "alerts.overstay_detail_charge"),
        ("2024-12-18", "PP 45/2024", False, "alerts.overstay_detail_charge_unconfirmed"),
    ],
)
def test_the_overstay_charge_is_the_regulation_in_force_on_the_day(
    report, regulation, confirmed, key
):
    day = dt.date.fromisoformat(report)
    f = presence(
        [
            {
                "report_date": report,
                "permit_expiry": day - dt.timedelta(days=10),
                "passport_hash": "f" * 64,
            }
        ]
    )
    a = overstay(f, EL, report, RULES)
    d = a.iloc[0]["detail"]
    assert (d["charge_rp"], d["charge_per_day_rp"], d["regulation"], d["confirmed"]) == (
        10_000_000,
        1_000_000,
        regulation,
        confirmed,
    )
    assert detail_key(a.iloc[0]) == key
    text = describe(a.iloc[0], "id", EL)
    assert "Rp 10.000.000" in text and (("belum dikonfirmasi" in text) is not confirmed)


def test_an_imported_incident_file_is_routed_and_the_drill_down_names_lead_and_supporting(
    sqlite_engine,
):
    """Through the real importer into a real SQLite file: an incident without an agency gets its
    lead, a file's own agency still wins, and the drill-down's who-acts table lists both."""
    from domain.filters import Filters
    from loaders.pipeline import import_file
    from storage import queries

    data = (
        b"no_kejadian,tanggal_kejadian,kabupaten_kota,kategori,tingkat,status,instansi_penindak\n"
        b"K1,10/08/2024,Lombok Barat,pertambangan_ilegal,4,baru,\n"
        b"K2,11/08/2024,Lombok Barat,pertambangan ilegal,3,ditelaah,Polres Lombok Barat\n"
        b"K3,12/08/2024,Lombok Barat,bekerja_tanpa_izin,2,baru,\n"
        b"K4,13/08/2024,Lombok Barat,overstay,2,selesai,\n"
    )
    res = import_file(sqlite_engine, data, "kejadian.csv", "incidents")
    assert (res.rows_imported, res.rows_rejected) == (4, 0)
    f = Filters(start=dt.date(2024, 8, 1), end=dt.date(2024, 8, 31), as_of=dt.date(2024, 8, 31))
    rows = queries.regency_incidents(sqlite_engine, f, "52.01", "analyst")
    assert dict(
        zip(rows["record_id"], zip(rows["responsible_agency"], rows["supporting_agencies"]))
    ) == {
        "K1": ("Polda NTB", "Dinas ESDM, Imigrasi"),
        "K2": ("Polres Lombok Barat", "Dinas ESDM, Imigrasi"),
        "K3": ("Imigrasi", "Disnakertrans"),
        "K4": ("Imigrasi", ""),
    }
    who = queries.who_acts(sqlite_engine, f, "52.01")
    assert who.reset_index().to_dict("records") == [
        {
            "responsible_agency": "Imigrasi",
            "supporting": "Disnakertrans",
            "baru": 1,
            "ditelaah": 0,
            "ditindaklanjuti": 0,
            "selesai": 1,
        },
        {
            "responsible_agency": "Polda NTB",
            "supporting": "Dinas ESDM, Imigrasi",
            "baru": 1,
            "ditelaah": 0,
            "ditindaklanjuti": 0,
            "selesai": 0,
        },
        {
            "responsible_agency": "Polres Lombok Barat",
            "supporting": "Dinas ESDM, Imigrasi",
            "baru": 0,
            "ditelaah": 1,
            "ditindaklanjuti": 0,
            "selesai": 0,
        },
    ]
