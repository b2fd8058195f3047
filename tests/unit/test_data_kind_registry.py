"""A data kind added through the registry alone (domain/data_kinds.py), as issue 22 asks: a
dummy "visa-on-arrival counts" kind whose tables the test creates as its migration would. With
nothing else written for it, the same importer, roll-ups, undo, change counter, template and
page queries work for it, on both engines. Also: a change counter comes from the registry, and a
bump of a counter that is not there raises instead of updating nothing."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    text,
)

from domain.data_kinds import Column as Field
from domain.data_kinds import DataKind, Rollup, Stored, register, unregister
from domain.filters import Filters
from loaders.pipeline import import_file
from loaders.templates import template_frame
from storage import kind_queries
from storage.engine import write_tx
from storage.imports import undo_batch
from storage.models import ChangeCounter
from storage.schema import upgrade
from storage.versions import UnknownScope, bump, versions

VOA = DataKind(
    name="voa_test",
    table="voa_test",
    date="voa_date",
    identity=("voa_date", "regency_code", "nationality"),
    columns=(
        Field("voa_date", "tanggal", True, "date"),
        Field("regency", "kabupaten_kota", True, "regency"),
        Field("nationality", "kewarganegaraan", True, "nationality"),
        Field("count", "jumlah", True, "count"),
    ),
    stored=(
        Stored("voa_date", "voa_date"),
        Stored("regency_code", "regency"),
        Stored("nationality", "nationality"),
        Stored("count", "count"),
    ),
    rollups=(
        Rollup(
            "voa_test_daily",
            ("regency_code",),
            {"persons": ("count", "sum"), "reports": ("count", "size")},
        ),
    ),
    example={
        "tanggal": "01/11/2024",
        "kabupaten_kota": "Kota Mataram",
        "kewarganegaraan": "AUS",
        "jumlah": "10",
    },
)

# What the kind's migration would create (the shape every data table has: id, batch, replaced_by_batch,
# record_id, row_hash, then its stored columns; a roll-up keyed by its period and keys).
META = MetaData()
Table(
    "voa_test",
    META,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("upload_batch.id")),
    Column("replaced_by_batch", Integer, nullable=True),
    Column("record_id", String(64), nullable=True),
    Column("row_hash", BigInteger),
    Column("voa_date", Date),
    Column("regency_code", String(5)),
    Column("nationality", String(3)),
    Column("count", Integer),
)
Table(
    "voa_test_daily",
    META,
    Column("day", Date, primary_key=True),
    Column("regency_code", String(5), primary_key=True),
    Column("persons", Integer),
    Column("reports", Integer),
)
Table("upload_batch", META, Column("id", Integer, primary_key=True))  # only for the foreign key

FILE = (
    b"tanggal,kabupaten_kota,kewarganegaraan,jumlah\n"
    b"01/11/2024,Kota Mataram,AUS,10\n"
    b"01/11/2024,Lombok Barat,AUS,5\n"
    b"02/11/2024,Kota Mataram,MYS,7\n"
    b"03/11/2024,Lobar,AUS,4\n"
)
NOVEMBER = Filters(
    start=dt.date(2024, 11, 1), end=dt.date(2024, 11, 30), as_of=dt.date(2024, 11, 30)
)
D1, D2, D3 = dt.date(2024, 11, 1), dt.date(2024, 11, 2), dt.date(2024, 11, 3)


@contextlib.contextmanager
def registered(engine):
    register(VOA)
    try:
        META.create_all(engine, tables=[META.tables["voa_test"], META.tables["voa_test_daily"]])
        upgrade(engine)  # the schema upgrade makes the kind's change counter
        yield engine
    finally:
        unregister(VOA.name)
        META.drop_all(engine, tables=[META.tables["voa_test_daily"], META.tables["voa_test"]])


@pytest.fixture
def voa(engine):
    with registered(engine):
        yield engine


@pytest.fixture
def voa_sqlite(sqlite_engine):
    with registered(sqlite_engine):
        yield sqlite_engine


def by_day(engine, f=NOVEMBER) -> list[tuple]:
    return list(kind_queries.totals(engine, "voa_test", f).itertuples(index=False, name=None))


def test_a_kind_from_the_registry_alone_imports_rolls_up_undoes_and_answers_page_queries(voa):
    engine = voa
    assert versions(engine)["voa_test"] == 0

    first = import_file(engine, FILE, "voa.csv", "voa_test")
    assert (first.status, first.rows_imported, first.rows_rejected) == ("imported", 4, 0)
    assert versions(engine)["voa_test"] == 1
    assert by_day(engine) == [(D1, 15, 2), (D2, 7, 1), (D3, 4, 1)]
    by_regency = kind_queries.totals(engine, "voa_test", NOVEMBER, by="regency_code")
    assert list(by_regency.itertuples(index=False, name=None)) == [
        ("52.01", 9, 2),
        ("52.71", 17, 2),
    ]
    assert by_day(
        engine, Filters(NOVEMBER.start, NOVEMBER.end, NOVEMBER.as_of, regencies=("52.71",))
    ) == [(D1, 10, 1), (D2, 7, 1)]
    rows = kind_queries.rows(engine, "voa_test", NOVEMBER)
    assert list(rows.itertuples(index=False, name=None)) == [
        ("2024-11-03|52.01|AUS", D3, "52.01", "AUS", 4),
        ("2024-11-02|52.71|MYS", D2, "52.71", "MYS", 7),
        ("2024-11-01|52.01|AUS", D1, "52.01", "AUS", 5),
        ("2024-11-01|52.71|AUS", D1, "52.71", "AUS", 10),
    ]

    # A corrected figure for the same day, regency and nationality replaces the old one.
    fix = import_file(
        engine,
        b"tanggal,kabupaten_kota,kewarganegaraan,jumlah\n01/11/2024,Kota Mataram,AUS,12\n",
        "voa_fix.csv",
        "voa_test",
    )
    assert (fix.status, fix.rows_imported, fix.rows_updated) == ("imported", 1, 1)
    assert by_day(engine) == [(D1, 17, 2), (D2, 7, 1), (D3, 4, 1)]
    assert import_file(engine, FILE, "voa.csv", "voa_test").status == "already_imported"
    assert versions(engine)["voa_test"] == 2

    undo_batch(engine, fix.batch_id, "admin")
    assert by_day(engine) == [(D1, 15, 2), (D2, 7, 1), (D3, 4, 1)]
    assert versions(engine) == {
        "presence": 0,
        "incidents": 0,
        "crossings": 0,
        "voters": 0,
        "alerts": 0,
        "voa_test": 3,
    }

    template = template_frame("voa_test")
    assert list(template.columns) == ["tanggal", "kabupaten_kota", "kewarganegaraan", "jumlah"]
    assert template.iloc[0].tolist() == ["01/11/2024", "Kota Mataram", "AUS", "10"]


def test_a_missing_counter_row_fails_the_import_loudly_and_stores_nothing(voa):
    engine = voa
    with write_tx(engine) as conn:
        conn.execute(delete(ChangeCounter).where(ChangeCounter.scope == "voa_test"))
    with pytest.raises(UnknownScope, match="'voa_test': its row is missing"):
        import_file(engine, FILE, "voa.csv", "voa_test")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM voa_test")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM upload_batch")).scalar() == 0
    upgrade(engine)  # idempotent: makes the missing row again, leaves the others as they are
    assert versions(engine)["voa_test"] == 0
    assert import_file(engine, FILE, "voa.csv", "voa_test").rows_imported == 4
    assert versions(engine)["voa_test"] == 1


def test_counters_are_one_per_registered_kind_and_an_unknown_scope_raises(engine):
    assert versions(engine) == {
        "presence": 0,
        "incidents": 0,
        "crossings": 0,
        "voters": 0,
        "alerts": 0,
    }
    with write_tx(engine) as conn, pytest.raises(UnknownScope, match="'incident': not registered"):
        bump(conn, "incident")  # a typo used to update no row, silently
    assert versions(engine) == {
        "presence": 0,
        "incidents": 0,
        "crossings": 0,
        "voters": 0,
        "alerts": 0,
    }


def test_a_kind_is_checked_when_registered():
    with pytest.raises(ValueError, match="registered already"):
        register(VOA.__class__(**{**VOA.__dict__, "name": "presence"}))
    with pytest.raises(ValueError, match="no contract column passport_no"):
        register(
            VOA.__class__(
                **{**VOA.__dict__, "name": "voa_bad", "stored": (Stored("x", "passport_no"),)}
            )
        )
    with pytest.raises(ValueError, match="at most 16 characters"):
        register(VOA.__class__(**{**VOA.__dict__, "name": "visa_on_arrival_counts"}))


def test_the_kinds_page_cache_follows_its_own_counter(voa_sqlite, monkeypatch):
    """ui.data.kind_q caches a kind's page query under that kind's counter alone: an import of it
    shows at once, an import of another kind leaves its cached answer in place."""
    from tests.unit.test_import import presence_file
    from ui import auth, data

    # A province-wide analyst is signed in (the caches read only what the account may see).
    monkeypatch.setattr(
        auth, "current_user", lambda: {"name": "ana", "role": "analyst", "office": None}
    )
    monkeypatch.setenv("NTB_DB_URL", voa_sqlite.url.render_as_string(hide_password=False))
    data._kind_cached.clear()
    assert data.kind_q("totals", "voa_test", NOVEMBER).empty
    import_file(voa_sqlite, FILE, "voa.csv", "voa_test")
    assert list(data.kind_q("totals", "voa_test", NOVEMBER)["persons"]) == [15, 7, 4]
    key = data._key(("voa_test",))
    import_file(voa_sqlite, presence_file(5), "p.csv", "presence")
    assert data._key(("voa_test",)) == key
    assert list(data.kind_q("totals", "voa_test", NOVEMBER)["persons"]) == [15, 7, 4]
