"""Two concurrent 50,000-row uploads while 20 readers query the dashboard's aggregates every
10 ms: no error, exactly 100,000 rows, both batches recorded — on SQLite and PostgreSQL. With
writers forced to deferred transactions the same test fails on SQLite (it can see the bug)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time

import pytest
from sqlalchemy import func, select

from domain.filters import Filters
from loaders.pipeline import commit, prepare
from loaders.reader import Limits
from storage import engine as engine_mod
from storage import queries
from storage.engine import make_engine
from storage.models import Presence, UploadBatch
from storage.schema import upgrade

ROWS = 50_000
HEADER = "no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;no_paspor;jumlah_orang\n"
REGS = ["52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71", "52.72"]


def big_file(tag: str) -> bytes:
    lines = [
        f"{tag}{i:06d};{(i % 28) + 1:02d}/11/2024;{REGS[i % 10]};AUS;VOA;wisata;{tag}{i:07d};1\n"
        for i in range(ROWS)
    ]
    return (HEADER + "".join(lines)).encode()


def run_race(engine) -> dict:
    preps = [prepare(big_file(tag), f"{tag}.csv", "presence", Limits()) for tag in ("A", "B")]
    f = Filters(dt.date(2024, 11, 1), dt.date(2024, 11, 30), dt.date(2024, 11, 30))
    errors: list[str] = []
    reads = [0]
    stop = threading.Event()
    barrier = threading.Barrier(2)

    def writer(prep):
        barrier.wait()
        try:
            commit(engine, prep, "all_or_nothing", user="race")
        except Exception as exc:  # noqa: BLE001 - the test counts every failure
            errors.append(f"writer: {exc.__class__.__name__}: {str(exc)[:120]}")

    def reader():
        while not stop.is_set():
            try:
                queries.regency_table(engine, f)
                reads[0] += 1
            except Exception as exc:  # noqa: BLE001
                errors.append(f"reader: {exc.__class__.__name__}: {str(exc)[:120]}")
            time.sleep(0.01)

    readers = [threading.Thread(target=reader) for _ in range(20)]
    writers = [threading.Thread(target=writer, args=(p,)) for p in preps]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(timeout=300)
    stop.set()
    for t in readers:
        t.join(timeout=30)
    with engine.connect() as conn:
        rows = conn.scalar(select(func.count()).select_from(Presence))
        batches = conn.scalar(select(func.count()).select_from(UploadBatch))
    return {"errors": errors, "rows": rows, "batches": batches, "reads": reads[0]}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def race_engine(request, tmp_path, pg_database):
    url = f"sqlite:///{tmp_path / 'race.sqlite'}" if request.param == "sqlite" else pg_database()
    eng = make_engine(url, pool_size=25, max_overflow=5)
    upgrade(eng)
    yield eng
    eng.dispose()


def test_concurrent_uploads_lose_nothing(race_engine):
    got = run_race(race_engine)
    assert got["errors"] == []
    assert (got["rows"], got["batches"]) == (100_000, 2)
    assert got["reads"] > 20


def test_deferred_writers_lose_an_upload_on_sqlite(tmp_path, monkeypatch):
    """The control: BEGIN DEFERRED instead of IMMEDIATE. One writer's read snapshot goes stale
    before it can write, SQLite refuses ("database is locked") and that upload is lost."""

    @contextlib.contextmanager
    def deferred_write_tx(engine):
        with engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="DEFERRED")
            with conn.begin():
                yield conn

    monkeypatch.setattr(engine_mod, "write_tx", deferred_write_tx)
    monkeypatch.setattr("storage.imports.write_tx", deferred_write_tx)
    eng = make_engine(f"sqlite:///{tmp_path / 'deferred.sqlite'}", pool_size=25, max_overflow=5)
    upgrade(eng)
    got = run_race(eng)
    assert any("database is locked" in e for e in got["errors"]), got["errors"]
    assert got["rows"] < 100_000 and got["batches"] < 2, got  # at least one upload lost


def test_the_same_file_sent_twice_at_once_lands_once(race_engine):
    """Two analysts send the same file in the same second: one batch, the other told it is
    already imported (the check runs inside the writers' lock on both engines)."""
    prep = prepare(big_file("S"), "same.csv", "presence", Limits())
    barrier = threading.Barrier(2)
    results = []

    def writer():
        barrier.wait()
        results.append(commit(race_engine, prep, "partial", user="twice").status)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert sorted(results) == ["already_imported", "imported"]
    with race_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Presence)) == ROWS
        assert conn.scalar(select(func.count()).select_from(UploadBatch)) == 1
