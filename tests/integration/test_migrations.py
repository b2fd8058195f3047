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
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
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
