"""Voter lists: the NIK hash as 32 bytes, no batch index

Issue 25's speed target (a 4-million-row list within 2x its floor): voter_list.nik_hash becomes
the digest's 32 bytes (BLOB on SQLite, bytea on PostgreSQL) instead of its 64 hex characters, and
the prefix index covers its first 8 bytes instead of 16 hex digits (the same 64 bits). Half the
bytes per row to bind, write and index. The hashes already stored are converted (hex -> bytes),
so lists imported before still match foreign residents (presence.nik_hash stays hex: few rows;
storage/voter_lists.py converts where the two meet). The batch index goes: a list is undone by
scanning for its batch (rare), where every import had to build an index of millions of batch ids.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _code(length: int):
    # As storage.models.code: byte order on PostgreSQL (migration 0010).
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.drop_index("ix_voter_list_nik_prefix", table_name="voter_list")
    op.drop_index("ix_voter_list_batch_id", table_name="voter_list")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE voter_list ALTER COLUMN nik_hash TYPE bytea USING decode(nik_hash, 'hex')"
        )
    else:  # SQLite before 3.41 has no unhex(): the hex text is decoded by Python
        bind.connection.dbapi_connection.create_function(
            "ntb_unhex", 1, lambda h: None if h is None else bytes.fromhex(h), deterministic=True
        )
        op.execute("UPDATE voter_list SET nik_hash = ntb_unhex(nik_hash)")
        with op.batch_alter_table("voter_list") as batch_op:  # the column declared BLOB
            batch_op.alter_column("nik_hash", existing_type=sa.String(64), type_=sa.LargeBinary(32))
    op.create_index(
        "ix_voter_list_nik_prefix", "voter_list", [sa.text("substr(nik_hash, 1, 8)")], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_voter_list_nik_prefix", table_name="voter_list")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            'ALTER TABLE voter_list ALTER COLUMN nik_hash TYPE varchar(64) COLLATE "C" '
            "USING encode(nik_hash, 'hex')"
        )
    else:
        op.execute("UPDATE voter_list SET nik_hash = lower(hex(nik_hash))")
        with op.batch_alter_table("voter_list") as batch_op:
            batch_op.alter_column("nik_hash", existing_type=sa.LargeBinary(32), type_=_code(64))
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
