"""Audit trail that cannot be replaced row by row (SQLite) nor emptied at once (PostgreSQL)

Migration 0001 refuses UPDATE and DELETE on audit_event. Two ways around that remained:
- SQLite: `INSERT OR REPLACE` (and `REPLACE`) with an existing id deletes the old row without
  firing the DELETE trigger (recursive triggers are off) and writes a new one. A BEFORE INSERT
  trigger now refuses an insert whose id is taken; it fires before the replacement happens.
  (`INSERT ... ON CONFLICT DO UPDATE` already fires the UPDATE trigger.)
- PostgreSQL: TRUNCATE fires no row trigger. A statement trigger now refuses it, for the owner
  and superusers too, and the TRUNCATE privilege is taken from the owner (the app) and PUBLIC.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 06:30:00
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
            "WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )
        return
    op.execute(
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
    )
    op.execute("REVOKE TRUNCATE ON audit_event FROM PUBLIC, CURRENT_USER")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_replace")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    op.execute("GRANT TRUNCATE ON audit_event TO CURRENT_USER")
