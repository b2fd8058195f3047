"""The records page (issue 19 item 5) on the demo database: the filters narrow the rows the
database returns (exact count), a new search starts on page 1, and an export above the cap is
refused with the numbers instead of a file. The demo is needed for its volume (a third page of
rows); the expected counts are literals, counted with plain SQL over its stored presence rows
(`SELECT count(*) FROM presence WHERE ...`), not through storage.records."""

from __future__ import annotations

import datetime as dt

from i18n import t
from storage import records


def caption_count(at) -> str:
    return at.caption[0].value


def test_filters_narrow_the_rows_and_restart_at_page_one(app):
    at = app("pages/records.py").run()
    assert not at.exception
    at.number_input(key="records_page").set_value(3).run()
    at.multiselect(key="rec_regency").select("52.01").run()
    at.multiselect(key="rec_nat").select("AUS").run()
    at.multiselect(key="rec_permit").select("VOA").run()
    assert not at.exception
    assert at.number_input(key="records_page").value == 1
    # the demo at scale 0.05, its whole span: Australians on a VOA in Lombok Barat
    # (regency_code = '52.01' AND nationality = 'AUS' AND permit_type = 'VOA': 65 rows)
    expected = 65
    shown = at.dataframe[0].value
    assert len(shown) == expected
    assert set(shown["kabupaten_kota"]) == {"52.01"} and set(shown["kewarganegaraan"]) == {"AUS"}
    assert set(shown["jenis_izin"]) == {"VOA"}
    assert caption_count(at) == t(
        "records.count", total=f"{expected:,}".replace(",", "."), first="1", last="65"
    )
    assert all(len(d) == 10 and d[2] == "/" for d in shown["tanggal_laporan"])  # dd/mm/yyyy


def test_sender_id_and_dates(app):
    at = app("pages/records.py").run()
    at.date_input(key="rec_period").set_value((dt.date(2024, 11, 27), dt.date(2024, 11, 27))).run()
    at.text_input(key="rec_sender").input("APOA-00").run()
    assert not at.exception
    shown = at.dataframe[0].value
    # report_date = '2024-11-27' AND upper(record_id) LIKE 'APOA-00%': 54 rows, all on one page
    assert len(shown) == 54 and set(shown["tanggal_laporan"]) == {"27/11/2024"}
    assert caption_count(at) == t("records.count", total="54", first="1", last="54")
    assert all(r.startswith("APOA-00") for r in shown["no_register"])


def test_an_export_above_the_cap_is_refused_with_the_numbers(app, monkeypatch):
    monkeypatch.setattr(records, "EXPORT_CAP", 10)
    at = app("pages/records.py").run()
    at.text_input(key="rec_sender").input(
        "APOA-002950"
    ).run()  # few rows: under the cap, a file is offered
    small = int(caption_count(at).split()[0].replace(".", ""))
    assert 0 < small <= 10 and not at.info
    at.text_input(key="rec_sender").input("").run()
    total = caption_count(at).split()[0]
    assert [i.value for i in at.info] == [t("records.export_too_many", total=total, cap="10")]
