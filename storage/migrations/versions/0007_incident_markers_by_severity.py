"""incident markers by severity

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 18:35:00
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = [
    "severity",
    "incident_date",
    "id",
    "regency_code",
    "replaced_by_batch",
    "category",
    "status",
    "election_related",
    "lat",
    "lon",
    "responsible_agency",
    "persons",
    "record_id",
]


def upgrade() -> None:
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index("ix_incident_severity", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_severity")
