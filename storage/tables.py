"""The SQLAlchemy table behind a name a data kind's record gives (domain/data_kinds.py).

The model's table when storage/models.py maps one (the schema test compares the models with the
migrations); otherwise the table as the database has it, read from its catalogue, so the import,
the undo, the roll-ups and the generic page queries (storage/kind_queries.py) work for any table
a migration made.
"""

from __future__ import annotations

from sqlalchemy import Connection, MetaData, Table

from storage.models import Base


def table(conn: Connection, name: str) -> Table:
    known = Base.metadata.tables.get(name)
    return known if known is not None else Table(name, MetaData(), autoload_with=conn)
