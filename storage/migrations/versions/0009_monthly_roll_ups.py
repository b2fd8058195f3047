"""monthly roll-ups

Top nationalities and the map's incident counts over half a year read ~16,000 and ~15,000 daily
roll-up rows and sort them to group (9-12 ms at 1M presence rows). Whole months are now read from
monthly roll-ups (the days before the first and after the last whole month still from the daily
ones), filled here from the active rows.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence_nationality_monthly",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "regency_code", "nationality", name=op.f("pk_presence_nationality_monthly")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "incident_regency_monthly",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.Column("election_related", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month",
            "regency_code",
            "election_related",
            "status",
            name=op.f("pk_incident_regency_monthly"),
        ),
        sqlite_with_rowid=False,
    )
    sqlite = op.get_bind().dialect.name == "sqlite"

    def month(col: str) -> str:
        return (
            f"date({col}, 'start of month')"
            if sqlite
            else f"CAST(date_trunc('month', {col}) AS date)"
        )

    op.execute(
        "INSERT INTO presence_nationality_monthly (month, regency_code, nationality, persons, reports) "
        f"SELECT {month('day')}, regency_code, nationality, sum(persons), sum(reports) "
        f"FROM presence_nationality_daily GROUP BY {month('day')}, regency_code, nationality"
    )
    op.execute(
        "INSERT INTO incident_regency_monthly (month, regency_code, election_related, status, incidents, persons) "
        f"SELECT {month('day')}, regency_code, election_related, status, sum(incidents), sum(persons) "
        f"FROM incident_regency_daily GROUP BY {month('day')}, regency_code, election_related, status"
    )


def downgrade() -> None:
    op.drop_table("incident_regency_monthly")
    op.drop_table("presence_nationality_monthly")
