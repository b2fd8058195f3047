"""Change counters: each change bumps the counter of the data it touched, inside its own
transaction, so caches keyed by these versions are invalidated exactly when, and only where,
something changed.

One counter per data kind (domain/data_kinds.py: its scope) plus the alerts'. The rows are made
from that list at schema upgrade (`ensure_counters`, called by storage.schema.upgrade), never
written by hand: a new kind gets its counter by being registered. A bump of a scope that has no
row raises instead of updating nothing (caches would go stale without a word)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select, text, update

from domain.data_kinds import kind, kinds
from storage.engine import read_tx
from storage.models import ChangeCounter

OTHER_SCOPES = ("alerts",)


class UnknownScope(LookupError):
    """A change counter that is not there: the scope is misspelt, or the database was not upgraded
    through storage.schema.upgrade since its kind was registered."""


def scopes() -> tuple[str, ...]:
    return (*(kind(k).scope for k in kinds()), *OTHER_SCOPES)


def ensure_counters(conn: Connection) -> None:
    """Create the missing counter rows at 0; idempotent, and safe beside another process doing
    the same (ON CONFLICT: SQLite >= 3.24 and PostgreSQL)."""
    conn.execute(
        text(
            "INSERT INTO change_counter (scope, version) VALUES (:scope, 0) "
            "ON CONFLICT (scope) DO NOTHING"
        ),
        [{"scope": s} for s in scopes()],
    )


def bump(conn: Connection, scope: str) -> None:
    done = conn.execute(
        update(ChangeCounter)
        .where(ChangeCounter.scope == scope)
        .values(version=ChangeCounter.version + 1)
    ).rowcount
    if done != 1:
        why = (
            "its row is missing: run storage.schema.upgrade"
            if scope in scopes()
            else "not registered"
        )
        raise UnknownScope(f"change counter {scope!r}: {why} (scopes: {', '.join(scopes())})")


def versions(engine: Engine) -> dict[str, int]:
    with read_tx(engine) as conn:
        return dict(conn.execute(select(ChangeCounter.scope, ChangeCounter.version)).all())
