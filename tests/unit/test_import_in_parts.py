"""A large voter list is imported in parts (loaders.pipeline.PART_ROWS): the database stores one
part while the next is validated and hashed. Every test imports the same file whole into one
fresh database and in parts into another, on both engines, and the two must hold the same rows,
ids, roll-ups, batch record, error report and audit event, with the same result; a bad row in an
all-or-nothing file, a failure on either side, or a file with no valid row leave nothing."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from sqlalchemy import text

import loaders.pipeline as pipeline
from loaders.pipeline import import_file
from storage import imports, rollups
from tests.conftest import fresh_engine, index_definitions, pg_leaves

HEADER = "nik;nama;kabupaten_kota;kecamatan;desa_kelurahan;tps;jenis_daftar;tanggal_daftar"
PART = 7  # rows per part in these tests: 40 rows are 6 parts


def voters(n: int = 40, start: int = 0, bad: dict | None = None, day: str = "22/09/2024") -> bytes:
    """n voters of Lombok Barat and Kota Mataram (a name column too: dropped and reported);
    `bad`: row number (0-based) -> the line as written instead."""
    rows = [HEADER]
    for i in range(start, start + n):
        reg, code = ("Lombok Barat", "5201") if i % 2 == 0 else ("Kota Mataram", "5271")
        nik = f"{code}{i * 7919 % 10**12:012d}"
        if i % 5 == 0:
            nik = f"{nik[:4]}.{nik[4:8]}.{nik[8:12]}.{nik[12:]}"  # dots: read as 16 digits
        rows.append(f"{nik};Nama {i};{reg};Kec {i % 3};;{i % 4 + 1};DPT;{day}")
    for i, line in (bad or {}).items():
        rows[1 + i - start] = line
    return ("\n".join(rows) + "\n").encode()


BAD = {
    3: "520100000000123;Nama 3;Lombok Barat;;;1;DPT;22/09/2024",  # 15 digits
    11: "5271ABCD00000011;Nama 11;Kota Mataram;;;2;DPT;22/09/2024",  # letters
    19: "5271000000000019;Nama 19;Kota Mataram;;;;DPT;22/09/2024",  # no polling station
    30: "5201000000000030;Nama 30;Lombok Barat;;;3;DPT;31/09/2024",  # no such date
    39: "5271000000000039;Nama 39;Atlantis;;;4;DPT;22/09/2024",  # no such regency
}
CODES = {3: "bad_nik", 11: "bad_nik", 19: "required", 30: "bad_date", 39: "unknown_regency"}
# rows 4 and 16 (parts 1 and 3) are the same voter twice: a file's own repeats are all stored
TWICE = {16: voters(1, start=4).decode().splitlines()[1]}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def whole_and_parts(request, databases, tmp_path):
    """Two fresh databases of one engine: the first for whole files, the second for parts."""
    made = []
    for name in ("whole", "parts"):
        (tmp_path / name).mkdir()
        made.append(fresh_engine(databases, request.param, tmp_path / name))
    yield tuple(next(m) for m in made)
    for m in made:
        next(m, None)


def both(engines, monkeypatch, data: bytes, name: str = "dpt.csv", **kw):
    """The file imported whole into the first database and in parts into the second."""
    whole, parts = engines
    monkeypatch.setattr(pipeline, "PART_ROWS", 10**9)
    a = import_file(whole, data, name, "voters", **kw)
    monkeypatch.setattr(pipeline, "PART_ROWS", PART)
    b = import_file(parts, data, name, "voters", **kw)
    return a, b


def stored(engine) -> dict:
    """Everything an import writes, without the clock's times."""
    queries = {
        "voter_list": "SELECT id, batch_id, replaced_by_batch, record_id, row_hash, list_date, "
        "regency_code, list_name, tps, nik_hash, nik_key, kecamatan, village FROM voter_list",
        "voter_list_daily": "SELECT day, regency_code, list_name, voters FROM voter_list_daily",
        "upload_batch": "SELECT id, kind, file_name, file_sha256, mode, rows_read, rows_imported, "
        "rows_updated, rows_rejected, duplicates, dropped_columns, status FROM upload_batch",
        "batch_error": 'SELECT batch_id, line, "column", value, code, level FROM batch_error',
        "audit_event": "SELECT actor, action, target, detail FROM audit_event "
        "WHERE action = 'upload'",
    }
    with engine.connect() as conn:
        return {
            name: sorted(
                (tuple(_plain(v) for v in row) for row in rows),
                key=repr,
            )
            for name, rows in (
                (name, conn.execute(text(q)).fetchall()) for name, q in queries.items()
            )
        }


def _plain(value):
    """bytea as bytes, dates as ISO text (SQLite's raw queries give text)."""
    if isinstance(value, memoryview):
        return bytes(value)
    return value.isoformat() if isinstance(value, dt.date) else value


def indexes(engine) -> list[str]:
    return index_definitions(engine, "voter_list")


def test_a_list_in_parts_stores_what_the_whole_list_stores(whole_and_parts, monkeypatch):
    a, b = both(whole_and_parts, monkeypatch, voters(bad=BAD | TWICE), mode="partial")
    assert a.to_json() == b.to_json()
    assert (b.status, b.rows_read, b.rows_imported, b.rows_rejected, b.duplicates) == (
        "partial",
        40,
        35,
        5,
        0,
    )
    assert [(e.line, e.column, e.code) for e in b.errors] == [
        (5, "nik", "bad_nik"),
        (13, "nik", "bad_nik"),
        (21, "tps", "required"),
        (32, "list_date", "bad_date"),
        (41, "regency", "unknown_regency"),
    ]
    assert b.dropped_personal == ["nama"]
    whole, parts = whole_and_parts
    assert stored(whole) == stored(parts)
    got = stored(parts)
    assert len(got["voter_list"]) == 35 and len({r[4] for r in got["voter_list"]}) == 34
    assert sorted(r[0] for r in got["voter_list"]) == list(range(1, 36))
    assert got["voter_list_daily"] == [
        ("2024-09-22", "52.01", "DPT", 19),
        ("2024-09-22", "52.71", "DPT", 16),
    ]
    assert got["upload_batch"][0][5:11] == (40, 35, 0, 5, 0, '["nama"]')
    assert len(got["batch_error"]) == 5
    assert json.loads(got["audit_event"][0][3])["rows_imported"] == 35
    assert indexes(whole) == indexes(parts)  # set aside and built again as they were


def test_a_later_list_drops_the_voters_stored_before_as_duplicates(whole_and_parts, monkeypatch):
    both(whole_and_parts, monkeypatch, voters(20), "dps.csv")
    # the same day again: 20 voters stored already (one part and a half), 20 new, in 6 parts
    a, b = both(whole_and_parts, monkeypatch, voters(40), "dps_fixed.csv")
    assert a.to_json() == b.to_json()
    assert (b.status, b.rows_imported, b.duplicates) == ("imported", 20, 20)
    assert stored(whole_and_parts[0]) == stored(whole_and_parts[1])
    assert stored(whole_and_parts[1])["voter_list_daily"] == [
        ("2024-09-22", "52.01", "DPT", 20),
        ("2024-09-22", "52.71", "DPT", 20),
    ]


def test_the_same_file_twice_is_already_imported(whole_and_parts, monkeypatch):
    both(whole_and_parts, monkeypatch, voters(30))
    a, b = both(whole_and_parts, monkeypatch, voters(30))
    assert a.to_json() == b.to_json()
    assert (b.status, b.already_imported_batch, b.duplicates) == ("already_imported", 1, 30)
    assert len(stored(whole_and_parts[1])["upload_batch"]) == 1


@pytest.mark.parametrize("bad", [{39: BAD[39]}, {3: BAD[3], 39: BAD[39]}], ids=["last", "first"])
def test_a_bad_row_in_an_all_or_nothing_list_leaves_nothing(whole_and_parts, monkeypatch, bad):
    a, b = both(whole_and_parts, monkeypatch, voters(bad=bad), mode="all_or_nothing")
    assert a.to_json() == b.to_json()
    assert (b.status, b.rows_imported, b.rejection.code, b.exit_code) == (
        "rejected",
        0,
        "rejected_all_or_nothing",
        2,
    )
    # given up at the first part's bad row, the later parts are still checked: every error listed
    assert [(e.line, e.code) for e in b.errors] == [(i + 2, CODES[i]) for i in sorted(bad)]
    empty = {"voter_list": [], "voter_list_daily": [], "upload_batch": [], "batch_error": []}
    assert {k: v for k, v in stored(whole_and_parts[1]).items() if k in empty} == empty
    assert indexes(whole_and_parts[0]) == indexes(whole_and_parts[1])


def test_a_list_without_a_valid_row_is_rejected(whole_and_parts, monkeypatch):
    every_row_bad = {i: "123;N;Lombok Barat;;;1;DPT;22/09/2024" for i in range(10)}
    a, b = both(whole_and_parts, monkeypatch, voters(10, bad=every_row_bad), mode="partial")
    assert a.to_json() == b.to_json()
    assert (b.status, b.rows_rejected, b.rejection.code) == ("rejected", 10, "no_valid_rows")
    assert stored(whole_and_parts[1])["upload_batch"] == []


def test_a_failure_while_writing_leaves_nothing(whole_and_parts, monkeypatch):
    parts = whole_and_parts[1]
    import_file(parts, voters(10, start=100), "earlier.csv", "voters")
    before = stored(parts)
    real = imports.commit_parts
    monkeypatch.setattr(
        pipeline, "commit_parts", lambda *a, **k: real(*a, **k, fail_after="insert")
    )
    monkeypatch.setattr(pipeline, "PART_ROWS", PART)
    with pytest.raises(imports.InjectedFailure):
        import_file(parts, voters(40), "dpt.csv", "voters")
    assert stored(parts) == before
    assert indexes(parts) == indexes(whole_and_parts[0])


def test_a_failure_while_preparing_a_later_part_leaves_nothing(whole_and_parts, monkeypatch):
    parts = whole_and_parts[1]
    real, seen = pipeline._Table.part, []

    def third_fails(self, start, stop, scope, *more):
        seen.append(start)
        if len(seen) == 3:  # two parts are written by then, or being written
            raise MemoryError("the third part")
        return real(self, start, stop, scope, *more)

    monkeypatch.setattr(pipeline._Table, "part", third_fails)
    monkeypatch.setattr(pipeline, "PART_ROWS", PART)
    with pytest.raises(MemoryError):
        import_file(parts, voters(40), "dpt.csv", "voters")
    assert seen == [0, 7, 14]
    assert stored(parts) == stored(whole_and_parts[0])  # both empty
    assert indexes(parts) == indexes(whole_and_parts[0])


def test_roll_up_cells_of_parts_add_up_as_those_of_the_whole():
    day, other = dt.date(2024, 9, 22), dt.date(2024, 6, 20)
    parts = [
        [np.array([[day, "5201", "DPT", 3], [day, "5271", "DPT", 4]], dtype=object)],
        [np.array([[other, "5201", "DPS", 2], [day, "5201", "DPT", 5]], dtype=object)],
    ]
    (cells,) = rollups.combined("voters", parts)
    assert cells.tolist() == [
        [other, "5201", "DPS", 2],
        [day, "5201", "DPT", 8],
        [day, "5271", "DPT", 4],
    ]
    assert [type(v) for v in cells[0]] == [dt.date, str, str, int]
    assert rollups.combined("voters", parts[:1]) is parts[0]


def test_a_later_list_sets_the_indexes_aside_while_the_table_holds_up_to_8_times_its_rows(
    sqlite_engine, monkeypatch
):
    """SQLite: a list's parts are written with the table's indexes set aside, and these built
    again over every stored list, while the table holds at most LISTS_SET_ASIDE (8) times the
    list's rows; beyond that they are kept up to date row by row. Either way they come back as
    they were. (PostgreSQL: a partition per list, below.)"""
    engine = sqlite_engine
    before = indexes(engine)
    monkeypatch.setattr(pipeline, "PART_ROWS", PART)
    set_aside = []
    for name in ("_sqlite_indexes", "_pg_keys_and_indexes"):
        real = getattr(imports, name)
        monkeypatch.setattr(
            imports,
            name,
            lambda conn, table, real=real: set_aside.append(table) or real(conn, table),
        )
    results = []
    for n, start in ((70, 0), (8, 100), (10, 200)):  # 70 stored > 8 x 8; then 78 <= 8 x 10
        results.append(import_file(engine, voters(n, start=start), f"{start}.csv", "voters"))
        results[-1] = (results[-1].rows_imported, len(set_aside))
    assert imports.LISTS_SET_ASIDE == 8
    assert results == [(70, 1), (8, 1), (10, 2)]
    assert set_aside == ["voter_list", "voter_list"]
    assert indexes(engine) == before
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM voter_list")) == 88
        assert conn.scalar(text("SELECT sum(voters) FROM voter_list_daily")) == 88


def partitions_of(engine) -> list[tuple[str, int, int]]:
    """voter_list's partitions: (name, rows, indexes)."""
    with engine.connect() as conn:
        return [
            (name, conn.scalar(text(f"SELECT count(*) FROM {name}")), indexes)
            for name, indexes in pg_leaves(engine, "voter_list")
        ]


@pytest.mark.pg
def test_on_postgresql_each_list_is_a_partition_of_its_own(pg_engine, monkeypatch):
    """Migration 0022: each list is written into a table of its own, attached as its batch's
    partition with its own index (its primary key, led by nik_key: 0023); the indexes over the
    other lists are never set aside or rebuilt. A file of duplicates only, or one rolled back, leaves no table; undo drops the list's."""
    engine = pg_engine
    before = indexes(engine)
    set_aside = []
    monkeypatch.setattr(
        imports, "_pg_keys_and_indexes", lambda conn, table: set_aside.append(table) or []
    )
    monkeypatch.setattr(pipeline, "PART_ROWS", PART)
    a = import_file(engine, voters(70), "a.csv", "voters")  # in parts
    monkeypatch.setattr(pipeline, "PART_ROWS", 10**9)
    b = import_file(engine, voters(8, start=100), "b.csv", "voters")  # whole
    again = import_file(engine, voters(8, start=100) + b"\n", "b2.csv", "voters")
    assert (again.status, again.rows_imported, again.duplicates) == ("no_new_rows", 0, 8)
    assert again.batch_id is not None  # committed: its table was made, then dropped
    monkeypatch.setattr(pipeline, "PART_ROWS", PART)
    # all or nothing, the bad row in the second part: the first part was written, then undone
    failing = voters(10, start=200, bad={208: "5201;x;Lombok Barat;;;1;DPT;22/09/2024"})
    failed = import_file(engine, failing, "c.csv", "voters", mode="all_or_nothing")
    assert (failed.status, failed.rows_imported) == ("rejected", 0)
    d = import_file(engine, voters(10, start=200), "d.csv", "voters")
    assert (a.rows_imported, b.rows_imported, d.rows_imported) == (70, 8, 10)
    assert set_aside == []
    assert partitions_of(engine) == [
        (f"voter_list_batch_{a.batch_id}", 70, 1),
        (f"voter_list_batch_{b.batch_id}", 8, 1),
        (f"voter_list_batch_{d.batch_id}", 10, 1),
    ]
    assert indexes(engine) == before
    with engine.connect() as conn:  # the list's rows through the partitioned table's index
        plan = "\n".join(
            conn.execute(
                text(
                    f"EXPLAIN SELECT id FROM voter_list WHERE nik_key = 1 AND batch_id = {b.batch_id}"
                )
            ).scalars()
        )
    assert f"voter_list_batch_{b.batch_id}" in plan and f"batch_{a.batch_id}" not in plan

    assert imports.undo_batch(engine, b.batch_id, "admin") == {"removed": 8, "restored": 0}
    assert [p[1] for p in partitions_of(engine)] == [70, 10]
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM voter_list")) == 80
        assert conn.scalar(text("SELECT sum(voters) FROM voter_list_daily")) == 80
    b3 = import_file(engine, voters(8, start=100), "b3.csv", "voters")  # sent again after the undo
    assert partitions_of(engine)[-1] == (f"voter_list_batch_{b3.batch_id}", 8, 1)


@pytest.mark.pg
def test_on_postgresql_the_stored_lists_stay_readable_while_a_list_is_imported(
    pg_engine, monkeypatch
):
    """The list being imported is written into its own table: the alert rules and pages read the
    lists stored before meanwhile, without waiting for the import's transaction (setting aside
    the indexes of the one table locked it until the import committed)."""
    import threading

    engine = pg_engine
    assert import_file(engine, voters(70), "a.csv", "voters").rows_imported == 70
    monkeypatch.setattr(pipeline, "PART_ROWS", PART)
    written, checked = threading.Event(), threading.Event()
    real = imports.bulk_insert

    def pausing(*a, **k):  # after the first part of the next list: let the reader in
        real(*a, **k)
        written.set()
        checked.wait(30)

    monkeypatch.setattr(imports, "bulk_insert", pausing)
    results = []
    importing = threading.Thread(
        target=lambda: results.append(
            import_file(engine, voters(40, start=100, day="12/08/2024"), "b.csv", "voters")
        )
    )
    importing.start()
    try:
        assert written.wait(30)
        with engine.connect() as conn:
            conn.exec_driver_sql("SET lock_timeout = '2s'")
            seen = conn.exec_driver_sql("SELECT count(*) FROM voter_list").scalar()
            matched = conn.exec_driver_sql(
                "SELECT count(*) FROM voter_list WHERE nik_key = 0"
            ).scalar()
    finally:
        checked.set()
        importing.join(60)
    assert (seen, matched) == (70, 0)  # the stored list, not the one being written
    assert results[0].rows_imported == 40
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM voter_list").scalar() == 110
