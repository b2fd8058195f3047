"""Alerts assigned to a person, assignments in the history

The alert queue works like a case list (issue 19 item 3): an alert can be held by a person
(alert.assigned_to, since alert.assigned_at, given by alert.assigned_by), and every assignment
is a row of alert_status_change like a status change (status unchanged, assigned_to set: the
holder after the change, '' when released), so the history shows who held it when. Overdue is
computed from alert.status_changed_at (or first_seen_at) and the rules file: nothing stored.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_to", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("assigned_by", sa.String(length=120), nullable=True))
    with op.batch_alter_table("alert_status_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_to", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_status_change", schema=None) as batch_op:
        batch_op.drop_column("assigned_to")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_column("assigned_by")
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("assigned_to")
