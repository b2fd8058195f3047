"""The upload page's column mapping (issue 19 item 1): a file with the agency's own headers is
mapped by guesses the analyst corrects, saved as a profile, and the next file with the same
headers is offered that profile and imports; regencies come from the hotel address."""

import hashlib

from sqlalchemy import text

from i18n import t
from storage.engine import make_engine

HEADERS = '"Tgl Check In";"No. Paspor";"Kebangsaan";"Jenis Izin";"Maksud";"No. Reg";"Alamat Hotel";"Nama Tamu"\n'
FIRST = (
    HEADERS + "15/11/2024;A1234567;AUS;VOA;wisata;MAP-1;Gili Trawangan;John\n"
    "15/11/2024;A1234568;Jerman;ITAS kerja;bekerja;MAP-2;Jl. Raya Senggigi No 5, Batu Layar;Jane\n"
).encode()
SECOND = (HEADERS + "16/11/2024;B1234567;GBR;VOA;wisata;MAP-3;Kuta, Pujut;Bob\n").encode()


def stored(url) -> dict:
    with make_engine(url).connect() as conn:
        return dict(
            conn.execute(
                text(
                    "select record_id, regency_code || ' ' || coalesce(kecamatan_code, '') "
                    "from presence where record_id like 'MAP-%'"
                )
            ).all()
        )


def test_map_save_and_offer_again(app, demo_db):
    at = app("pages/upload.py", role="analyst").run()
    at.get("file_uploader")[0].upload("apoa_1.csv", FIRST, "text/csv").run()
    assert not at.exception
    assert t("mapping.title") in [h.value for h in at.subheader]
    sha = hashlib.sha256(FIRST).hexdigest()[:12]  # ui/mapping.py keys its widgets by the file
    # the guesses: by name and by values; "Maksud" is left to the analyst
    boxes = {b.label: b for b in at.selectbox}
    assert boxes["Tgl Check In"].value == "report_date" and boxes["Alamat Hotel"].value == "place"
    assert boxes["Nama Tamu"].value == "ignore"
    boxes["Maksud"].set_value("activity").run()
    at.text_input(key=f"map_name_{sha}").input("APOA Hotel Senggigi").run()
    at.button(key=f"map_save_{sha}").click().run()
    assert not at.exception
    assert t("mapping.saved", name="APOA Hotel Senggigi") in [s.value for s in at.success]
    at.button(key="commit_upload").click().run()
    assert not at.exception
    assert stored(demo_db) == {"MAP-1": "52.08 52.08.05", "MAP-2": "52.01 52.01.14"}

    at.get("file_uploader")[0].upload("apoa_2.csv", SECOND, "text/csv").run()
    assert not at.exception
    assert t("mapping.using", name="APOA Hotel Senggigi") in [s.value for s in at.success]
    at.button(key="commit_upload").click().run()
    assert stored(demo_db)["MAP-3"] == "52.02 52.02.04"
