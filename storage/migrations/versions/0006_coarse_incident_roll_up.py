"""coarse incident roll-up

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 17:00:44.427653
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_regency_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.Column("election_related", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day",
            "regency_code",
            "election_related",
            "status",
            name=op.f("pk_incident_regency_daily"),
        ),
    )

    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incident_markers",
            [
                "incident_date",
                "regency_code",
                "severity",
                "replaced_by_batch",
                "category",
                "status",
                "election_related",
                "lat",
                "lon",
                "responsible_agency",
                "persons",
                "record_id",
            ],
            unique=False,
        )
    op.execute(
        "INSERT INTO incident_regency_daily (day, regency_code, election_related, status, incidents, persons) "
        "SELECT incident_date, regency_code, election_related, status, count(*), sum(persons) FROM incident "
        "WHERE replaced_by_batch IS NULL GROUP BY incident_date, regency_code, election_related, status"
    )


def downgrade() -> None:
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_markers")
    op.drop_table("incident_regency_daily")
