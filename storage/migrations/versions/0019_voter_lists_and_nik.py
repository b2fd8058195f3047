"""Voter-list extracts and foreign residents' NIK hashes

Issue 25: a voter list (daftar pemilih) from a regency's KPU is a data kind (voters): per voter the
NIK's keyed hash, the regency, polling station, list and list date (voter_list), with voters per
list and day (voter_list_daily); presence rows may carry a foreign resident's NIK hash
(nik_hash, nullable: existing rows have none; a partial index holds only the rows with one).
voter_list has no sender-id index (a list carries no sender id) and no date index (the lists a
regency holds are read from the roll-up; every index costs seconds per million rows at import);
voters are looked up by the first 16 hex digits of their hash (an expression index). The change counter is made by
the upgrade from the registry (storage/versions.ensure_counters).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _code(length: int):
    # As storage.models.code: byte order on PostgreSQL (migration 0010).
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "voter_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("replaced_by_batch", sa.Integer(), nullable=True),
        sa.Column("record_id", _code(64), nullable=True),
        sa.Column("row_hash", sa.BigInteger(), nullable=False),
        sa.Column("list_date", sa.Date(), nullable=False),
        sa.Column("regency_code", _code(5), nullable=False),
        sa.Column("list_name", _code(8), nullable=False),
        sa.Column("tps", _code(8), nullable=False),
        sa.Column("nik_hash", _code(64), nullable=False),
        sa.Column("kecamatan", sa.String(length=80), nullable=True),
        sa.Column("village", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["upload_batch.id"], name=op.f("fk_voter_list_batch_id_upload_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_list")),
    )
    op.create_index(
        "ix_voter_list_batch_id",
        "voter_list",
        ["batch_id"],
        unique=False,
        postgresql_using="brin",
        postgresql_with={"autosummarize": "on"},
    )
    op.create_index(
        "ix_voter_list_nik_prefix", "voter_list", [sa.text("substr(nik_hash, 1, 16)")], unique=False
    )
    op.create_table(
        "voter_list_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("regency_code", _code(5), nullable=False),
        sa.Column("list_name", _code(8), nullable=False),
        sa.Column("voters", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "regency_code", "list_name", name=op.f("pk_voter_list_daily")
        ),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nik_hash", _code(64), nullable=True))
    op.create_index(
        "ix_presence_nik_hash",
        "presence",
        ["nik_hash"],
        unique=False,
        sqlite_where=sa.text("nik_hash IS NOT NULL"),
        postgresql_where=sa.text("nik_hash IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_presence_nik_hash", table_name="presence")
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.drop_column("nik_hash")
    op.drop_table("voter_list_daily")
    op.drop_index("ix_voter_list_nik_prefix", table_name="voter_list")
    op.drop_index("ix_voter_list_batch_id", table_name="voter_list")
    op.drop_table("voter_list")
