"""A small hand-built database for the overview's "what changed, what needs a decision": a few
dozen rows through the real importer into a real SQLite file, the alert rules run over them
(services.alerts.evaluate_and_store), one of their alerts closed through the workflow, and
alerts of other kinds inserted by hand (a port, an office, a stale one, a closed one, one before
the period).

The period looked at is the quiet period, 24-26/11/2024; the previous period of the same length
is 21-23/11/2024 (the campaign's last days). Expected values are worked out in the tests.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select

from domain.filters import Filters
from loaders.pipeline import import_file
from services.alerts import evaluate_and_store
from storage import alerts_store
from storage.engine import make_engine, write_tx
from storage.models import Alert
from storage.schema import upgrade

D = dt.date
PERIOD = Filters(D(2024, 11, 24), D(2024, 11, 26), D(2024, 11, 26))

PRESENCE = """no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;jumlah_orang
P01;21/11/2024;52.71;AUS;VOA;wisata;2
P02;22/11/2024;52.71;GBR;VOA;wisata;3
P03;23/11/2024;52.01;AUS;VOA;wisata;4
P04;23/11/2024;52.72;MYS;VOA;wisata;5
P05;24/11/2024;52.71;AUS;VOA;wisata;6
P06;25/11/2024;52.01;NLD;VOA;wisata;3
P07;26/11/2024;52.04;USA;VOA;wisata;1200
P08;26/11/2024;52.72;MYS;VOA;wisata;1
"""
# K04 is closed later through the workflow; K01 and K05 arrive closed.
INCIDENTS = """no_kejadian,tanggal_kejadian,kabupaten_kota,kategori,tingkat,status,terkait_pilkada
K01,21/11/2024,52.72,kegiatan_politik,3,selesai,ya
K02,22/11/2024,52.01,overstay,2,baru,tidak
K03,24/11/2024,52.72,ketertiban_umum,4,baru,ya
K04,25/11/2024,52.71,kegiatan_politik,5,ditelaah,ya
K05,26/11/2024,52.72,overstay,3,selesai,tidak
K06,26/11/2024,52.01,lainnya,1,ditindaklanjuti,tidak
K07,26/11/2024,52.04,dokumen_palsu,4,baru,tidak
"""
CROSSINGS = """tanggal,tpi,arah,jumlah
21/11/2024,lop_lombok_airport,datang,40
22/11/2024,lop_lombok_airport,datang,60
22/11/2024,lop_lombok_airport,berangkat,70
24/11/2024,lop_lombok_airport,datang,30
25/11/2024,lop_lombok_airport,berangkat,10
26/11/2024,lop_lombok_airport,datang,50
"""


def _alert(
    key,
    rule,
    date,
    severity,
    status="baru",
    regency=None,
    office=None,
    port=None,
    stale=False,
    agency="Imigrasi",
):
    return {
        "key": key,
        "rule": rule,
        "regency_code": regency,
        "office_id": office,
        "port_id": port,
        "date": date,
        "severity": severity,
        "phase": "masa_tenang",
        "agency": agency,
        "trigger_ids": "[]",
        "detail": "{}",
        "status": status,
        "stale": stale,
    }


# Rules the risk score does not count (it counts election_sensitive_incident and
# permit_activity_mismatch), so these change the decision list and nothing else.
BY_HAND = [
    _alert(
        "hand:port",
        "crossing_spike",
        D(2024, 11, 25),
        "tinggi",
        "ditelaah",
        office="kanim_mataram",
        port="lop_lombok_airport",
    ),
    _alert("hand:overstay", "overstay", D(2024, 11, 26), "sedang", regency="52.01"),
    _alert("hand:gap", "reporting_gap", D(2024, 11, 24), "rendah", office="kanim_bima"),
    _alert(
        "hand:expiring",
        "expiring_permits",
        D(2024, 11, 26),
        "rendah",
        "ditindaklanjuti",
        regency="52.05",
    ),
    _alert("hand:older", "overstay", D(2024, 11, 25), "rendah", regency="52.03"),
    _alert("hand:stale", "overstay", D(2024, 11, 25), "kritis", regency="52.71", stale=True),
    _alert("hand:closed", "overstay", D(2024, 11, 24), "kritis", "selesai", regency="52.06"),
    _alert("hand:before", "overstay", D(2024, 11, 20), "kritis", regency="52.08"),
]


def build(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    for data, kind, n in (
        (PRESENCE, "presence", 8),
        (INCIDENTS, "incidents", 7),
        (CROSSINGS, "crossings", 6),
    ):
        res = import_file(engine, data.encode(), f"{kind}.csv", kind)
        assert (res.rows_imported, res.rows_rejected) == (n, 0), res.summary("en")
    evaluate_and_store(engine, as_of=PERIOD.as_of)
    with write_tx(engine) as conn:
        conn.execute(insert(Alert), BY_HAND)
        k04 = conn.scalar(
            select(Alert.id).where(
                Alert.rule == "election_sensitive_incident", Alert.regency_code == "52.71"
            )
        )
    alerts_store.set_status(engine, k04, "selesai", "pimpinan", "analyst", "handled by the police")
    engine.dispose()


def alert_id(url: str, key: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.scalar(select(Alert.id).where(Alert.key == key))
    engine.dispose()
    return found
