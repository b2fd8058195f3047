"""Change counters: each change bumps the counter of the data it touched, inside its own
transaction, so caches keyed by these versions are invalidated exactly when, and only where,
something changed."""
from __future__ import annotations

from sqlalchemy import Connection, Engine, select, update

from storage.engine import read_tx
from storage.models import ChangeCounter

SCOPES = ("presence", "incidents", "crossings", "alerts")


def bump(conn: Connection, scope: str) -> None:
    conn.execute(update(ChangeCounter).where(ChangeCounter.scope == scope)
                 .values(version=ChangeCounter.version + 1))


def versions(engine: Engine) -> dict[str, int]:
    with read_tx(engine) as conn:
        return dict(conn.execute(select(ChangeCounter.scope, ChangeCounter.version)).all())
