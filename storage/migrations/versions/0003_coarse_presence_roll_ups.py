"""coarse presence roll-ups

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 16:03:46.707974
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence_nationality_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "regency_code", "nationality", name=op.f("pk_presence_nationality_daily")
        ),
    )
    op.create_table(
        "presence_regency_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "regency_code", name=op.f("pk_presence_regency_daily")),
    )

    # Fill the new roll-ups from the rows already there.
    op.execute(
        "INSERT INTO presence_regency_daily (day, regency_code, persons, reports) "
        "SELECT report_date, regency_code, sum(person_count), count(*) FROM presence "
        "WHERE replaced_by_batch IS NULL GROUP BY report_date, regency_code"
    )
    op.execute(
        "INSERT INTO presence_nationality_daily (day, regency_code, nationality, persons, reports) "
        "SELECT report_date, regency_code, nationality, sum(person_count), count(*) FROM presence "
        "WHERE replaced_by_batch IS NULL GROUP BY report_date, regency_code, nationality"
    )


def downgrade() -> None:
    op.drop_table("presence_regency_daily")
    op.drop_table("presence_nationality_daily")
