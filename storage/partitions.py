"""PostgreSQL: tables partitioned by batch (voter_list, migration 0022), a batch's rows in a table
of their own.

A regency's KPU sends the same voters again at each stage (DPS, DPSHP, DPT, DPTb). In one table,
each list's import rebuilt the indexes over every list before it (a DPT after a DPS and DPSHP of
4M voters each: 8.3-11.1 s of index building after the last row) and its undo rewrote the whole
table to get its hashes out of the files (VACUUM FULL). Here a list is written into a new table
without indexes, which ATTACH then indexes, key-checks and joins to the partitioned table: the
cost is the list's own, whatever is stored. Readers of the other lists do not wait meanwhile
(ATTACH takes a SHARE UPDATE EXCLUSIVE lock). An undo drops the list's table: the server empties
its files when the undo commits and removes them at the next checkpoint.

Which tables are partitioned is the database's fact (the migration made them so), read from its
catalogue; SQLite tables never are.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import Connection

from storage.engine import sort_cache


def by_batch(conn: Connection, table_name: str) -> bool:
    """Whether the table is partitioned (by its batch: the only way a migration partitions)."""
    if conn.dialect.name != "postgresql":
        return False
    return bool(
        conn.exec_driver_sql(
            "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%(t)s)",
            {"t": table_name},
        ).scalar()
    )


def name(table_name: str, batch_id: int) -> str:
    """The batch's own table (also in migration 0022)."""
    return f"{table_name}_batch_{int(batch_id)}"


@contextlib.contextmanager
def batch_table(conn: Connection, table_name: str, batch_id: int):
    """Yield the name of a new, unindexed table like `table_name`, into which the batch's rows
    go; on leaving, attach it as the batch's partition (building its indexes and checking its
    foreign key, in this transaction; the CHECK made with it spares ATTACH a scan of the rows),
    or drop it when nothing was written (a file of duplicates only)."""
    batch = int(batch_id)
    own = name(table_name, batch)
    conn.exec_driver_sql(
        f"CREATE TABLE {own} (LIKE {table_name} INCLUDING DEFAULTS, CHECK (batch_id = {batch}))"
    )
    yield own
    if conn.exec_driver_sql(f"SELECT EXISTS (SELECT FROM {own})").scalar():
        with sort_cache(conn):
            conn.exec_driver_sql(
                f"ALTER TABLE {table_name} ATTACH PARTITION {own} FOR VALUES IN ({batch})"
            )
    else:
        conn.exec_driver_sql(f"DROP TABLE {own}")


def drop(conn: Connection, table_name: str, batch_id: int) -> int:
    """Drop the batch's partition; the number of rows it held (0 when it has none)."""
    own = name(table_name, batch_id)
    if conn.exec_driver_sql("SELECT to_regclass(%(t)s)", {"t": own}).scalar() is None:
        return 0
    rows = conn.exec_driver_sql(f"SELECT count(*) FROM {own}").scalar()
    conn.exec_driver_sql(f"DROP TABLE {own}")
    return int(rows)
