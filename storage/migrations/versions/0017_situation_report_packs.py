"""Situation report packs

Issue 23: each pack made by services/sitrep.py (the command line, the timer, the overview's
button) is kept with the figures it showed (canonical JSON and their SHA-256, printed in its
footer), the pack or period it compared with, the PDF (the overview offers the latest one for
download) with the file's SHA-256, and the id of the audit event that records it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-09 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sitrep_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("made_by", sa.String(length=120), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("office_id", sa.String(length=40), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("marking", sa.String(length=8), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("figures_sha256", sa.String(length=64), nullable=False),
        sa.Column("compared_with", sa.Integer(), nullable=True),
        sa.Column("baseline", sa.Text(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("audit_event_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sitrep_pack")),
        sa.UniqueConstraint("name", name=op.f("uq_sitrep_pack_name")),
    )
    with op.batch_alter_table("sitrep_pack", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sitrep_pack_made_at"), ["made_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sitrep_pack", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sitrep_pack_made_at"))
    op.drop_table("sitrep_pack")
