"""The import path end to end on real databases (SQLite file and PostgreSQL): exact counts,
idempotence, updates by sender id, all-or-nothing, injected failures, undo, and no clear
passport number anywhere on disk."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from sqlalchemy import event, func, select, text

from loaders.pipeline import commit, import_file, prepare
from storage import imports
from storage.imports import InjectedFailure, undo_batch
from storage.models import BatchError, Incident, Presence, PresenceDaily, UploadBatch
from tests.conftest import index_definitions, pg_table_files

HEADER = "no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;no_paspor;jumlah_orang\n"


def presence_file(
    n: int = 10, start: int = 0, persons: int = 1, changed: set[int] = frozenset()
) -> bytes:
    rows = []
    for i in range(start, start + n):
        act = "bisnis" if i in changed else "wisata"
        rows.append(
            f"R{i:04d};{(i % 28) + 1:02d}/11/2024;Lobar;NA;VOA;{act};00{i:06d}X;{persons}\n"
        )
    return (HEADER + "".join(rows)).encode()


def count(engine, model, active_only=True) -> int:
    stmt = select(func.count()).select_from(model)
    if active_only and hasattr(model, "replaced_by_batch"):
        stmt = stmt.where(model.replaced_by_batch.is_(None))
    with engine.connect() as conn:
        return conn.scalar(stmt)


def snapshot(engine) -> dict:
    """Checksum of every table's content (ordered), to prove a rejected file changed nothing."""
    out = {}
    with engine.connect() as conn:
        for table in (
            "upload_batch",
            "batch_error",
            "presence",
            "incident",
            "crossing",
            "presence_daily",
            "incident_daily",
            "crossing_daily",
            "audit_event",
        ):
            rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY 1")).fetchall()
            out[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def test_valid_file_imports_every_row_and_its_rollup(engine):
    res = import_file(engine, presence_file(10, persons=2), "a.csv", "presence")
    assert (res.status, res.rows_read, res.rows_imported, res.rows_rejected, res.exit_code) == (
        "imported",
        10,
        10,
        0,
        0,
    )
    assert count(engine, Presence) == 10
    with engine.connect() as conn:
        assert conn.scalar(select(func.sum(PresenceDaily.persons))) == 20
        nat = conn.scalar(select(Presence.nationality).limit(1))
    assert nat == "NAM"  # 'NA' is Namibia, never missing


def test_same_file_twice_adds_nothing(engine):
    data = presence_file(10)
    first = import_file(engine, data, "a.csv", "presence")
    again = import_file(engine, data, "a-copy.csv", "presence")
    assert again.status == "already_imported" and again.rows_imported == 0
    assert again.already_imported_batch == first.batch_id
    assert count(engine, Presence) == 10
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(UploadBatch)) == 1


def test_edited_copy_updates_five_rows_and_keeps_the_total(engine):
    import_file(engine, presence_file(20), "a.csv", "presence")
    res = import_file(
        engine, presence_file(20, changed={1, 4, 7, 9, 15}), "a-edited.csv", "presence"
    )
    assert (res.rows_imported, res.rows_updated, res.duplicates) == (5, 5, 15)
    assert count(engine, Presence) == 20
    with engine.connect() as conn:
        acts = (
            conn.execute(
                select(Presence.record_id)
                .where(Presence.replaced_by_batch.is_(None), Presence.activity == "bisnis")
                .order_by(Presence.record_id)
            )
            .scalars()
            .all()
        )
        assert acts == ["R0001", "R0004", "R0007", "R0009", "R0015"]
        assert conn.scalar(select(func.sum(PresenceDaily.reports))) == 20


def test_undo_restores_the_replaced_rows(engine):
    import_file(engine, presence_file(20), "a.csv", "presence")
    res = import_file(engine, presence_file(20, changed={1, 2}), "b.csv", "presence")
    assert undo_batch(engine, res.batch_id, "admin") == {"removed": 2, "restored": 2}
    assert count(engine, Presence) == 20
    with engine.connect() as conn:
        assert (
            conn.scalar(
                select(func.count()).select_from(Presence).where(Presence.activity == "bisnis")
            )
            == 0
        )
        assert conn.scalar(select(func.sum(PresenceDaily.reports))) == 20
        assert (
            conn.scalar(select(UploadBatch.status).where(UploadBatch.id == res.batch_id))
            == "undone"
        )


def test_undoing_most_of_a_table_sets_its_indexes_aside_and_builds_them_again(engine, monkeypatch):
    """A batch of at least half the table is removed with the indexes dropped and made again over
    what stays (one sort instead of finding and removing each entry), in the same transaction."""
    import_file(engine, presence_file(20), "a.csv", "presence")
    before = index_definitions(engine, "presence")
    big = import_file(engine, presence_file(30, start=100), "c.csv", "presence")
    dropped = []
    real = imports._indexes_set_aside

    def spy(conn, table_name, rows, worth=None, up_to=1):
        dropped.append((table_name, rows, worth))
        return real(conn, table_name, rows, worth, up_to)

    monkeypatch.setattr(imports, "_indexes_set_aside", spy)
    assert undo_batch(engine, big.batch_id, "admin") == {"removed": 30, "restored": 0}
    assert dropped == [("presence", 30, True)]  # 30 of 50 rows
    assert index_definitions(engine, "presence") == before and len(before) >= 4
    assert count(engine, Presence) == 20
    with engine.connect() as conn:
        assert conn.scalar(select(func.sum(PresenceDaily.reports))) == 20
    # a batch of less than half the table keeps the indexes in place
    small = import_file(engine, presence_file(5, start=200), "d.csv", "presence")
    undo_batch(engine, small.batch_id, "admin")
    assert dropped[-1] == ("presence", 5, False) and index_definitions(engine, "presence") == before


def bad_file() -> bytes:
    return (
        HEADER
        + "R1;27/11/2024;Lobar;AUS;VOA;wisata;A1234567;1\n"
        + "R2;31/02/2024;Lobar;AUS;VOA;wisata;A7654321;1\n"  # line 3: impossible date
        + "R3;27/11/2024;Atlantis;AUS;VOA;wisata;B1234567;1\n"  # line 4: unknown regency
        + "R4;27/11/2024;Loteng;XX;VOA;wisata;C1234567;1\n"
    ).encode()  # line 5: unknown nationality


def test_partial_import_keeps_valid_rows_and_reports_every_error(engine):
    res = import_file(engine, bad_file(), "bad.csv", "presence", mode="partial")
    assert (res.status, res.rows_imported, res.rows_rejected, res.exit_code) == ("partial", 1, 3, 1)
    assert [(e.line, e.column, e.code) for e in res.errors] == [
        (3, "report_date", "bad_date"),
        (4, "regency", "unknown_regency"),
        (5, "nationality", "unknown_nationality"),
    ]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(BatchError)) == 3


def test_all_or_nothing_leaves_the_database_exactly_as_it_was(engine):
    import_file(engine, presence_file(5), "a.csv", "presence")
    before = snapshot(engine)
    res = import_file(engine, bad_file(), "bad.csv", "presence", mode="all_or_nothing")
    assert (res.status, res.rows_imported, res.exit_code) == ("rejected", 0, 2)
    assert snapshot(engine) == before


@pytest.mark.parametrize("stage", ["replace", "insert", "end"])
def test_injected_failure_mid_commit_changes_nothing(engine, monkeypatch, stage):
    import_file(engine, presence_file(10), "a.csv", "presence")
    before = snapshot(engine)
    prep = prepare(
        presence_file(10, changed={2, 3}) + b"R9999;01/12/2024;KSB;AUS;ITAS;bekerja;;1\n",
        "b.csv",
        "presence",
    )
    real = imports.commit_batch
    monkeypatch.setattr(
        "loaders.pipeline.commit_batch", lambda *a, **k: real(*a, **k, fail_after=stage)
    )
    with pytest.raises(InjectedFailure):
        commit(engine, prep)
    assert snapshot(engine) == before


def test_zero_valid_rows_is_never_a_success(engine):
    data = (HEADER + "R1;31/02/2024;Atlantis;XX;ZZZ;wisata;;1\n").encode()
    res = import_file(engine, data, "x.csv", "presence", mode="partial")
    assert res.status == "rejected" and res.rows_imported == 0 and res.exit_code == 2
    assert count(engine, Presence) == 0


def test_missing_required_column_rejects_the_file(engine):
    res = import_file(
        engine, b"tanggal_laporan;kabupaten_kota\n27/11/2024;Lobar\n", "x.csv", "presence"
    )
    assert res.status == "rejected" and res.rejection.code == "missing_columns"
    assert "nationality" in res.rejection.message("en")


def test_personal_columns_are_dropped_and_reported(engine):
    data = (
        "nama;tanggal_lahir;alamat;"
        + HEADER.replace("\n", ";catatan\n")
        + "John Smith;01/01/1980;Jl. Pantai 1;R1;27/11/2024;KLU;GBR;VOA;wisata;A1234567;1;x\n"
    ).encode()
    res = import_file(engine, data, "p.csv", "presence")
    assert res.rows_imported == 1
    assert res.dropped_personal == ["nama", "tanggal_lahir", "alamat"]
    assert res.dropped_columns == ["catatan"]
    assert "nama, tanggal_lahir, alamat" in res.summary("id")


def test_incidents_derive_the_responsible_agency(engine):
    data = (
        b"tanggal_kejadian,kabupaten_kota,kategori,tingkat,no_kejadian,instansi_penindak,terkait_pilkada\n"
        b"25/11/2024,Kota Mataram,kegiatan_politik,tinggi,K1,,ya\n"
        b"25/11/2024,KSB,pertambangan_ilegal,3,K2,,tidak\n"
        b"25/11/2024,Lobar,overstay,2,K3,,\n"
        b"25/11/2024,Lobar,bekerja_tanpa_izin,2,K4,Disnakertrans,\n"
    )
    res = import_file(engine, data, "i.csv", "incidents")
    assert res.rows_imported == 4
    with engine.connect() as conn:
        got = dict(conn.execute(select(Incident.record_id, Incident.responsible_agency)).all())
        sev = dict(conn.execute(select(Incident.record_id, Incident.severity)).all())
        el = dict(conn.execute(select(Incident.record_id, Incident.election_related)).all())
    # lead agencies (docs/domain-facts.md, Who acts); a sender's own agency is kept
    assert got == {"K1": "Bawaslu NTB", "K2": "Polda NTB", "K3": "Imigrasi", "K4": "Disnakertrans"}
    assert sev == {"K1": 4, "K2": 3, "K3": 2, "K4": 2}
    assert el == {"K1": True, "K2": False, "K3": False, "K4": False}


def test_resent_ids_in_mixed_case_are_replaced_not_duplicated(engine):
    """The import skips its id lookup when no stored id lies between the file's smallest and
    largest id (Python's order: bytes). Under a language collation 'B5' sorts after 'a1' and the
    range would be empty; the ids are compared in byte order on both engines (migration 0010)."""
    first = (
        HEADER + "Z9;01/11/2024;Lobar;AUS;VOA;wisata;;1\na1;01/11/2024;Lobar;AUS;VOA;wisata;;1\n"
    ).encode()
    again = (
        HEADER + "a1;01/11/2024;Lobar;AUS;VOA;bisnis;;1\nB5;01/11/2024;Lobar;AUS;VOA;wisata;;1\n"
    ).encode()
    import_file(engine, first, "a.csv", "presence")
    res = import_file(engine, again, "b.csv", "presence")
    assert (res.rows_imported, res.rows_updated) == (2, 1)  # a1 replaced, B5 new
    with engine.connect() as conn:
        active = conn.execute(
            select(Presence.record_id, Presence.activity)
            .where(Presence.replaced_by_batch.is_(None))
            .order_by(Presence.record_id)
        ).all()
    assert active == [
        ("B5", "wisata"),
        ("Z9", "wisata"),
        ("a1", "bisnis"),
    ]  # byte order on both engines


def test_crossings_resent_figure_replaces_the_old_one(engine):
    a = b"tanggal,tpi,arah,kewarganegaraan,jumlah\n01/11/2024,lop_lombok_airport,datang,MYS,100\n01/11/2024,lop_lombok_airport,datang,,50\n"
    b = b"date,port,direction,nationality,count\n2024-11-01,lop_lombok_airport,arrival,Malaysia,120\n"
    import_file(engine, a, "a.csv", "crossings")
    res = import_file(engine, b, "b.csv", "crossings")
    assert (res.rows_imported, res.rows_updated) == (1, 1)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT persons FROM crossing_daily")) == 170


def test_no_clear_passport_number_on_disk(sqlite_engine, sqlite_url, tmp_path):
    passports = ["X9Q7W2E5R8", "007123456"]
    data = (
        HEADER
        + f"R1;27/11/2024;Lobar;AUS;VOA;wisata;{passports[0]};1\n"
        + f"R2;31/02/2024;Lobar;AUS;VOA;wisata;{passports[1]};1\n"
    ).encode()
    res = import_file(sqlite_engine, data, "p.csv", "presence", mode="partial")
    assert res.rows_imported == 1
    report = json.dumps(res.to_json("en"))
    assert [(e.line, e.column, e.value) for e in res.errors] == [(3, "report_date", "31/02/2024")]
    sqlite_engine.dispose()
    blobs = report.encode()
    for path in tmp_path.iterdir():
        if path.name.startswith("test.sqlite"):
            blobs += path.read_bytes()
    for p in passports:
        assert p.encode() not in blobs
        assert p.encode("utf-16-le") not in blobs


def test_every_rollup_level_matches_the_active_rows_after_inserts_updates_and_undo(engine):
    import_file(engine, presence_file(40, persons=2), "a.csv", "presence")
    res = import_file(engine, presence_file(40, changed={1, 2, 3}), "b.csv", "presence")
    import_file(engine, presence_file(20, start=100), "c.csv", "presence")
    undo_batch(engine, res.batch_id, "admin")
    import_file(engine, presence_file(10, start=200, persons=3), "d.csv", "presence")
    with engine.connect() as conn:
        assert_rollups_match(
            conn, "presence", "presence", "report_date", "sum(person_count), count(*)"
        )
        assert (
            conn.execute(text("SELECT sum(persons) FROM presence_regency_daily")).scalar()
            == 40 * 2 + 20 + 30
        )


def test_incident_rollups_match_the_active_rows(engine):
    rows = "".join(
        f"2{i % 9 + 1}/11/2024,{['Lobar', 'KLU', 'Kota Bima'][i % 3]},{['overstay', 'lainnya'][i % 2]},"
        f"{i % 5 + 1},K{i},{['ya', 'tidak'][i % 2]},{['baru', 'selesai'][i % 2]}\n"
        for i in range(30)
    )
    head = "tanggal_kejadian,kabupaten_kota,kategori,tingkat,no_kejadian,terkait_pilkada,status\n"
    import_file(engine, (head + rows).encode(), "i.csv", "incidents")
    import_file(engine, (head + rows.replace(",baru", ",ditelaah")).encode(), "i2.csv", "incidents")
    with engine.connect() as conn:
        assert_rollups_match(
            conn, "incidents", "incident", "incident_date", "count(*), sum(persons)"
        )


def assert_rollups_match(conn, kind: str, source: str, date_col: str, sums: str) -> None:
    """Every roll-up level of `kind` equals a GROUP BY of the active rows of `source` (monthly
    levels: those groups added up by the month of their day, here in Python)."""
    from collections import Counter

    from storage.rollups import ROLLUPS

    for r in ROLLUPS[kind]:
        keys = ", ".join(r.keys)
        got = conn.execute(
            text(
                f"SELECT {r.period}, {keys}, {', '.join(r.sums)} FROM {r.table} "
                f"ORDER BY {r.period}, {keys}"
            )
        ).all()
        want = conn.execute(
            text(
                f"SELECT {date_col}, {keys}, {sums} FROM {source} "
                f"WHERE replaced_by_batch IS NULL GROUP BY {date_col}, {keys} "
                f"ORDER BY {date_col}, {keys}"
            )
        ).all()
        want = [tuple(map(str, w)) for w in want]
        if r.monthly:
            totals: dict[tuple, Counter] = {}
            for w in want:
                cell = totals.setdefault((w[0][:8] + "01", *w[1 : 1 + len(r.keys)]), Counter())
                cell.update({n: int(v) for n, v in enumerate(w[1 + len(r.keys) :])})
            want = [
                (*k, *(str(c[n]) for n in range(len(r.sums)))) for k, c in sorted(totals.items())
            ]
        assert [tuple(map(str, g)) for g in got] == want, r.table
        assert len(want) > 0, f"{r.table}: nothing to compare"


def presence_without_ids(days_and_passports: list[tuple[int, int]]) -> bytes:
    """Presence rows with no sender id (no no_register column): (day of November 2024, passport)."""
    head = "tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;no_paspor;jumlah_orang\n"
    rows = [f"{d:02d}/11/2024;Lobar;AUS;VOA;wisata;P{p:07d};1\n" for d, p in days_and_passports]
    return (head + "".join(rows)).encode()


def test_rows_without_ids_already_stored_are_duplicates_on_any_date_they_span(engine):
    """A row without sender id identical to an active stored row is a duplicate, looked up among
    the stored rows of the dates the later file spans (before, inside and after the first's)."""
    first = [(10, 1), (11, 2), (12, 3), (13, 4), (14, 5), (15, 6)]
    a = import_file(engine, presence_without_ids(first), "a.csv", "presence")
    assert (a.rows_imported, a.duplicates) == (6, 0)
    b = import_file(
        engine, presence_without_ids([(12, 3), (13, 4), (9, 7), (20, 8)]), "b.csv", "presence"
    )
    assert (b.rows_imported, b.duplicates) == (2, 2)
    # the same passport on another day is another row; the 9th and 20th are now stored too
    c = import_file(
        engine,
        presence_without_ids([(9, 7), (20, 8), (10, 1), (5, 9), (11, 1)]),
        "c.csv",
        "presence",
    )
    assert (c.rows_imported, c.duplicates) == (2, 3)
    assert count(engine, Presence) == 10
    with engine.connect() as conn:
        assert conn.scalar(select(func.sum(PresenceDaily.persons))) == 10


def test_stored_fingerprints_are_read_as_the_span_of_dates_grows(engine):
    """imports._Stored reads the stored fingerprints of a span once and only the dates a later
    part adds, before or after it; the batch's own rows never count."""
    import datetime as dt

    import_file(engine, presence_without_ids([(d, d) for d in range(1, 29)]), "a.csv", "presence")
    with engine.connect() as conn:
        by_day = dict(conn.execute(select(Presence.report_date, Presence.row_hash)).all())
        batch = conn.scalar(select(func.max(UploadBatch.id)))
    day = {d: dt.date(2024, 11, d) for d in range(1, 29)}
    hashes = np.array([by_day[day[d]] for d in (5, 10, 20)] + [12345], dtype=np.int64)
    from storage.tables import table

    with engine.connect() as conn:
        stored = imports._Stored(conn, "presence", table(conn, "presence"), batch + 1)
        assert stored.holds(day[10], day[10], hashes).tolist() == [False, True, False, False]
        assert len(stored._hashes) == 1
        assert stored.holds(day[5], day[20], hashes).tolist() == [True, True, True, False]
        assert len(stored._hashes) == 16  # the 5th to the 20th, each read once
        assert stored.holds(day[1], day[28], hashes[:0]).tolist() == []
        assert len(stored._hashes) == 28
        own = imports._Stored(conn, "presence", table(conn, "presence"), batch)
        assert own.holds(day[1], day[28], hashes).tolist() == [False] * 4
        # dates the daily roll-up holds nothing for: the rows are not read at all
        statements = []
        event.listen(conn, "before_cursor_execute", lambda *a: statements.append(a[2]))
        later = imports._Stored(conn, "presence", table(conn, "presence"), batch + 1)
        assert (
            later.holds(dt.date(2024, 12, 1), dt.date(2024, 12, 9), hashes).tolist() == [False] * 4
        )
        assert len(statements) == 1 and "FROM presence_regency_daily" in statements[0]
        assert (
            later.holds(dt.date(2024, 11, 28), dt.date(2024, 12, 9), hashes).tolist() == [False] * 4
        )
        assert len(later._hashes) == 1 and "FROM presence " in statements[-1]  # the 28th's


def test_an_undo_waits_out_an_older_snapshot_before_its_rows_leave_the_files(engine, caplog):
    """PostgreSQL: VACUUM FULL keeps deleted rows a snapshot older than the undo may still see.
    While another session holds one (here for 0.6 s), the undo rewrites the table again until
    none is kept: afterwards no pseudonym of the undone rows is in the files of the table or its
    indexes (read by the server after a checkpoint)."""
    import threading

    import psycopg

    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite zeroes deleted rows in place (secure_delete)")
    res = import_file(engine, presence_file(40), "a.csv", "presence")
    with engine.connect() as conn:
        pseudonyms = [h.encode() for h in conn.scalars(select(Presence.passport_hash))]
    assert len(pseudonyms) == 40
    assert all(h in pg_table_files(engine, "presence") for h in pseudonyms)  # the search finds them
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    older = psycopg.connect(url, autocommit=True)  # the BEGIN below is its own
    older.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    older.execute("SELECT 1").fetchone()  # its snapshot, and no lock the undo waits for
    threading.Timer(0.6, older.execute, ("ROLLBACK",)).start()
    try:
        assert undo_batch(engine, res.batch_id, "admin") == {"removed": 40, "restored": 0}
    finally:
        older.close()
    files = pg_table_files(engine, "presence")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'presence'")) == 0
        names = conn.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'presence'"))
        assert len(["presence", *names]) >= 4
    assert not [h for h in pseudonyms if h in files]
    assert "still in its files" not in caplog.text
