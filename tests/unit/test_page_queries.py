"""Every page query equals a plain computation over the rows sent, for each kind of filter the
sidebar offers (period, office, regencies, nationalities, permits, activities, categories,
severities, and combinations), on both engines. The queries pick a roll-up by the filters' shape
and read whole months from the monthly roll-ups: each shape is checked here."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from domain.filters import Filters
from domain.regions import regencies, regencies_of_office
from loaders.pipeline import import_file
from storage import queries

D = dt.date
FIRST = D(2024, 1, 20)
CODES = list(regencies().index)
NATIONALITIES = ["AUS", "GBR", "MYS", "CHN", "NLD", "USA", "JPN"]
PERMITS = ["VOA", "BVK", "ITK"]
ACTIVITIES = ["wisata", "bisnis", "keluarga"]
CATEGORIES = [
    "overstay",
    "penyalahgunaan_izin",
    "bekerja_tanpa_izin",
    "kegiatan_politik",
    "ketertiban_umum",
    "lainnya",
]
STATUSES = ["baru", "ditelaah", "ditindaklanjuti", "selesai"]


def presence_rows() -> list[dict]:
    """Four reports a day for 150 days; the cycles' lengths are coprime, so every combination of
    regency, nationality, permit and activity occurs."""
    return [
        {
            "id": f"R{i:05d}",
            "day": FIRST + dt.timedelta(days=i // 4),
            "regency": CODES[i % 10],
            "nationality": NATIONALITIES[i % 7],
            "permit": PERMITS[i % 3],
            "activity": ACTIVITIES[(i // 3) % 3],
            "persons": i % 5 + 1,
        }
        for i in range(600)
    ]


def incident_rows() -> list[dict]:
    return [
        {
            "id": f"K{i:04d}",
            "day": FIRST + dt.timedelta(days=(i * 7) % 150),
            "regency": CODES[(i * 3) % 10],
            "category": CATEGORIES[i % 6],
            "severity": i % 5 + 1,
            "status": STATUSES[(i // 2) % 4],
            "election": i % 6 == 1,
            "nationality": [None, "AUS", "CHN"][i % 3],
        }
        for i in range(450)
    ]


def crossing_rows() -> list[dict]:
    return [
        {
            "day": FIRST + dt.timedelta(days=i),
            "direction": ["datang", "berangkat"][i % 2],
            "count": 10 + i,
        }
        for i in range(150)
    ]


def load(engine) -> None:
    head = "no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;jumlah_orang\n"
    presence = head + "".join(
        f"{r['id']};{r['day']:%d/%m/%Y};{r['regency']};{r['nationality']};{r['permit']};"
        f"{r['activity']};{r['persons']}\n"
        for r in presence_rows()
    )
    head = "no_kejadian,tanggal_kejadian,kabupaten_kota,kategori,tingkat,status,terkait_pilkada,kewarganegaraan\n"
    incidents = head + "".join(
        f"{r['id']},{r['day']:%d/%m/%Y},{r['regency']},{r['category']},{r['severity']},"
        f"{r['status']},{'ya' if r['election'] else 'tidak'},{r['nationality'] or ''}\n"
        for r in incident_rows()
    )
    crossings = "tanggal,tpi,arah,jumlah\n" + "".join(
        f"{r['day']:%d/%m/%Y},lop_lombok_airport,{r['direction']},{r['count']}\n"
        for r in crossing_rows()
    )
    for data, kind, n in (
        (presence, "presence", 600),
        (incidents, "incidents", 450),
        (crossings, "crossings", 150),
    ):
        res = import_file(engine, data.encode(), f"{kind}.csv", kind)
        assert (res.rows_imported, res.rows_rejected) == (n, 0), res.summary("en")


PERIODS = [
    (FIRST, D(2024, 6, 17)),
    (D(2024, 2, 1), D(2024, 4, 30)),
    (D(2024, 2, 10), D(2024, 4, 5)),
    (D(2024, 3, 1), D(2024, 3, 31)),
    (D(2024, 3, 2), D(2024, 3, 30)),
    (D(2024, 1, 25), D(2024, 3, 31)),
]
CHOICES = [
    {},
    {"office": "kanim_bima"},
    {"regencies": ("52.01", "52.71")},
    {"nationalities": ("AUS", "CHN")},
    {"permits": ("BVK",)},
    {"activities": ("bisnis", "keluarga")},
    {"nationalities": ("MYS",), "permits": ("VOA", "ITK"), "activities": ("wisata",)},
    {"categories": ("overstay", "lainnya")},
    {"severities": (4, 5)},
    {
        "categories": ("kegiatan_politik",),
        "severities": (1, 2, 3),
        "nationalities": ("AUS",),
        "office": "kanim_mataram",
    },
]


def in_scope(f: Filters) -> list[str]:
    if f.regencies:
        return list(f.regencies)
    return regencies_of_office(f.office, f.as_of) if f.office else CODES


def presence_in(f: Filters) -> list[dict]:
    regs = in_scope(f)
    return [
        r
        for r in presence_rows()
        if f.start <= r["day"] <= f.end
        and r["regency"] in regs
        and (not f.nationalities or r["nationality"] in f.nationalities)
        and (not f.permits or r["permit"] in f.permits)
        and (not f.activities or r["activity"] in f.activities)
    ]


def incidents_in(f: Filters) -> list[dict]:
    """With nationalities chosen, incidents of other or unknown nationality are left out."""
    regs = in_scope(f)
    return [
        r
        for r in incident_rows()
        if f.start <= r["day"] <= f.end
        and r["regency"] in regs
        and (not f.categories or r["category"] in f.categories)
        and (not f.severities or r["severity"] in f.severities)
        and (not f.nationalities or r["nationality"] in f.nationalities)
    ]


def sums(rows, key, value=lambda r: 1) -> dict:
    out = Counter()
    for r in rows:
        out[key(r)] += value(r)
    return dict(out)


@pytest.mark.parametrize("choice", CHOICES, ids=lambda c: "+".join(c) or "period")
def test_page_queries_equal_the_rows_sent(engine, choice):
    load(engine)
    for start, end in PERIODS:
        f = Filters(start, end, end, **choice)
        pres, inc = presence_in(f), incidents_in(f)
        regs = in_scope(f)

        table = queries.regency_table(engine, f)
        assert table.index.tolist() == CODES
        present, reports = (
            sums(pres, lambda r: r["regency"], lambda r: r["persons"]),
            sums(pres, lambda r: r["regency"]),
        )
        counted = {
            "incidents": sums(inc, lambda r: r["regency"]),
            "election_incidents": sums([r for r in inc if r["election"]], lambda r: r["regency"]),
            "open_incidents": sums(
                [r for r in inc if r["status"] != "selesai"], lambda r: r["regency"]
            ),
        }
        for code in CODES:
            row = table.loc[code]
            if code not in regs:  # outside the scope: no data, never zero
                assert row[["present", "reports", "incidents", "open_incidents"]].isna().all(), (
                    f,
                    code,
                )
                continue
            assert (row["present"], row["reports"]) == (
                present.get(code, 0),
                reports.get(code, 0),
            ), (f, code)
            for col, by_regency in counted.items():
                assert row[col] == by_regency.get(code, 0), (f, code, col)

        arriving = sum(
            r["count"]
            for r in crossing_rows()
            if start <= r["day"] <= end and r["direction"] == "datang"
        )
        assert queries.arrivals(engine, f) == arriving
        assert queries.kpis(engine, f) == {
            "present": sum(present.values()),
            "incidents": len(inc),
            "arrivals": arriving,
            "election_incidents": sum(r["election"] for r in inc),
            "open_incidents": sum(r["status"] != "selesai" for r in inc),
        }

        trend = queries.presence_trend(engine, f)
        by_day = sums(pres, lambda r: r["day"], lambda r: r["persons"])
        assert trend["day"].tolist() == [
            start + dt.timedelta(days=n) for n in range((end - start).days + 1)
        ]
        assert trend["persons"].tolist() == [by_day.get(d, 0) for d in trend["day"]], f

        itrend = queries.incident_trend(engine, f)
        assert dict(zip(map(queries._as_date, itrend["day"]), itrend["incidents"])) == sums(
            inc, lambda r: r["day"]
        ), f

        by_nationality = sums(pres, lambda r: r["nationality"], lambda r: r["persons"])
        top = queries.top_nationalities(engine, f, n=5)
        assert (
            list(zip(top["nationality"], top["persons"]))
            == sorted(by_nationality.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        ), f

        mix = queries.permit_activity_mix(engine, f)
        assert dict(zip(zip(mix["permit_type"], mix["activity"]), mix["persons"])) == sums(
            pres, lambda r: (r["permit"], r["activity"]), lambda r: r["persons"]
        ), f

        markers = queries.incident_markers(engine, f, limit=40)
        # Most severe first, then newest, then last sent.
        expected = [
            (
                r["day"].isoformat(),
                r["regency"],
                r["category"],
                r["severity"],
                r["election"],
                r["status"],
            )
            for r in sorted(inc, key=lambda r: (r["severity"], r["day"], r["id"]), reverse=True)[
                :40
            ]
        ]
        assert (
            list(
                zip(
                    markers["incident_date"],
                    markers["regency_code"],
                    markers["category"],
                    markers["severity"],
                    markers["election_related"],
                    markers["status"],
                )
            )
            == expected
        ), f
        assert not markers["located"].any()

        who = queries.who_acts(engine, f)
        assert {s: int(who[s].sum()) for s in STATUSES if who[s].sum()} == sums(
            inc, lambda r: r["status"]
        ), f
