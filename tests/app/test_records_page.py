"""The records page (issue 19 item 5) on the demo database: the filters narrow the rows the
database returns (exact count), a new search starts on page 1, and an export above the cap is
refused with the numbers instead of a file."""

from __future__ import annotations

import datetime as dt

from i18n import t
from storage import records
from storage.engine import make_engine


def caption_count(at) -> str:
    return at.caption[0].value


def test_filters_narrow_the_rows_and_restart_at_page_one(app, demo_db):
    at = app("pages/records.py").run()
    assert not at.exception
    at.number_input(key="records_page").set_value(3).run()
    at.multiselect(key="rec_regency").select("52.01").run()
    at.multiselect(key="rec_nat").select("AUS").run()
    at.multiselect(key="rec_permit").select("VOA").run()
    assert not at.exception
    assert at.number_input(key="records_page").value == 1
    start, end = at.date_input(key="rec_period").value
    expected = records.count(
        make_engine(demo_db), records.RecordFilter(start, end, ("52.01",), ("AUS",), ("VOA",))
    )
    assert expected == 65  # the demo at scale 0.05: Australians on a VOA in Lombok Barat
    shown = at.dataframe[0].value
    assert len(shown) == expected
    assert set(shown["kabupaten_kota"]) == {"52.01"} and set(shown["kewarganegaraan"]) == {"AUS"}
    assert set(shown["jenis_izin"]) == {"VOA"}
    assert caption_count(at) == t(
        "records.count", total=f"{expected:,}".replace(",", "."), first="1", last="65"
    )
    assert all(len(d) == 10 and d[2] == "/" for d in shown["tanggal_laporan"])  # dd/mm/yyyy


def test_sender_id_and_dates(app, demo_db):
    at = app("pages/records.py").run()
    at.date_input(key="rec_period").set_value((dt.date(2024, 11, 27), dt.date(2024, 11, 27))).run()
    at.text_input(key="rec_sender").input("APOA-00").run()
    assert not at.exception
    shown = at.dataframe[0].value
    expected = records.count(
        make_engine(demo_db),
        records.RecordFilter(
            dt.date(2024, 11, 27),
            dt.date(2024, 11, 27),
            tuple(sorted(set(shown["kabupaten_kota"])) or ("52.01",)),
            sender_id="APOA-00",
        ),
    )
    assert len(shown) == min(expected, 100) and set(shown["tanggal_laporan"]) <= {"27/11/2024"}
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
