"""The small hand-built database the app (AppTest) and browser (e2e) tests read their expected
figures from: 13 presence reports, 10 incidents and 7 crossing counts between 20/11/2024 and
27/11/2024 (the campaign's last days, the quiet period, voting day), every one of the ten
regencies with persons present, imported through the real importer into a real database, and the
alert rules run over them as of 27/11/2024 (services.alerts.evaluate_and_store).

Tests write what the pages must show as literals worked out from the rows below (with the sums in
a comment), never as what storage.queries answers. The sidebar's defaults over this database:
period 20/11/2024-27/11/2024 (presence and incidents), as-of 27/11/2024; the offices in force on
that day (data/reference/office_areas.csv) are Mataram (52.01, 52.02, 52.03, 52.08, 52.71),
Sumbawa Besar (52.04, 52.07) and Bima (52.05, 52.06, 52.72): the Lombok Timur office opens on
26/01/2026.

Per regency, as worked out from PRESENCE and INCIDENTS (incidents: all / election-related / not
selesai):

    52.01 Lombok Barat    F01 400 + F02 240 =   640   I01, I02          2 / 1 / 1
    52.02 Lombok Tengah   F03 420           =   420                     0 / 0 / 0
    52.03 Lombok Timur    F04 150           =   150                     0 / 0 / 0
    52.04 Sumbawa         F05 530           =   530   I08               1 / 0 / 1
    52.05 Dompu           F06 60            =    60                     0 / 0 / 0
    52.06 Bima            F07 310           =   310   I10               1 / 0 / 1
    52.07 Sumbawa Barat   F08 220           =   220                     0 / 0 / 0
    52.08 Lombok Utara    F09 700 + F10 260 =   960   I03, I04, I05     3 / 1 / 2
    52.71 Kota Mataram    F11 1008 + F12 250 = 1258   I06, I07          2 / 1 / 2
    52.72 Kota Bima       F13 90            =    90   I09               1 / 1 / 0
    NTB                                       4638                     10 / 4 / 7

Arrivals (crossings `datang`): 310 + 450 + 1200 + 35 + 95 = 2090; of them through the Sumbawa
office's ports (badas_port and swq_sumbawa_airport, 52.04; poto_tano_port, 52.07): 35.
"""

from __future__ import annotations

import datetime as dt

from loaders.pipeline import import_file
from services.alerts import evaluate_and_store
from storage.engine import make_engine
from storage.schema import upgrade

AS_OF = dt.date(2024, 11, 27)

PRESENCE = """no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;jumlah_orang
F01;20/11/2024;52.01;AUS;VOA;wisata;400
F02;21/11/2024;52.01;NLD;ITK;bisnis;240
F03;22/11/2024;52.02;AUS;VOA;wisata;420
F04;23/11/2024;52.03;MYS;ITAS kerja;bekerja;150
F05;24/11/2024;52.04;USA;VOA;wisata;530
F06;25/11/2024;52.05;AUS;VOA;wisata;60
F07;25/11/2024;52.06;CHN;ITAS kerja;bekerja;310
F08;26/11/2024;52.07;AUS;ITAS kerja;bekerja;220
F09;26/11/2024;52.08;AUS;VOA;wisata;700
F10;26/11/2024;52.08;DEU;VOA;wisata;260
F11;27/11/2024;52.71;AUS;VOA;wisata;1008
F12;27/11/2024;52.71;GBR;ITK;bisnis;250
F13;27/11/2024;52.72;MYS;VOA;wisata;90
"""
# I05's nationality is unknown: it leaves the counts whenever nationalities are chosen.
INCIDENTS = """no_kejadian,tanggal_kejadian,kabupaten_kota,kategori,tingkat,status,terkait_pilkada,kewarganegaraan
I01,20/11/2024,52.01,overstay,2,selesai,tidak,AUS
I02,22/11/2024,52.01,kegiatan_politik,4,baru,ya,NLD
I03,24/11/2024,52.08,kegiatan_politik,3,ditelaah,ya,AUS
I04,25/11/2024,52.08,ketertiban_umum,2,baru,tidak,DEU
I05,26/11/2024,52.08,overstay,1,selesai,tidak,
I06,26/11/2024,52.71,kegiatan_politik,5,baru,ya,AUS
I07,27/11/2024,52.71,dokumen_palsu,3,ditindaklanjuti,tidak,GBR
I08,27/11/2024,52.04,lainnya,2,baru,tidak,USA
I09,23/11/2024,52.72,kegiatan_politik,4,selesai,ya,MYS
I10,21/11/2024,52.06,overstay,2,ditelaah,tidak,CHN
"""
CROSSINGS = """tanggal,tpi,arah,jumlah
20/11/2024,lop_lombok_airport,datang,310
22/11/2024,lop_lombok_airport,berangkat,120
24/11/2024,lop_lombok_airport,datang,450
25/11/2024,lembar_port,datang,1200
26/11/2024,lembar_port,berangkat,1180
26/11/2024,swq_sumbawa_airport,datang,35
27/11/2024,lop_lombok_airport,datang,95
"""
FILES = (
    (PRESENCE, "presence", 13),
    (INCIDENTS, "incidents", 10),
    (CROSSINGS, "crossings", 7),
)


def build(url: str) -> None:
    """Migrate the database at `url` and fill it with the rows above and their alerts."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        for data, kind, n in FILES:
            res = import_file(engine, data.encode(), f"{kind}.csv", kind)
            assert (res.rows_imported, res.rows_rejected) == (n, 0), res.summary("en")
        evaluate_and_store(engine, as_of=AS_OF)
    finally:
        engine.dispose()
