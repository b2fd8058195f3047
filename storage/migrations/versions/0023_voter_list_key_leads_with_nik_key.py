"""Voter lists on PostgreSQL: one index per list, the primary key led by the lookup key

Issue 25's speed target (a 4-million-row list within 2x its floor): after a list's last row, ATTACH
builds its partition's indexes while nothing else runs. It built two over the same 4M rows: the
primary key (id, batch_id), which no query reads, and ix_voter_list_nik_key, which the match with
foreign residents reads (storage/voter_lists.py). The primary key becomes (nik_key, id, batch_id):
still one row's identity (ids come from one sequence; a partitioned table's keys must hold the
partition key), and its index now serves the lookup too, so the separate index goes. On a detached
4M-row list: primary key 1.56-1.79 s + nik_key index 2.17-2.37 s, against 2.14-2.44 s for the one
key (docs/performance.md, tenth round). SQLite keeps its rowid key and the index: nothing to do
there (storage.models.on_engine leaves the index out of PostgreSQL's comparison with the models).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 06:10:00
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def _keyed(primary_key: str, lookup_index: bool) -> None:
    """voter_list's primary key (and each partition's) made again over `primary_key`, with or
    without the separate nik_key index: both built over every stored list."""
    op.execute("SET LOCAL maintenance_work_mem = '512MB'")  # as storage.engine.sort_cache
    op.execute("ALTER TABLE voter_list DROP CONSTRAINT pk_voter_list")
    op.execute("DROP INDEX IF EXISTS ix_voter_list_nik_key")
    op.execute(f"ALTER TABLE voter_list ADD CONSTRAINT pk_voter_list PRIMARY KEY ({primary_key})")
    if lookup_index:
        op.execute("CREATE INDEX ix_voter_list_nik_key ON voter_list (nik_key)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _keyed("nik_key, id, batch_id", lookup_index=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _keyed("id, batch_id", lookup_index=True)
