"""Database engine: the embedded SQLite file by default, any SQLAlchemy URL via NTB_DB_URL.

SQLite is opened with WAL (readers never block the writer), a busy timeout, secure_delete, and writers start
with BEGIN IMMEDIATE: with deferred transactions one of two concurrent uploads is lost even in
WAL mode ("database is locked" on the upgrade from read to write lock, which no timeout retries).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, create_engine, event

from domain.paths import LOCAL

BUSY_TIMEOUT_MS = 30_000
DEFAULT_DB_FILE = LOCAL / "ntb.sqlite"


def default_url() -> str:
    return f"sqlite:///{DEFAULT_DB_FILE}"


def configured_url() -> str:
    return os.environ.get("NTB_DB_URL") or default_url()


def is_default_database(url: str) -> bool:
    return url == default_url()


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        # Deleted rows (replaced or undone batches, pseudonyms) are overwritten with zeros instead of
        # lingering in free pages of the file and its backups; the SQLite build's default varies.
        cur.execute("PRAGMA secure_delete = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str | None = None, **kw) -> Engine:
    url = url or configured_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kw)
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kw)


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (engines hold the connection pool)."""
    return make_engine(url or configured_url())


@contextlib.contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction: BEGIN IMMEDIATE on SQLite, an ordinary transaction elsewhere."""
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


DATA_WRITER_LOCK = 0x4E5442  # PostgreSQL advisory lock key ("NTB") held by data writers


def one_data_writer_at_a_time(conn: Connection) -> None:
    """In a write transaction that changes the data tables (imports, undo, roll-up rebuilds):
    on PostgreSQL, wait until no other one runs (SQLite's BEGIN IMMEDIATE already serialises all
    writers). Without it two large imports set the same table's indexes aside at once and
    deadlock, and the same file sent twice at the same moment could land twice. Sign-ins, audit
    entries and alert updates do not take it: they never wait for an import."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({DATA_WRITER_LOCK})")


# Page cache for one bulk import on SQLite (KiB). The default 2 MB cache spills dirty index pages
# to the WAL and reads them back for every row; a million presence rows touch ~250 MB of pages.
# Memory is only taken as pages are used and is given back when the import ends.
BULK_CACHE_KIB = 256 * 1024

# Page cache while SQLite builds an index inside that transaction (KiB). The sorter keeps its
# records in memory up to the cache size: with the bulk cache it sorts 4M keys as one list (4.2 s),
# with 2 MB it sorts 2 MB runs and merges them (2.1 s; measured on 4M 8-byte keys, 1-32 MB alike).
SORT_CACHE_KIB = 2 * 1024


@contextlib.contextmanager
def _sqlite_pragma(conn: Connection, name: str, value: int) -> Iterator[None]:
    """On SQLite: `PRAGMA name = value` until the block ends, then the value it had before (the
    connection goes back to the pool). Durability is untouched: WAL and synchronous stay as
    configured. Elsewhere nothing."""
    if conn.dialect.name != "sqlite":
        yield
        return
    saved = int(conn.exec_driver_sql(f"PRAGMA {name}").scalar())
    conn.exec_driver_sql(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        if not conn.invalidated:
            conn.exec_driver_sql(f"PRAGMA {name} = {saved}")


def bulk_cache(conn: Connection):
    """Inside a write transaction: the large page cache for a bulk import."""
    return _sqlite_pragma(conn, "cache_size", -BULK_CACHE_KIB)


# Helper threads SQLite's sorter may use while the block builds indexes (PRAGMA threads; 0 by
# default). Sorting 4M 8-byte keys: 1.55-1.60 s with none, 1.30-1.34 s with one, 1.38-1.45 s
# with two (the machine has two cores; the roll-up deltas are computed on a Python thread then).
SORT_THREADS = 1
PG_SORT_MEMORY = "512MB"  # a 4M-row list's keys and index sort in memory


@contextlib.contextmanager
def sort_cache(conn: Connection) -> Iterator[None]:
    """Inside a write transaction, while the block builds indexes: on SQLite the small page cache
    and a helper thread for the sorter, then both as they were; on PostgreSQL sorts in memory
    (maintenance_work_mem, default 64 MB) until the transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{PG_SORT_MEMORY}'")
    with (
        _sqlite_pragma(conn, "cache_size", -SORT_CACHE_KIB),
        _sqlite_pragma(conn, "threads", SORT_THREADS),
    ):
        yield


@contextlib.contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read-only snapshot (deferred BEGIN on SQLite: takes no write lock)."""
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="DEFERRED")
        with conn.begin():
            yield conn


CHUNK = 900  # bound parameters per IN (...) list, below every engine's limit


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    """`items` in slices of `size`: one IN (...) list each."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def param_mark(conn: Connection) -> str:
    """The driver's placeholder for raw SQL: ? (sqlite3) or %s (psycopg)."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def insert_rows(conn: Connection, head: str, row: str, grid: np.ndarray, tail: str = "") -> None:
    """Run `head` + "row, row, ..." + `tail` for the rows of `grid` (2-D, Python values), 64 rows
    per statement. The driver gives up the GIL for every statement it runs and must get it back;
    with other threads busy (page reads) each return can wait the 5 ms switch interval, so one
    row per statement made an upload crawl (50,000 rows: 20-75 s with 20 reader threads)."""
    width = grid.shape[1]
    per = max(1, min(64, _max_parameters(conn) // width))
    whole = len(grid) // per * per
    if (
        whole
    ):  # parameter lists made as the driver asks for them: a million rows are not copied twice
        executemany(
            conn,
            head + ", ".join([row] * per) + tail,
            (grid[i : i + per].ravel().tolist() for i in range(0, whole, per)),
        )
    if whole < len(grid):
        executemany(
            conn,
            head + ", ".join([row] * (len(grid) - whole)) + tail,
            [grid[whole:].ravel().tolist()],
        )


def driver_values(values):
    """Python values with None for missing, as the drivers take them, of a column held as a
    pandas Categorical (repeated text: loaders.pipeline keeps the validator's codes so); any
    other array as it is."""
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.array
    if not isinstance(values, pd.Categorical):
        return values
    objects = np.append(np.asarray(values.categories, dtype=object), None)
    return objects[values.codes]  # code -1 (missing): the trailing None


def copy_columns(conn: Connection, table: str, cols: list[str], columns: list[np.ndarray]) -> None:
    """PostgreSQL: COPY rows given column by column (NumPy arrays of Python values with None for
    NULL, of NumPy integers, copy_binary.fixed_width's blocks of bytes, or Categoricals of
    repeated text) into `table`,
    in COPY's binary format: the server takes each value in its stored form instead of parsing
    text (a million presence rows: 2.2 instead of 3.0 s of the server's time, most of it dates).
    The rows are encoded a column at a time (storage/copy_binary.py: the bytes psycopg's
    write_row makes, without a Python call per row); a driver thread sends each piece while the
    next is made. The server still checks every value against its column (lengths, NULLs)."""
    from psycopg import pq
    from psycopg.adapt import PyFormat, Transformer
    from psycopg.copy import QueuedLibpqWriter  # psycopg is only needed with PostgreSQL

    from storage import copy_binary

    raw = conn.connection.dbapi_connection
    with raw.cursor() as cur:
        types = _column_types(cur, table, cols)
        dumpers = []
        for oid in types:  # psycopg's binary dumper of each column's type, for what is not coded
            tx = Transformer(cur)
            tx.set_dumper_types([oid], pq.Format.BINARY)
            dumpers.append(lambda v, tx=tx: tx.dump_sequence([v], [PyFormat.BINARY])[0])
        if raw.info.encoding != "utf-8":  # text is encoded as UTF-8 only; else the dumper's
            types = [0 if t in copy_binary.TEXT else t for t in types]
        with cur.copy(
            f"COPY {table} ({', '.join(cols)}) FROM STDIN (FORMAT BINARY)",
            writer=QueuedLibpqWriter(cur),
        ) as copy:
            copy.write(copy_binary.SIGNATURE)
            for start in range(0, len(columns[0]) if columns else 0, COPY_ROWS):
                piece = [c[start : start + COPY_ROWS] for c in columns]
                copy.write(copy_binary.rows(piece, types, dumpers))
            copy.write(copy_binary.TRAILER)


COPY_ROWS = 100_000  # rows turned into Python lists at a time (bounded memory for 10M-row files)


def _column_types(cur, table: str, cols: list[str]) -> list[int]:
    """The type (oid) of each of `cols` in `table` (a temporary table too), as binary COPY needs."""
    found = dict(
        cur.execute(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = to_regclass(%s) "
            "AND attnum > 0 AND NOT attisdropped",
            (table,),
        ).fetchall()
    )
    return [int(found[c]) for c in cols]


def _max_parameters(conn: Connection) -> int:
    """Parameters one statement may take: the SQLite library's limit; PostgreSQL's is 65,535."""
    if conn.dialect.name == "sqlite":
        return conn.connection.dbapi_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65_535


def executemany(conn: Connection, sql: str, rows: Iterable[tuple]) -> None:
    """Run one statement for many rows on the driver cursor of `conn`, inside its transaction:
    SQLAlchemy's executemany wants a list and its per-row bookkeeping costs seconds per million."""
    cur = conn.connection.dbapi_connection.cursor()
    try:
        cur.executemany(sql, rows)
    finally:
        cur.close()
