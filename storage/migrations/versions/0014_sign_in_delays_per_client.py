"""Sign-in delays per client instead of an account lock

Five wrong passwords locked an account for 15 minutes for everybody, so anyone who knew a user
name (an admin's) could keep that account locked for ever. Failed sign-ins are now counted per
(client, user name) and per client in signin_throttle, and only the failing client waits
(storage/users.py); the account's own lock columns go.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 06:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_throttle",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "client", "username", name=op.f("pk_signin_throttle")),
    )
    with op.batch_alter_table("signin_throttle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signin_throttle_last_failure"), ["last_failure"], unique=False
        )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_attempts")


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
    with op.batch_alter_table("signin_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signin_throttle_last_failure"))
    op.drop_table("signin_throttle")
