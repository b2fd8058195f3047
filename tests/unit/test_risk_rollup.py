"""The risk table reads presence from the day × regency roll-up instead of the rows (issue 23: the
situation report's speed); the scores must stay exactly what the row-based computation gave.

A real database (SQLite file and PostgreSQL) holds generated presence reports over two stretches
(15/09-27/11/2024 and 01/12/2025-10/02/2026, the second across the opening of the Lombok Timur
office on 26/01/2026), one to three reports per regency and day, some of them re-sent with other
counts (replaced rows the roll-up must leave out), and incidents, all through the real importer.
For each as-of date and account scope, storage.alerts_store.risk_table is compared, every column
to the last bit, with the computation it replaced: the rules' row frames (load_frames, 68 days of
rows) through the same scoring.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from domain.filters import Filters
from domain.regions import regency_codes
from domain.scope import PROVINCE, Scope
from loaders.pipeline import import_file
from loaders.thresholds import load_rules
from storage import alerts_store
from tests.conftest import fresh_engine

D = dt.date
SPANS = ((D(2024, 9, 15), D(2024, 11, 27)), (D(2025, 12, 1), D(2026, 2, 10)))
HEAD = "no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;jumlah_orang"
RESENT = 40  # reports re-sent with 2 persons more: every 16th of 24/10-27/11/2024, not Kota Bima


def _days(first: dt.date, last: dt.date):
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _reports() -> list[tuple[str, dt.date, str, int]]:
    """(register, day, regency, persons). Kota Bima (52.72) is worked out by hand: two reports of
    5 persons a day, 10 each in the last 7 days of a stretch; the other regencies vary."""
    out = []
    for first, last in SPANS:
        for k, day in enumerate(_days(first, last)):
            for j, code in enumerate(regency_codes()):
                if code == "52.72":
                    n = 10 if day > last - dt.timedelta(days=7) else 5
                    counts = [n, n]
                else:
                    counts = [1 + (k * 7 + j * 3 + r * 5) % 23 for r in range(1 + (k + j) % 3)]
                    if day > last - dt.timedelta(days=7) and j % 2:  # a surge in half of them
                        counts = [c * 3 for c in counts]
                for r, c in enumerate(counts):
                    out.append((f"R{day:%Y%m%d}{code}{r}", day, code, c))
    return out


def _resent(rows):
    span = (D(2024, 10, 24), D(2024, 11, 27))
    return [r for r in rows if r[2] != "52.72" and span[0] <= r[1] <= span[1]][::16][:RESENT]


def _csv(rows) -> bytes:
    lines = [HEAD] + [
        f"{reg};{day:%d/%m/%Y};{code};AUS;VOA;wisata;{n}" for reg, day, code, n in rows
    ]
    return "\n".join(lines).encode()


INCIDENTS = """no_kejadian,tanggal_kejadian,kabupaten_kota,kategori,tingkat,status,terkait_pilkada
K01,01/11/2024,52.72,kegiatan_politik,3,baru,ya
K02,10/11/2024,52.01,overstay,2,baru,tidak
K03,20/11/2024,52.72,ketertiban_umum,4,ditelaah,ya
K04,25/11/2024,52.71,kegiatan_politik,5,ditelaah,ya
K05,27/11/2024,52.03,lainnya,1,selesai,tidak
K06,20/01/2026,52.03,overstay,2,baru,tidak
K07,01/02/2026,52.03,dokumen_palsu,4,baru,tidak
K08,09/02/2026,52.06,lainnya,3,baru,tidak
"""


def _build(engine) -> None:
    rows = _reports()
    first = import_file(engine, _csv(rows), "presence.csv", "presence")
    assert first.rows_imported == len(rows), first.summary("en")
    again = [(reg, day, code, n + 2) for reg, day, code, n in _resent(rows)]
    second = import_file(engine, _csv(again), "presence_resent.csv", "presence")
    assert second.rows_updated == RESENT, second.summary("en")
    inc = import_file(engine, INCIDENTS.encode(), "incidents.csv", "incidents")
    assert inc.rows_imported == 8, inc.summary("en")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db(request, databases, tmp_path_factory):
    """Built once per kind of database (the tests only read it)."""
    yield from fresh_engine(
        databases, request.param, tmp_path_factory.mktemp("risk"), "risk roll-up", _build
    )


def _row_based(engine, f: Filters, rules) -> pd.DataFrame:
    """The computation risk_table made before it read the roll-up: the rules' row frames."""
    frames = alerts_store.load_frames(
        engine, f.as_of - dt.timedelta(days=rules.risk.window_days), f.as_of
    )
    return alerts_store._risk_from(engine, f, None, rules, frames["presence"], frames["incidents"])


CASES = [
    (D(2024, 11, 27), PROVINCE),
    (D(2024, 11, 27), Scope("kanim_bima")),
    (D(2024, 11, 20), Scope("kanim_mataram")),
    (D(2024, 10, 10), PROVINCE),  # 26 days of data: no baseline yet
    (D(2026, 2, 10), PROVINCE),
    (D(2026, 2, 10), Scope("kanim_lombok_timur")),  # its area since 26/01/2026 only
    (D(2026, 2, 10), Scope("kanim_mataram")),  # held Lombok Timur until 25/01/2026
]


@pytest.mark.parametrize("as_of,scope", CASES, ids=[f"{d}-{s.key}" for d, s in CASES])
def test_the_roll_up_gives_the_row_based_risk_table_exactly(db, as_of, scope):
    rules = load_rules()
    f = Filters(as_of - dt.timedelta(days=13), as_of, as_of, scope=scope)
    new = alerts_store.risk_table(db, f, None, rules)
    old = _row_based(db, f, rules)
    pd.testing.assert_frame_equal(new, old, check_exact=True)


def test_the_presence_component_is_measured_from_the_roll_up(db):
    """Kota Bima on 27/11/2024: 140 persons in the last 7 days against 280 in the 28 before, i.e.
    70 a week: +100 %, the cap (1.0) reached: 0.15 x 100 = 15 points. The other regencies
    are measured too (not a table of zeros), and the scores equal the row-based ones."""
    rules = load_rules()
    day = D(2024, 11, 27)
    table = alerts_store.risk_table(db, Filters(day, day, day), None, rules)
    assert table.loc["52.72", ["presence_measure", "presence", "presence_points"]].tolist() == [
        1.0,
        1.0,
        15.0,
    ]
    assert table["presence_measure"].notna().sum() == 10
    assert (table["presence_points"] > 0).sum() >= 5
    # 10/10/2024: 26 days of data, fewer than 7 + 28: no baseline, no presence points
    early = alerts_store.risk_table(db, _f(D(2024, 10, 10)), None, rules)
    assert early["presence_measure"].isna().all() and (early["presence_points"] == 0).all()


def _f(day: dt.date) -> Filters:
    return Filters(day, day, day)


def test_replaced_reports_count_with_their_new_figure(db):
    """Each regency's presence measure on 27/11/2024 worked out from the reports sent (the re-sent
    ones with their new count, 2 more, once): persons in 21-27/11 against those in 24/10-20/11
    scaled to a week."""
    day = D(2024, 11, 27)
    rows = _reports()
    resent = {r[0] for r in _resent(rows)}
    assert len(resent) == RESENT and {r[1] for r in _resent(rows)} & set(
        _days(day - dt.timedelta(days=6), day)
    )
    persons = {(reg, d, code): n + 2 * (reg in resent) for reg, d, code, n in rows}

    def total(code, first, last):
        return sum(n for (_, d, c), n in persons.items() if c == code and first <= d <= last)

    expected = []
    for code in regency_codes():
        recent = float(total(code, day - dt.timedelta(days=6), day))
        base = float(total(code, day - dt.timedelta(days=34), day - dt.timedelta(days=7))) * 7 / 28
        expected.append((recent - base) / base)
    table = alerts_store.risk_table(db, _f(day), None, load_rules())
    assert table["presence_measure"].tolist() == expected
