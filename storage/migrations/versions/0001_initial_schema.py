"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 15:35:04.167689
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)

    op.create_table(
        "crossing_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("port_id", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "port_id", "direction", name=op.f("pk_crossing_daily")),
    )
    op.create_table(
        "incident_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("election_related", sa.Boolean(), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day",
            "regency_code",
            "category",
            "severity",
            "status",
            "election_related",
            name=op.f("pk_incident_daily"),
        ),
    )
    op.create_table(
        "presence_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column("permit_type", sa.String(length=12), nullable=False),
        sa.Column("activity", sa.String(length=16), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day",
            "regency_code",
            "nationality",
            "permit_type",
            "activity",
            name=op.f("pk_presence_daily"),
        ),
    )
    op.create_table(
        "upload_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=120), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column("rows_updated", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("dropped_columns", sa.Text(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_batch")),
    )
    with op.batch_alter_table("upload_batch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_upload_batch_file_sha256"), ["file_sha256"], unique=False
        )

    op.create_table(
        "batch_error",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("column", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["upload_batch.id"],
            name=op.f("fk_batch_error_batch_id_upload_batch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_error")),
    )
    with op.batch_alter_table("batch_error", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_error_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "crossing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("replaced_by_batch", sa.Integer(), nullable=True),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("row_hash", sa.BigInteger(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("port_id", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["upload_batch.id"], name=op.f("fk_crossing_batch_id_upload_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crossing")),
    )
    with op.batch_alter_table("crossing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crossing_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_crossing_date_port", ["date", "port_id"], unique=False)
        batch_op.create_index(
            "ix_crossing_record", ["record_id", "replaced_by_batch"], unique=False
        )

    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("replaced_by_batch", sa.Integer(), nullable=True),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("row_hash", sa.BigInteger(), nullable=False),
        sa.Column("incident_date", sa.Date(), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=True),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("reported_by", sa.String(length=120), nullable=True),
        sa.Column("responsible_agency", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("election_related", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["upload_batch.id"], name=op.f("fk_incident_batch_id_upload_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_incident_date_regency", ["incident_date", "regency_code"], unique=False
        )
        batch_op.create_index(
            "ix_incident_record", ["record_id", "replaced_by_batch"], unique=False
        )

    op.create_table(
        "presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("replaced_by_batch", sa.Integer(), nullable=True),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("row_hash", sa.BigInteger(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column("permit_type", sa.String(length=12), nullable=False),
        sa.Column("activity", sa.String(length=16), nullable=False),
        sa.Column("passport_hash", sa.String(length=64), nullable=True),
        sa.Column("person_count", sa.Integer(), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=True),
        sa.Column("permit_expiry", sa.Date(), nullable=True),
        sa.Column("sponsor", sa.String(length=200), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["upload_batch.id"], name=op.f("fk_presence_batch_id_upload_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence")),
    )
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_presence_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_presence_date_regency", ["report_date", "regency_code"], unique=False
        )
        batch_op.create_index(
            "ix_presence_record", ["record_id", "replaced_by_batch"], unique=False
        )
    _audit_append_only()


def _audit_append_only() -> None:
    """The audit trail is append-only: the database itself refuses UPDATE and DELETE."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                f"BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")

    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.drop_index("ix_presence_record")
        batch_op.drop_index("ix_presence_date_regency")
        batch_op.drop_index(batch_op.f("ix_presence_batch_id"))

    op.drop_table("presence")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_record")
        batch_op.drop_index("ix_incident_date_regency")
        batch_op.drop_index(batch_op.f("ix_incident_batch_id"))

    op.drop_table("incident")
    with op.batch_alter_table("crossing", schema=None) as batch_op:
        batch_op.drop_index("ix_crossing_record")
        batch_op.drop_index("ix_crossing_date_port")
        batch_op.drop_index(batch_op.f("ix_crossing_batch_id"))

    op.drop_table("crossing")
    with op.batch_alter_table("batch_error", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_error_batch_id"))

    op.drop_table("batch_error")
    with op.batch_alter_table("upload_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_upload_batch_file_sha256"))

    op.drop_table("upload_batch")
    op.drop_table("presence_daily")
    op.drop_table("incident_daily")
    op.drop_table("crossing_daily")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
