"""Repeated text (a regency, a list's name, a polling station, a village) is carried from the
validator to the database as a Categorical of the validator's codes (loaders.pipeline), so that
COPY and the roll-ups take each distinct value once. What is stored is the same as before: each
row's own value, NULL where there was none, and two spellings of one value as that one value."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from domain.scope import PROVINCE
from loaders.pipeline import import_file, prepare
from storage import rollups
from storage.engine import driver_values
from tests.conftest import fresh_engine

FILE = (
    b"nik;kabupaten_kota;kecamatan;desa_kelurahan;tps;jenis_daftar;tanggal_daftar\n"
    b"5201000000000001;Lombok Barat;Batu Layar;Senggigi;TPS 1;DPT;22/09/2024\n"
    b"5201000000000002;5201;;Senggigi;001;DPT;22/09/2024\n"
    b"5271000000000003;Kota Mataram;Ampenan;;tps-01;DPT;22/09/2024\n"
    b"5271000000000004;kota mataram;Ampenan;Ampenan Utara;12;DPT;22/09/2024\n"
)

# per row: regency, kecamatan, village, polling station, as stored
EXPECTED = [
    ("52.01", "Batu Layar", "Senggigi", "001"),
    ("52.01", None, "Senggigi", "001"),
    ("52.71", "Ampenan", None, "001"),
    ("52.71", "Ampenan", "Ampenan Utara", "012"),
]


def test_prepared_rows_hold_repeated_text_as_categories_of_distinct_values():
    prep = prepare(FILE, "dpt.csv", "voters")
    rows = prep.rows
    assert not prep.errors
    for col in ("regency_code", "kecamatan", "village", "tps", "list_name"):
        assert isinstance(rows[col].dtype, pd.CategoricalDtype), col
        assert rows[col].cat.categories.is_unique, col
    # "TPS 1", "001" and "tps-01" are one polling station: one category, not three
    assert list(rows["tps"].cat.categories) == ["001", "012"]
    assert list(rows["regency_code"].cat.categories) == ["52.01", "52.71"]
    got = list(
        zip(
            *(
                driver_values(rows[c]).tolist()
                for c in ("regency_code", "kecamatan", "village", "tps")
            )
        )
    )
    assert got == EXPECTED
    assert rows["list_date"].tolist() == [dt.date(2024, 9, 22)] * 4  # dates stay as they are


def test_roll_up_cells_of_categories_are_plain_values():
    prep = prepare(FILE, "dpt.csv", "voters")
    [cells] = rollups.deltas_of("voters", prep.rows, "postgresql")
    assert cells.tolist() == [
        [dt.date(2024, 9, 22), "52.01", "DPT", 2],
        [dt.date(2024, 9, 22), "52.71", "DPT", 2],
    ]
    assert all(type(v) is str for v in cells[:, 1])  # not a category object
    [cells] = rollups.deltas_of("voters", prep.rows, "sqlite")
    assert cells.tolist() == [["2024-09-22", "52.01", "DPT", 2], ["2024-09-22", "52.71", "DPT", 2]]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def engine(request, databases, tmp_path):
    yield from fresh_engine(databases, request.param, tmp_path)


def test_each_row_stores_its_own_value_and_null_where_there_was_none(engine):
    res = import_file(engine, FILE, "dpt.csv", "voters", scope=PROVINCE)
    assert res.rows_imported == 4 and res.rows_rejected == 0
    with engine.connect() as conn:
        got = conn.execute(
            text("SELECT regency_code, kecamatan, village, tps FROM voter_list ORDER BY id")
        ).all()
        daily = conn.execute(
            text("SELECT regency_code, list_name, voters FROM voter_list_daily ORDER BY 1")
        ).all()
    assert [tuple(r) for r in got] == EXPECTED
    assert [tuple(r) for r in daily] == [("52.01", "DPT", 2), ("52.71", "DPT", 2)]
