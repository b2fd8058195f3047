"""Issue 21 item 5: the audit trail can be neither rewritten nor emptied, on either engine (migration
0013 on top of 0001's UPDATE/DELETE triggers). Every attempt is refused with the engine's real error
and leaves every row as it was."""

import pytest
import sqlalchemy.exc
from sqlalchemy import text

from storage.audit import record
from storage.engine import write_tx

ROWS = "select id, actor, action, target, detail from audit_event order by id"


@pytest.fixture
def trail(engine):
    with write_tx(engine) as conn:
        for i in range(3):
            record(conn, f"rina{i}", "signin", f"user:rina{i}", {"n": i})
    with engine.connect() as conn:
        before = conn.execute(text(ROWS)).all()
    assert [r[1] for r in before] == ["rina0", "rina1", "rina2"]
    return engine, before


def _refused(engine, sql: str, error) -> str:
    with pytest.raises(error) as got, engine.begin() as conn:
        conn.execute(text(sql))
    return str(got.value.orig)


def _unchanged(engine, before) -> None:
    with engine.connect() as conn:
        assert conn.execute(text(ROWS)).all() == before


def _error(engine):
    """RAISE(ABORT) in a SQLite trigger is a constraint failure; RAISE EXCEPTION in PL/pgSQL is
    SQLSTATE P0001 (psycopg's RaiseException, a ProgrammingError)."""
    return (
        sqlalchemy.exc.IntegrityError
        if engine.dialect.name == "sqlite"
        else sqlalchemy.exc.ProgrammingError
    )


@pytest.mark.parametrize(
    "sql",
    [
        "update audit_event set actor = 'x'",
        "delete from audit_event",
        "insert into audit_event (id, at, actor, action, target, detail) values "
        "((select min(id) from audit_event), '2024-01-01', 'x', 'signin', 'user:x', '{}') "
        "on conflict (id) do update set actor = 'x'",
    ],
)
def test_update_delete_and_upsert_are_refused_on_both_engines(trail, sql):
    engine, before = trail
    assert "audit_event is append-only" in _refused(engine, sql, _error(engine))
    _unchanged(engine, before)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # SQLite syntax
@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE"])
def test_sqlite_insert_or_replace_over_an_existing_id_is_refused(trail, verb):
    engine, before = trail
    sql = (
        f"{verb} INTO audit_event (id, at, actor, action, target, detail) "
        f"values ({before[0][0]}, '2024-01-01', 'x', 'signin', 'user:x', '{{}}')"
    )
    assert _refused(engine, sql, sqlalchemy.exc.IntegrityError) == "audit_event is append-only"
    _unchanged(engine, before)


def test_new_events_are_still_appended(trail):
    engine, before = trail
    with write_tx(engine) as conn:
        record(conn, "budi", "signin", "user:budi")
    with engine.connect() as conn:
        after = conn.execute(text(ROWS)).all()
    assert after[:3] == before and [r[1:4] for r in after[3:]] == [("budi", "signin", "user:budi")]


@pytest.mark.pg
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_postgresql_truncate_is_refused_even_for_a_superuser(trail):
    import psycopg.errors

    engine, before = trail

    with pytest.raises(sqlalchemy.exc.ProgrammingError) as got, engine.begin() as conn:
        conn.execute(text("truncate audit_event"))
    assert isinstance(got.value.orig, psycopg.errors.RaiseException)
    assert "audit_event is append-only" in str(got.value.orig)
    _unchanged(engine, before)
    with (
        engine.connect() as conn
    ):  # the tests run as a superuser, who bypasses privileges: check the grants
        holders = conn.execute(
            text(
                "select grantee from information_schema.role_table_grants where table_name = 'audit_event' "
                "and table_schema = current_schema() and privilege_type = 'TRUNCATE'"
            )
        ).all()
        granted = (
            conn.execute(
                text(
                    "select privilege_type from information_schema.role_table_grants where table_name = 'audit_event' "
                    "and table_schema = current_schema() and grantee = current_user order by 1"
                )
            )
            .scalars()
            .all()
        )
    assert holders == []
    assert granted == ["DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "UPDATE"]
