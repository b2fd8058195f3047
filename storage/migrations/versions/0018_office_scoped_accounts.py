"""Accounts scoped to an immigration office's working area

Issue 24: an account may see and act on one office's area only (domain/scope.py). app_user keeps
the office (NULL: the whole province, the regional office and admins); every audit event keeps
the scope of the account that acted (an office id or "ntb"; NULL when no account acted), so the
admin page filters the trail by office. Both nullable: existing accounts stay province-wide and
existing events have none. On SQLite ADD COLUMN alters audit_event in place (its append-only
triggers stay); the downgrade drops the column in place too (no table copy, same reason).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("office_id", sa.String(length=40), nullable=True))
    op.add_column("audit_event", sa.Column("scope", sa.String(length=40), nullable=True))
    op.create_index(op.f("ix_audit_event_scope"), "audit_event", ["scope"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_event_scope"), table_name="audit_event")
    op.execute("ALTER TABLE audit_event DROP COLUMN scope")
    op.execute("ALTER TABLE app_user DROP COLUMN office_id")
