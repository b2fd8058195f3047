"""alerts and their follow-up

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 16:07:51.862071
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=48), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=True),
        sa.Column("office_id", sa.String(length=40), nullable=True),
        sa.Column("port_id", sa.String(length=32), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column("trigger_ids", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(), nullable=True),
        sa.Column("status_changed_by", sa.String(length=120), nullable=True),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sa.UniqueConstraint("key", name=op.f("uq_alert_key")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_date"), ["date"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_rule"), ["rule"], unique=False)

    op.create_table(
        "alert_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("changed_by", sa.String(length=120), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_status_change_alert_id_alert")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_status_change")),
    )
    with op.batch_alter_table("alert_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_status_change_alert_id"), ["alert_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("alert_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_status_change_alert_id"))

    op.drop_table("alert_status_change")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_rule"))
        batch_op.drop_index(batch_op.f("ix_alert_date"))

    op.drop_table("alert")
