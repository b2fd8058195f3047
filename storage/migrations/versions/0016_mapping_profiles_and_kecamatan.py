"""Column-mapping profiles; the kecamatan of rows whose regency came from a place

Issue 19 items 1-2: a mapping saved on the upload page lives in mapping_profile (its TOML text
and the normalised header set it was made for); presence and incident rows keep the kecamatan
code when the importer resolved their regency from a village or district name, for a later
district drill-down. Both columns are nullable: existing rows have none.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _code(length: int):
    # As storage.models.code: byte order on PostgreSQL (migration 0010).
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "mapping_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("headers_sha", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(length=120), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mapping_profile")),
        sa.UniqueConstraint("name", name=op.f("uq_mapping_profile_name")),
    )
    with op.batch_alter_table("mapping_profile", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mapping_profile_headers_sha"), ["headers_sha"], unique=False
        )
    for table in ("presence", "incident"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("kecamatan_code", _code(8), nullable=True))


def downgrade() -> None:
    for table in ("incident", "presence"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("kecamatan_code")
    with op.batch_alter_table("mapping_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mapping_profile_headers_sha"))
    op.drop_table("mapping_profile")
