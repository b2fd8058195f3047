import uuid

import pytest
from sqlalchemy import text

from tests.conftest import pg_admin, pg_url


@pytest.fixture
def pg_database():
    """Empty throw-away PostgreSQL databases (created and dropped here): these tests run the
    migrations themselves. `pg_database()` makes one and returns its URL."""
    admin = pg_admin()
    made = []

    def make() -> str:
        name = f"ntb_t_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        made.append(name)
        return pg_url(name)

    yield make
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()
