"""Alembic is the only way the schema is made: head matches the models, and every migration
goes down and up again on both engines."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.engine import make_engine, write_tx
from storage.models import Base
from storage.schema import alembic_config, upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def url(request, tmp_path, pg_database):
    return f"sqlite:///{tmp_path / 'm.sqlite'}" if request.param == "sqlite" else pg_database()


def test_head_matches_the_models_and_round_trips(url):
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata
        )
    assert diff == []
    tables = set(inspect(engine).get_table_names())
    cfg = alembic_config()
    with write_tx(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) == tables
    engine.dispose()


@pytest.mark.pg
def test_postgresql_codes_compare_in_byte_order_and_batch_ids_use_brin(pg_database):
    """Migration 0010 on PostgreSQL: every code column COLLATE "C", the batch indexes BRIN; down to
    0009 restores the database's collation and B-trees, up again applies them once more."""
    import importlib

    from loaders.pipeline import import_file
    from tests.unit.test_import import HEADER

    m = importlib.import_module("storage.migrations.versions.0010_codes_in_byte_order")
    engine = make_engine(pg_database())
    upgrade(engine)

    def state():
        with engine.connect() as conn:
            collations = {
                (t, c): conn.exec_driver_sql(
                    "SELECT collation_name FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND table_name = %(t)s AND column_name = %(c)s",
                    {"t": t, "c": c},
                ).scalar_one()
                for t, cols in m.CODES.items()
                for c in cols
            }
            methods = dict(
                conn.exec_driver_sql(
                    "SELECT c.relname, a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
                    "WHERE c.relname LIKE 'ix_%%_batch_id' AND c.relnamespace = current_schema()::regnamespace"
                ).all()
            )
        return set(collations.values()), methods

    def stored():
        with engine.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT record_id, regency_code FROM presence ORDER BY record_id"
            ).all()

    batch_indexes = set(m.BATCH_INDEXES.values())
    assert len(m.CODES) == 11 and sum(map(len, m.CODES.values())) == 32
    # voter_list (0019) had a BRIN batch index from the start; 0020 dropped it
    assert state() == (
        {"C"},
        dict.fromkeys(batch_indexes, "brin") | {"ix_batch_error_batch_id": "btree"},
    )
    data = (
        HEADER + "b2;01/11/2024;Lobar;AUS;VOA;wisata;;1\nB1;02/11/2024;Bima;MYS;VOA;wisata;;2\n"
    ).encode()
    assert import_file(engine, data, "a.csv", "presence").rows_imported == 2
    cfg = alembic_config()
    with write_tx(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0009")
    assert state() == ({None}, dict.fromkeys(batch_indexes | {"ix_batch_error_batch_id"}, "btree"))
    upgrade(engine)
    assert state()[0] == {"C"}
    assert stored() == [
        ("B1", "52.06"),
        ("b2", "52.01"),
    ]  # the rows went down and up, in byte order
    assert import_file(engine, data, "b.csv", "presence").duplicates == 2  # and are found again
    engine.dispose()
