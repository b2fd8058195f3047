"""Alembic environment. Run via storage.schema.upgrade(), `make migrate`, or `alembic upgrade head`."""

from alembic import context

from storage.engine import make_engine
from storage.models import Base, on_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.connect() as conn:
        _run(conn)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE via copy on SQLite
        compare_type=True,
        include_object=on_engine(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
