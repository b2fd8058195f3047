"""Issue 21, "also seen": secure_delete was left to the SQLite build. The app sets it on every
connection, so a deleted value does not stay readable in the file's free pages. The connections
here start with it OFF (as some builds have it; this machine's Python builds it ON), so the tests
see what the app does, not what the build does."""

from __future__ import annotations

import sqlite3

from sqlalchemy import text

from storage.engine import make_engine


def engine_on_connections_with_secure_delete_off(path):
    def connect():
        conn = sqlite3.connect(path, check_same_thread=False)
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    return make_engine(f"sqlite:///{path}", creator=connect)


def test_every_connection_has_secure_delete_on(tmp_path):
    engine = engine_on_connections_with_secure_delete_off(tmp_path / "a.sqlite")
    try:
        values = []
        for _ in range(2):  # a fresh connection each time
            with engine.connect() as conn:
                values.append(conn.exec_driver_sql("PRAGMA secure_delete").scalar())
            engine.dispose()
        assert values == [1, 1]
    finally:
        engine.dispose()


def test_a_deleted_value_is_gone_from_the_file(tmp_path):
    path = tmp_path / "b.sqlite"
    engine = engine_on_connections_with_secure_delete_off(path)
    marker = "PASPOR-RAHASIA-" + "7" * 40
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (v TEXT)"))
            conn.execute(text("INSERT INTO t VALUES (:v)"), {"v": marker})
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM t"))
    finally:
        engine.dispose()  # the last connection closing checkpoints the WAL into the file
    assert [p.name for p in tmp_path.iterdir()] == ["b.sqlite"]
    assert marker.encode() not in path.read_bytes()
