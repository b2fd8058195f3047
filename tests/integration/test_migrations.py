"""Alembic is the only way the schema is made: head matches the models, and every migration
goes down and up again on both engines."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.engine import make_engine, write_tx
from storage.models import Base, on_engine
from storage.schema import alembic_config, upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def url(request, tmp_path, pg_database):
    return f"sqlite:///{tmp_path / 'm.sqlite'}" if request.param == "sqlite" else pg_database()


def test_head_matches_the_models_and_round_trips(url):
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(
                conn,
                opts={"compare_type": False, "include_object": on_engine(conn.dialect.name)},
            ),
            Base.metadata,
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


@pytest.mark.pg
def test_postgresql_voter_lists_move_into_a_partition_each_and_back(pg_database):
    """Migration 0022 on PostgreSQL: the lists imported before it move into a partition each
    (their rows, ids and keys as they were, the id sequence going on); 0023 leads the primary key
    with nik_key and drops the separate nik_key index (one index a list, the lookup's plan through
    the key); down to 0021 they are one table again with its key, foreign key and nik_key index;
    up again, partitions once more."""
    from loaders.pipeline import import_file
    from storage.versions import ensure_counters
    from tests.conftest import pg_leaves
    from tests.unit.test_import_in_parts import voters

    engine = make_engine(pg_database())
    cfg = alembic_config()

    def migrate(step, target):
        with write_tx(engine) as conn:
            cfg.attributes["connection"] = conn
            step(cfg, target)

    def state():
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT * FROM voter_list ORDER BY id").all()
            keys = conn.exec_driver_sql(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'voter_list'::regclass ORDER BY 1"
            ).all()
            kind = conn.exec_driver_sql(
                "SELECT relkind FROM pg_class WHERE oid = 'voter_list'::regclass"
            ).scalar()
        return rows, pg_leaves(engine, "voter_list"), keys, kind

    migrate(command.upgrade, "0021")
    with write_tx(engine) as conn:  # as storage.schema.upgrade does after the migrations
        ensure_counters(conn)
    a = import_file(engine, voters(30), "a.csv", "voters")
    b = import_file(engine, voters(12, start=100, day="12/08/2024"), "b.csv", "voters")
    assert (a.rows_imported, b.rows_imported) == (30, 12)
    rows, leaves, keys, kind = state()
    assert (len(rows), leaves, kind) == (42, [("voter_list", 2)], "r")
    fk = (
        "fk_voter_list_batch_id_upload_batch",
        "FOREIGN KEY (batch_id) REFERENCES upload_batch(id)",
    )
    migrate(command.upgrade, "0022")
    moved, leaves, parted_keys, kind = state()
    assert moved == rows and kind == "p"
    assert leaves == [(f"voter_list_batch_{a.batch_id}", 2), (f"voter_list_batch_{b.batch_id}", 2)]
    assert parted_keys == [fk, ("pk_voter_list", "PRIMARY KEY (id, batch_id)")]
    upgrade(engine)  # 0023
    moved, leaves, parted_keys, kind = state()
    assert moved == rows and kind == "p"
    assert leaves == [(f"voter_list_batch_{a.batch_id}", 1), (f"voter_list_batch_{b.batch_id}", 1)]
    assert parted_keys == [fk, ("pk_voter_list", "PRIMARY KEY (nik_key, id, batch_id)")]
    c = import_file(engine, voters(5, start=200), "c.csv", "voters")  # ids go on from 43
    with engine.connect() as conn:
        assert conn.exec_driver_sql(
            f"SELECT min(id), max(id) FROM voter_list_batch_{c.batch_id}"
        ).one() == (43, 47)
        key = conn.exec_driver_sql("SELECT nik_key FROM voter_list WHERE id = 45").scalar()
        conn.exec_driver_sql("SET enable_seqscan = off")  # the plan the index allows, as at 4M
        plan = "\n".join(  # the match's lookup (storage/voter_lists.py): through each list's key
            conn.exec_driver_sql(
                f"EXPLAIN SELECT id, nik_hash FROM voter_list WHERE nik_key = {key}"
            ).scalars()
        )
    for batch in (a.batch_id, b.batch_id, c.batch_id):
        assert f"Index Scan using voter_list_batch_{batch}_pkey" in plan, plan
    assert plan.count(f"Index Cond: (nik_key = '{key}'::bigint)") == 3 and "Seq" not in plan, plan
    assert pg_leaves(engine, "voter_list")[-1] == (f"voter_list_batch_{c.batch_id}", 1)
    migrate(command.downgrade, "0021")
    back, leaves, back_keys, kind = state()
    assert (back[:42], len(back), leaves, kind) == (rows, 47, [("voter_list", 2)], "r")
    assert (
        back_keys
        == keys
        == [
            (
                "fk_voter_list_batch_id_upload_batch",
                "FOREIGN KEY (batch_id) REFERENCES upload_batch(id)",
            ),
            ("pk_voter_list", "PRIMARY KEY (id)"),
        ]
    )
    upgrade(engine)
    assert [leaf[1] for leaf in state()[1]] == [1, 1, 1]
    engine.dispose()
