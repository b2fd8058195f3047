"""Create or upgrade the schema with Alembic (the only way the schema changes)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect

from storage.engine import write_tx
from storage.versions import ensure_counters

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade to `revision`; return (revision before, revision after). Before is None for a
    database that had no schema yet (a new file), so callers can say what they did."""
    cfg = alembic_config()
    with write_tx(engine) as conn:
        before = MigrationContext.configure(conn).get_current_revision()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        after = MigrationContext.configure(conn).get_current_revision()
        if _has_counters(conn):  # one per registered data kind (storage/versions.py)
            ensure_counters(conn)
    return before, after


def _has_counters(conn: Connection) -> bool:
    """False below migration 0005 (an upgrade to an older revision, as the migration tests do)."""
    return inspect(conn).has_table("change_counter")
