"""Voter lists on PostgreSQL: one partition per list (batch)

Issue 25: every list a regency's KPU sends (DPS, DPSHP, DPT, DPTb) made the import rebuild the
indexes over every list stored before it (a DPT after its DPS and DPSHP of 4M voters each: 8.3-11.1 s
of index building after the last row; a regency's 400K-row list after a province's 4M: 7.9x its
floor), and undoing a list had to rewrite the whole table (VACUUM FULL) to get its hashes out of
the files. voter_list becomes PARTITION BY LIST (batch_id): an import writes its list into a table
of its own, which ATTACH indexes and checks alone (storage/partitions.py); an undo drops that
table, and its files with it. The primary key holds batch_id, as a partitioned table's keys must
(ids still come from the one sequence). SQLite keeps one table: nothing to do there.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 04:00:00
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

KEYS = (
    "ALTER TABLE voter_list ADD CONSTRAINT fk_voter_list_batch_id_upload_batch "
    "FOREIGN KEY (batch_id) REFERENCES upload_batch (id)",
    "CREATE INDEX ix_voter_list_nik_key ON voter_list (nik_key)",
)
OLD_KEYS = (
    "ALTER TABLE voter_list_old DROP CONSTRAINT fk_voter_list_batch_id_upload_batch",
    "ALTER TABLE voter_list_old DROP CONSTRAINT pk_voter_list",
    "DROP INDEX ix_voter_list_nik_key",
)


def _moved(partitioned: bool) -> None:
    """voter_list made again, partitioned or not, with the rows of the one before (renamed
    voter_list_old, its keys and index dropped so their names are free), then the old one dropped.
    The id sequence passes to the new table's column."""
    op.execute("ALTER TABLE voter_list RENAME TO voter_list_old")
    for sql in OLD_KEYS:
        op.execute(sql)
    by = " PARTITION BY LIST (batch_id)" if partitioned else ""
    op.execute(f"CREATE TABLE voter_list (LIKE voter_list_old INCLUDING DEFAULTS){by}")
    op.execute("ALTER SEQUENCE voter_list_id_seq OWNED BY voter_list.id")
    key = "id, batch_id" if partitioned else "id"
    op.execute(f"ALTER TABLE voter_list ADD CONSTRAINT pk_voter_list PRIMARY KEY ({key})")
    if partitioned:  # each list into a table of its own, indexed and checked when attached
        op.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for sql in KEYS:
            op.execute(sql)
        bind = op.get_bind()
        for (batch,) in bind.exec_driver_sql("SELECT DISTINCT batch_id FROM voter_list_old").all():
            name = f"voter_list_batch_{int(batch)}"  # as storage.partitions.name
            op.execute(
                f"CREATE TABLE {name} (LIKE voter_list INCLUDING DEFAULTS, "
                f"CHECK (batch_id = {int(batch)}))"
            )
            op.execute(
                f"INSERT INTO {name} SELECT * FROM voter_list_old WHERE batch_id = {int(batch)}"
            )
            op.execute(
                f"ALTER TABLE voter_list ATTACH PARTITION {name} FOR VALUES IN ({int(batch)})"
            )
    else:
        op.execute("INSERT INTO voter_list SELECT * FROM voter_list_old")
        for sql in KEYS:
            op.execute(sql)
    op.execute("DROP TABLE voter_list_old")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _moved(partitioned=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _moved(partitioned=False)
