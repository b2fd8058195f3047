"""Template files analysts download: the contract's columns (Indonesian names) and one example row."""
from __future__ import annotations

import io

import pandas as pd

from loaders.columns import SPECS

EXAMPLES = {
    "presence": {"tanggal_laporan": "27/11/2024", "kabupaten_kota": "Lombok Utara", "kewarganegaraan": "AUS",
                 "jenis_izin": "VOA", "kegiatan": "wisata", "no_paspor": "PA1234567", "jumlah_orang": "2",
                 "tanggal_masuk": "20/11/2024", "tanggal_habis_izin": "19/12/2024", "penjamin": "",
                 "lokasi": "Gili Trawangan", "lintang": "-8.351", "bujur": "116.038", "sumber": "hotel",
                 "no_register": "HTL-2024-0001"},
    "incidents": {"tanggal_kejadian": "25/11/2024", "kabupaten_kota": "Kota Mataram", "kategori": "kegiatan_politik",
                  "tingkat": "tinggi", "no_kejadian": "KJD-2024-001", "kewarganegaraan": "Tiongkok", "jumlah_orang": "1",
                  "uraian": "WNA terlihat dalam kegiatan kampanye", "lintang": "-8.583", "bujur": "116.116",
                  "pelapor": "Polda NTB", "instansi_penindak": "", "tindakan": "pemantauan", "status_tindak_lanjut": "baru",
                  "terkait_pilkada": "ya"},
    "crossings": {"tanggal": "01/11/2024", "tpi": "lop_lombok_airport", "arah": "datang", "kewarganegaraan": "MYS",
                  "jumlah": "1920"},
}


def template_frame(kind: str) -> pd.DataFrame:
    cols = [c.id_name for c in SPECS[kind]]
    return pd.DataFrame([{c: EXAMPLES[kind].get(c, "") for c in cols}], columns=cols)


def template_csv(kind: str) -> bytes:
    return template_frame(kind).to_csv(index=False).encode("utf-8-sig")


def template_xlsx(kind: str) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        template_frame(kind).to_excel(xw, index=False, sheet_name=kind)
    return buf.getvalue()
