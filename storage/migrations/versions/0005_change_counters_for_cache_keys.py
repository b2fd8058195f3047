"""change counters for cache keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 16:32:07.579655
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_counter",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_change_counter")),
    )
    # The rows (one per data kind, and alerts) are made from the registry by
    # storage.schema.upgrade (storage/versions.ensure_counters), not listed here.


def downgrade() -> None:
    op.drop_table("change_counter")
