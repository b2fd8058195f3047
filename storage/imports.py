"""Commit an import: the batch record, its rows and its error report in ONE transaction.

A file already imported (same kind and SHA-256, not undone) adds nothing. A row carrying the
sender's id replaces the active row with that id when its content changed (the old version is
kept, marked replaced, so undo can restore it) and is counted a duplicate when unchanged. A row
without id identical to an active row is a duplicate too. Roll-ups are rebuilt for the touched
dates inside the same transaction, so readers never see rows without their aggregates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Date, Engine, LargeBinary, and_, func, insert, select, text, update

from domain.data_kinds import kind as data_kind
from storage import copy_binary, partitions, rollups, voter_lists
from storage.audit import record
from storage.engine import (
    CHUNK,
    DATA_WRITER_LOCK,
    bulk_cache,
    chunks,
    copy_columns,
    driver_values,
    insert_rows,
    one_data_writer_at_a_time,
    param_mark,
    sort_cache,
    write_tx,
)
from storage.models import BatchError, UploadBatch, VoterList, utcnow
from storage.tables import table as table_named
from storage.versions import bump

log = logging.getLogger(__name__)


@dataclass
class CommitResult:
    batch_id: int | None
    inserted: int = 0
    updated: int = 0
    duplicates: int = 0
    already_imported_batch: int | None = None
    dropped: list = field(default_factory=list)


class InjectedFailure(RuntimeError):
    """Raised by tests through `fail_after` to prove a failed commit leaves nothing behind."""


def find_batch_by_sha(engine: Engine, kind: str, sha: str) -> int | None:
    with engine.connect() as conn:
        return conn.scalar(
            select(UploadBatch.id).where(
                UploadBatch.kind == kind,
                UploadBatch.file_sha256 == sha,
                UploadBatch.status == "committed",
            )
        )


def commit_batch(
    engine: Engine,
    kind: str,
    rows: pd.DataFrame,
    errors: list,
    meta: dict,
    fail_after: str | None = None,
) -> CommitResult:
    """rows: stored columns of `kind` plus record_id and row_hash. errors: RowError list.
    meta: file_name, file_sha256, uploaded_by, mode, rows_read, rows_rejected, dropped_columns, is_demo,
    scope (the uploading account's, for the audit event; None from the command line)."""
    date_col = data_kind(kind).date
    with write_tx(engine) as conn, bulk_cache(conn):
        table, batch_id, existing = _open(conn, kind, meta)
        if existing is not None:
            return CommitResult(
                batch_id=None, duplicates=len(rows), already_imported_batch=existing
            )

        rows, replaced_ids, duplicates, touched = _classify(
            conn, table, date_col, rows, _Stored(conn, kind, table, batch_id)
        )
        for chunk in chunks(replaced_ids):
            conn.execute(
                update(table).where(table.c.id.in_(chunk)).values(replaced_by_batch=batch_id)
            )
        if fail_after == "replace":
            raise InjectedFailure("after replace")

        deltas = (
            _insert(conn, kind, table, rows, int(batch_id), pure_inserts=not replaced_ids)
            if len(rows)
            else None
        )
        if fail_after == "insert":
            raise InjectedFailure("after insert")

        if replaced_ids:
            # Rows were replaced: rebuild the touched dates from the active rows (exact, and rare).
            touched = _span(touched, rows[date_col].min(), rows[date_col].max())
            rollups.refresh(conn, kind, *touched)
        elif len(rows):
            rollups.add(conn, kind, rows, deltas)  # pure inserts: add the batch's own aggregates
        _close(conn, kind, batch_id, len(rows), len(replaced_ids), duplicates, errors, meta)
        if fail_after == "end":
            raise InjectedFailure("at end")
        return CommitResult(
            batch_id=int(batch_id),
            inserted=len(rows) - len(replaced_ids),
            updated=len(replaced_ids),
            duplicates=duplicates,
        )


class Abandoned(Exception):
    """Raised into commit_parts by whoever feeds it: the import is given up (an all-or-nothing
    file with a bad row), its transaction rolled back."""


# A large list's insert sets the table's indexes aside while the table holds at most this many
# times its rows: rebuilding them over every stored list costs less than keeping them up to date
# row by row (random nik_key inserts; on PostgreSQL a foreign-key check a row). A DPT of 4M
# voters after their DPS and DPSHP (8M stored, `scripts/bench_voters.py --lists 3`): 16.6 s
# instead of 47.0 s on PostgreSQL 15, 17.2 s instead of 27.9 s on SQLite. Estimated from runs
# with 8M stored, keeping them costs as much as rebuilding at ~12x the rows (PostgreSQL), ~9x
# (SQLite).
LISTS_SET_ASIDE = 8


def commit_parts(
    engine: Engine,
    kind: str,
    parts: Iterable[pd.DataFrame],
    ending: Callable[[], tuple[list, int]],
    meta: dict,
    fail_after: str | None = None,
) -> CommitResult:
    """commit_batch for a large file of a snapshot kind (no sender id: a voter list), written part
    by part as the parts come, while the caller still validates and hashes the next ones
    (loaders.pipeline): the server stores one part while the next is prepared. One transaction,
    as commit_batch: the same batch record, rows, duplicates, roll-ups and audit event. `ending()`
    gives the error list and the rejected rows' count once the parts are done; meta["rows_read"]
    decides whether the table's indexes are set aside. A part raising Abandoned (or anything)
    rolls all of it back. Only for kinds without identity: a later row with the same sender id
    would otherwise have to win over a row already written."""
    record = data_kind(kind)
    if record.identity is not None:
        raise ValueError(f"{kind}: rows with sender ids are committed whole (commit_batch)")
    date_col, dialect = record.date, engine.dialect.name
    with write_tx(engine) as conn, bulk_cache(conn):
        table, batch_id, existing = _open(conn, kind, meta)
        if existing is not None:
            return CommitResult(
                batch_id=None, duplicates=sum(map(len, parts)), already_imported_batch=existing
            )
        stored = _Stored(conn, kind, table, batch_id)
        inserted = duplicates = 0
        deltas = []
        with ThreadPoolExecutor(max_workers=1) as pool:
            with _written_into(conn, table, batch_id, meta["rows_read"], LISTS_SET_ASIDE) as into:
                for rows in parts:
                    rows, _, dropped, _ = _classify(conn, table, date_col, rows, stored)
                    duplicates += dropped
                    if not len(rows):
                        continue
                    rows = _with_keys(table, rows)
                    # the part's roll-up cells, summed on a second thread while this one writes
                    deltas.append(pool.submit(rollups.deltas_of, kind, rows, dialect))
                    bulk_insert(conn, table, rows, into=into, batch_id=batch_id)
                    inserted += len(rows)
                    if fail_after == "insert":
                        raise InjectedFailure("after insert")
            errors, rejected = ending()
            meta = {**meta, "rows_rejected": rejected}
            if inserted:
                rollups.add(conn, kind, None, rollups.combined(kind, [d.result() for d in deltas]))
        _close(conn, kind, batch_id, inserted, 0, duplicates, errors, meta)
        if fail_after == "end":
            raise InjectedFailure("at end")
        return CommitResult(batch_id=int(batch_id), inserted=inserted, duplicates=duplicates)


def _open(conn, kind: str, meta: dict):
    """Take the data writers' lock and start the batch: (table, new batch id, None), or
    (table, None, id of the committed batch of the same file)."""
    one_data_writer_at_a_time(conn)
    table = table_named(conn, data_kind(kind).table)
    # Checked inside the write lock: two uploads of one file at once cannot both land.
    existing = conn.scalar(
        select(UploadBatch.id).where(
            UploadBatch.kind == kind,
            UploadBatch.file_sha256 == meta["file_sha256"],
            UploadBatch.status == "committed",
        )
    )
    if existing is not None:
        return table, None, int(existing)
    batch_id = conn.execute(
        insert(UploadBatch)
        .values(
            kind=kind,
            file_name=meta["file_name"][:255],
            file_sha256=meta["file_sha256"],
            uploaded_by=meta.get("uploaded_by", ""),
            mode=meta["mode"],
            rows_read=meta["rows_read"],
            rows_rejected=meta.get("rows_rejected", 0),
            dropped_columns=json.dumps(meta.get("dropped_columns", [])),
            is_demo=bool(meta.get("is_demo", False)),
        )
        .returning(UploadBatch.id)
    ).scalar_one()
    return table, int(batch_id), None


def _close(
    conn, kind: str, batch_id: int, written: int, replaced: int, duplicates: int, errors, meta
) -> None:
    """The batch's error report, its counts, the kind's change counter and the audit event."""
    if errors:
        conn.execute(
            insert(BatchError),
            [
                {
                    "batch_id": batch_id,
                    "line": e.line,
                    "column": e.column,
                    "value": e.value[:300],
                    "code": e.code,
                    "level": e.level,
                }
                for e in errors
            ],
        )
    conn.execute(
        update(UploadBatch)
        .where(UploadBatch.id == batch_id)
        .values(
            rows_imported=written,
            rows_updated=replaced,
            duplicates=duplicates,
            rows_rejected=meta["rows_rejected"],
        )
    )
    bump(conn, kind)
    record(
        conn,
        meta.get("uploaded_by", ""),
        "upload",
        f"batch:{batch_id}",
        {
            "kind": kind,
            "file_sha256": meta["file_sha256"],
            "rows_imported": written,
            "rows_updated": replaced,
            "rows_rejected": meta["rows_rejected"],
        },
        scope=meta.get("scope"),
    )


def _classify(conn, table, date_col: str, rows: pd.DataFrame, stored: _Stored):
    """Split incoming rows into new, replacing (ids of the rows they replace) and duplicates."""
    replaced: list[int] = []
    touched = None
    with_id = rows["record_id"].notna()
    keep = pd.Series(True, index=rows.index)

    # A later row with the same sender id in the same file wins.
    dup_in_file = with_id & rows["record_id"].duplicated(keep="last")
    keep &= ~dup_in_file

    ids = rows.loc[with_id & keep, "record_id"].tolist()  # unique: earlier copies are dropped above
    current: dict[str, tuple[int, int, dt.date]] = {}
    for rid, rec, rhash, day in _active_with_ids(conn, table, date_col, ids):
        current[rec] = (rid, rhash, day)
    if current:
        sub = rows.loc[with_id & keep]
        for i, rec, rhash in zip(sub.index, sub["record_id"], sub["row_hash"]):
            hit = current.get(rec)
            if hit is None:
                continue
            if hit[1] == rhash:
                keep[i] = False  # same content: nothing to do
            else:
                replaced.append(hit[0])
                touched = _span(touched, hit[2], hit[2])

    # Rows without sender id: identical to an active row already stored -> duplicate.
    no_id = ~with_id & keep
    if no_id.any():
        days, hashes = rows.loc[no_id, date_col], rows.loc[no_id, "row_hash"]
        known = stored.holds(days.min(), days.max(), hashes.to_numpy())
        keep.loc[hashes.index[known]] = False
    duplicates = int((~keep).sum())
    return (rows if duplicates == 0 else rows[keep]), replaced, duplicates, touched


class _Stored:
    """The fingerprints of the active rows without sender id stored before this batch, by date:
    what a row without id duplicates. Read once per span of dates (a voter list's parts share
    their list date: one read for the whole list, not one scan per part) into one sorted NumPy
    array, in which each part's rows are looked up by binary search. As a Python set they cost a
    second 4M-row voter list of the same date 33.1 s instead of 18.7 s (PostgreSQL 15; SQLite
    33.6 s instead of 19.9 s): reading 4M fingerprints one by one took ~4 s, and `isin` made the
    set into an array again for each of the 8 parts (~3 s each). Dates of which the kind's daily
    roll-up holds no row are not read at all."""

    def __init__(self, conn, kind: str, table, batch_id: int):
        record = data_kind(kind)
        self._conn, self._table, self._date, self._batch = conn, table, record.date, batch_id
        self._span, self._hashes = None, np.empty(0, dtype=np.int64)
        # the kind's daily roll-up counts every active row by its date (none for a kind without)
        self._daily = next((r.table for r in record.rollups if not r.monthly), None)

    def holds(self, lo, hi, hashes: np.ndarray) -> np.ndarray:
        """Per fingerprint (dated lo..hi): whether an active stored row has it."""
        if self._span is None:
            self._read(lo, hi)
        else:
            if lo < self._span[0]:
                self._read(lo, self._span[0], upper=False)
            if hi > self._span[1]:
                self._read(self._span[1], hi, lower=False)
        stored, hashes = self._hashes, np.asarray(hashes, dtype=np.int64)
        if not len(stored):
            return np.zeros(len(hashes), dtype=bool)
        at = np.minimum(np.searchsorted(stored, hashes), len(stored) - 1)
        return stored[at] == hashes

    def _read(self, lo, hi, lower: bool = True, upper: bool = True) -> None:
        """Add the fingerprints of the active rows other batches stored dated lo..hi (each bound
        included or not)."""
        conn, mark = self._conn, param_mark(self._conn)

        def dated(column: str) -> str:
            return f"{column} {'>=' if lower else '>'} {mark} AND {column} {'<=' if upper else '<'} {mark}"

        dates = (lo, hi) if conn.dialect.name == "postgresql" else (_iso(lo), _iso(hi))
        self._span = _span(self._span, lo, hi)
        # Nothing stored of these dates, says the daily roll-up: no scan of every stored list (a
        # regency's 400K-row list after a province's 4M-row one of another date: 0.49 s less)
        if (
            self._daily
            and not conn.exec_driver_sql(
                f"SELECT EXISTS (SELECT 1 FROM {self._daily} WHERE {dated('day')})", dates
            ).scalar()
        ):
            return
        name = self._table.name
        where = (
            f"replaced_by_batch IS NULL AND record_id IS NULL AND batch_id <> {mark} "
            f"AND {dated(self._date)}"
        )
        if conn.dialect.name == "postgresql":  # one value of 8 bytes a fingerprint (1 GB: 134M)
            blob = conn.exec_driver_sql(
                f"SELECT string_agg(int8send(row_hash), ''::bytea) FROM {name} WHERE {where}",
                (self._batch, *dates),
            ).scalar()
            self._add(np.frombuffer(blob or b"", dtype=">i8").astype(np.int64))
        else:  # SQLite keeps dates as ISO text (SQLAlchemy's Date)
            cursor = conn.exec_driver_sql(
                f"SELECT row_hash FROM {name} WHERE {where}", (self._batch, *dates)
            )
            self._add(np.fromiter((h for (h,) in cursor), dtype=np.int64))

    def _add(self, found: np.ndarray) -> None:
        if len(found):  # sorted, not np.unique: NumPy 2's unique took 8 s for 8M, a sort 0.1 s
            self._hashes = np.sort(np.concatenate([self._hashes, found]))


def _iso(day) -> str:
    return day.isoformat()[:10] if hasattr(day, "isoformat") else str(day)[:10]


def _active_with_ids(conn, table, date_col: str, ids: list[str]):
    """Active rows carrying one of these sender ids. Many ids: one join with a temporary table
    instead of thousands of IN (...) queries, unless no stored id can match."""
    c = table.c
    cols = (c.id, c.record_id, c.row_hash, c[date_col])
    if not ids or not _may_match(conn, table, ids):
        return
    if len(ids) <= 4 * CHUNK:
        for chunk in chunks(ids):
            yield from conn.execute(
                select(*cols).where(c.record_id.in_(chunk), c.replaced_by_batch.is_(None))
            )
        return
    byte_order = (
        ' COLLATE "C"' if conn.dialect.name == "postgresql" else ""
    )  # as the sender-id column's
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE incoming_ids (record_id VARCHAR(64){byte_order} PRIMARY KEY)"
    )
    try:
        bulk_insert_raw(
            conn, "incoming_ids", ["record_id"], np.array(ids, dtype=object).reshape(-1, 1)
        )
        # Typed result columns: on SQLite a raw query would give the dates as ISO text.
        yield from conn.execute(
            text(
                f"SELECT t.id, t.record_id, t.row_hash, t.{date_col} FROM {table.name} t "
                "JOIN incoming_ids i ON i.record_id = t.record_id WHERE t.replaced_by_batch IS NULL"
            ).columns(*cols)
        ).fetchall()
    finally:
        conn.exec_driver_sql("DROP TABLE incoming_ids")


def _may_match(conn, table, ids: list[str]) -> bool:
    """False when no active row can carry one of `ids` (one probe of the sender-id index): a first
    or a non-overlapping file skips the join. Sender ids are compared in byte order on both
    engines (SQLite's BINARY, COLLATE "C" on PostgreSQL), as Python's min and max order them."""
    found = table.c.replaced_by_batch.is_(None) & table.c.record_id.between(min(ids), max(ids))
    return conn.execute(select(table.c.id).where(found).limit(1)).first() is not None


def _span(span, lo, hi):
    if span is None:
        return (lo, hi)
    return (min(span[0], lo), max(span[1], hi))


def _insert(
    conn, kind: str, table, rows: pd.DataFrame, batch_id: int, pure_inserts: bool
) -> list | None:
    """Insert the batch's rows. When they only add rows, return their roll-up deltas, computed on
    a second thread while the database works on its own: on PostgreSQL while the server stores the
    COPY (its 2.2 s per million rows outlast Python's 1.1 s of encoding them), on SQLite while it
    builds the table's indexes again (that holds no GIL; during SQLite's insert itself a busy
    second thread would slow every row)."""
    dialect = conn.dialect.name
    deltas = None
    rows = _with_keys(table, rows)
    with ThreadPoolExecutor(max_workers=1) as pool:
        with _written_into(conn, table, batch_id, len(rows)) as into:
            if pure_inserts and dialect == "postgresql":
                deltas = pool.submit(rollups.deltas_of, kind, rows, dialect)
            bulk_insert(conn, table, rows, into=into, batch_id=batch_id)
            if pure_inserts and dialect == "sqlite":
                deltas = pool.submit(rollups.deltas_of, kind, rows, dialect)
        return deltas.result() if deltas else None


def _with_keys(table, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with the columns the database keeps besides the stored ones: a voter list's
    lookup key, made from each NIK hash."""
    return voter_lists.with_nik_key(rows) if table.name == VoterList.__tablename__ else rows


@contextlib.contextmanager
def _written_into(conn, table, batch_id: int, rows: int, up_to: int = 1):
    """Yield the name of the table a batch's `rows` rows are written into: on PostgreSQL, for a
    table partitioned by batch (voter_list), a new table of the batch's own, attached as its
    partition afterwards (storage/partitions.py); otherwise the table itself, its indexes set
    aside meanwhile when it holds at most `up_to` times the rows (_indexes_set_aside)."""
    if partitions.by_batch(conn, table.name):
        with partitions.batch_table(conn, table.name, batch_id) as own:
            yield own
    else:
        with _indexes_set_aside(conn, table.name, rows, up_to=up_to):
            yield table.name


def bulk_insert(conn, table, frame: pd.DataFrame, *, into: str | None = None, **constants) -> None:
    """Insert a frame's rows at driver speed: COPY on PostgreSQL, multi-row INSERTs on SQLite.
    `into`: the table written, when not `table` itself (a batch's partition: ids still come from
    `table`'s sequence).
    Values must already be Python objects with None for missing (see loaders.pipeline), or
    NumPy integers without missing values (row_hash: given to SQLite as Python ints).
    `constants` (the batch id) are the same for every row; on SQLite they are written into the
    statement, and columns holding only None are left out (NULL): fewer values to bind per row.
    `table`: a Table or a model."""
    table = getattr(table, "__table__", table)
    name = table.name
    if frame.empty:
        return
    if conn.dialect.name == "postgresql":
        frame = frame.assign(**constants)
        first = _take_ids(conn, name, len(frame))
        ids = np.arange(first, first + len(frame), dtype=np.int64)
        copy_columns(
            conn,
            into or name,
            ["id", *frame.columns],
            [ids, *(_copied(frame[c]) for c in frame.columns)],
        )
        return
    cols, values = [], []
    fixed = {c: str(int(v)) for c, v in constants.items()}  # integers only: safe as SQL literals
    for col in frame.columns:
        v = _objects(frame[col])
        if v[0] is None and np.equal(v, None).all():  # e.g. no coordinates in the file
            continue
        if isinstance(table.c[col].type, Date):
            v = _iso_dates(v)  # SQLite stores dates as ISO text, as SQLAlchemy's Date type does
        literal = _literal(v)
        if literal is not None:  # one value throughout (a voter list's name and date)
            fixed[col] = literal
            last = (col, v)
            continue
        cols.append(col)
        values.append(v)
    if not cols and len(fixed) > len(constants):  # every value the same: one column still bound
        del fixed[last[0]]
        cols, values = [last[0]], [last[1]]
    head = f"INSERT INTO {into or name} ({', '.join([*fixed, *cols])}) VALUES "
    row = f"({', '.join([*fixed.values(), *['?'] * len(cols)])})"
    binary = [isinstance(table.c[c].type, LargeBinary) for c in cols]
    for start in range(0, len(frame), GRID_ROWS):  # a 2-D block at a time, not the whole file's
        block = [v[start : start + GRID_ROWS] for v in values]
        block = [_bytearrays(v) if b else v for v, b in zip(block, binary)]
        insert_rows(conn, head, row, np.column_stack(block))


def _copied(column: pd.Series) -> np.ndarray:
    """A column as COPY takes it: integers as NumPy's, fixed-width bytes as a block and repeated
    text as its Categorical (encoded at once), else Python values."""
    block = copy_binary.fixed_width(column)
    if block is not None:
        return block
    if isinstance(column.dtype, pd.CategoricalDtype):  # encoded once per distinct value
        return column.array
    if column.dtype.kind in "iu":
        return column.to_numpy()
    return column.to_numpy(dtype=object)


def _objects(column: pd.Series) -> np.ndarray:
    """A column's Python values for SQLite: fixed-width bytes (a voter list's NIK hashes) as
    bytearrays cut from one copy of their block (sqlite3 binds a bytearray at once, a bytes value
    only after looking for an adapter: see _bytearrays); repeated text (a Categorical) as its
    values."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return driver_values(column)
    block = copy_binary.fixed_width(column)
    if block is None:
        return column.to_numpy(dtype=object)
    data, width = bytearray(block), block.shape[1]
    return np.fromiter(
        (data[i : i + width] for i in range(0, len(data), width)), dtype=object, count=len(block)
    )


def _literal(values: np.ndarray) -> str | None:
    """SQLite: the SQL literal of a column holding one integer or one text throughout, written
    into the statement instead of bound for every row (4M voter-list rows, list name and date:
    ~0.8 s of CPU less); None for anything else. Only exact ints and strs (1, 1.0 and True bind
    differently into a text column), within 64 bits, without NUL."""
    first = values[0]
    if type(first) is int and -(2**63) <= first < 2**63:
        kind, literal = "integer", str(first)
    elif type(first) is str and "\x00" not in first and first.isprintable():
        kind, literal = "string", "'" + first.replace("'", "''") + "'"
    else:
        return None
    if not (values[:64] == first).all() or not (values == first).all():  # the first: cheap no
        return None
    return literal if pd.api.types.infer_dtype(values, skipna=False) == kind else None


GRID_ROWS = 65_536  # rows made into one 2-D block of values at a time (a multiple of 64)


def _bytearrays(values: np.ndarray) -> np.ndarray:
    """bytes -> bytearray (None kept) for SQLite: sqlite3 binds a bytearray as a BLOB at once but
    looks for an adapter for every bytes value first (1M 32-byte values: 1.12 vs 0.47-0.49 s of
    CPU to insert, measured; the copies cost 0.14 s)."""
    there = ~np.equal(values, None)
    if set(map(type, values[there])) <= {bytearray}:  # made so (loaders/pseudonym.py): as they are
        return values
    out = values.copy()
    out[there] = np.fromiter(map(bytearray, values[there]), dtype=object, count=int(there.sum()))
    return out


def _take_ids(conn, table_name: str, n: int) -> int:
    """PostgreSQL: the first of `n` consecutive ids taken from the table's sequence in one step,
    then sent with the rows; the server does not call nextval for each of a million rows (COPY
    of 1M presence rows: 2.44 -> 2.19 s, median of 6). Data writers hold their lock: no other
    import takes ids meanwhile (and one that did would fail on the primary key, not mix rows)."""
    last = conn.exec_driver_sql(
        "SELECT setval(pg_get_serial_sequence(%(t)s, 'id'), "
        "nextval(pg_get_serial_sequence(%(t)s, 'id')) + %(n)s - 1)",
        {"t": table_name, "n": n},
    ).scalar()
    return last - n + 1


@contextlib.contextmanager
def _indexes_set_aside(conn, table_name: str, rows: int, worth: bool | None = None, up_to: int = 1):
    """When the table holds at most `up_to` times the batch's rows (or when `worth` says so):
    drop the table's secondary indexes (and, on PostgreSQL, its keys) for the insert or delete
    and create them again from their stored definitions afterwards. Building an index is one
    sort; keeping it costs a random B-tree insert per row and index (about three times the time
    for a million rows), and PostgreSQL checks a foreign key row by row (~3.7 s per million rows)
    where adding it back checks all rows in one join. Same transaction: a rollback or a crash
    restores them as they were. On PostgreSQL the table is locked for the rest of the
    transaction (reads of it wait; the pages' roll-ups do not).
    """
    if worth is None:
        stored = (
            conn.exec_driver_sql(f"SELECT max(id) FROM {table_name}").scalar() or 0
        )  # >= its row count
        worth = stored <= up_to * rows
    if not worth:
        yield
        return
    drops = (
        _sqlite_indexes(conn, table_name)
        if conn.dialect.name == "sqlite"
        else _pg_keys_and_indexes(conn, table_name)
    )
    for drop, _ in drops:
        conn.exec_driver_sql(drop)
    yield
    with sort_cache(conn):
        for _, create in drops:
            conn.exec_driver_sql(create)


def _sqlite_indexes(conn, table_name: str) -> list[tuple[str, str]]:
    """(drop, create) statements of the table's indexes."""
    return [
        (f'DROP INDEX "{name}"', create)
        for name, create in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table_name,),
        ).all()
    ]


def _pg_keys_and_indexes(conn, table_name: str) -> list[tuple[str, str]]:
    """(drop, create) statements of the table's foreign keys, of its primary key when no foreign
    key refers to it, and of its indexes that back no constraint. The primary key added back
    after the COPY sorts the ids once: 4M voter-list rows' COPY took 3.9-4.0 instead of 5.7-5.9 s,
    adding the key 0.7-0.8 s (one run each)."""
    keys = conn.exec_driver_sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint k "
        "WHERE conrelid = to_regclass(%(t)s) AND (contype = 'f' OR contype = 'p' AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint f WHERE f.confrelid = k.conrelid AND f.contype = 'f')) "
        "ORDER BY contype = 'f'",  # the primary key first: added back before the foreign keys
        {"t": table_name},
    ).all()
    indexes = conn.exec_driver_sql(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = to_regclass(%(t)s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
        {"t": table_name},
    ).all()
    return [
        (
            f'ALTER TABLE {table_name} DROP CONSTRAINT "{name}"',
            f'ALTER TABLE {table_name} ADD CONSTRAINT "{name}" {d}',
        )
        for name, d in keys
    ] + [(f'DROP INDEX "{name}"', create) for name, create in indexes]


def _iso_dates(values):
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    iso = np.array([u.isoformat() for u in uniques] + [None], dtype=object)
    return iso[codes]  # code -1 (missing) takes the trailing None


def bulk_insert_raw(conn, table_name: str, cols: list[str], rows: np.ndarray) -> None:
    """rows: 2-D, one row of Python values per row to insert."""
    if conn.dialect.name == "postgresql":
        copy_columns(conn, table_name, cols, list(rows.T))
        return
    insert_rows(
        conn,
        f"INSERT INTO {table_name} ({', '.join(cols)}) VALUES ",
        f"({', '.join([param_mark(conn)] * len(cols))})",
        rows,
    )


def undo_batch(engine: Engine, batch_id: int, actor: str) -> dict:
    """Remove every row a batch brought and restore the rows it replaced (admin only; the page
    and the command line check the role)."""
    with write_tx(engine) as conn:
        one_data_writer_at_a_time(conn)
        batch = conn.execute(
            select(
                UploadBatch.kind,
                UploadBatch.status,
                (UploadBatch.rows_imported + UploadBatch.rows_updated).label("brought"),
            ).where(UploadBatch.id == batch_id)
        ).one_or_none()
        if batch is None or batch.status != "committed":
            raise ValueError(f"batch {batch_id} is not a committed batch")
        kind_record = data_kind(batch.kind)
        table = table_named(conn, kind_record.table)
        c, day = table.c, table.c[kind_record.date]
        # A kind without identity replaces no rows (a list is a snapshot): only the batch's own
        # rows, which on a partitioned table are read from its partition alone
        brought = c.batch_id == batch_id
        if kind_record.identity is not None:
            brought |= c.replaced_by_batch == batch_id
        span = conn.execute(select(func.min(day), func.max(day)).where(brought)).one()
        by_batch = partitions.by_batch(conn, table.name)
        if by_batch:  # its files go with its table (no VACUUM FULL needed below)
            removed, restored = partitions.drop(conn, table.name, batch_id), 0
        else:
            removed, restored = _deleted(conn, table, batch_id, batch.brought)
        conn.execute(
            update(UploadBatch)
            .where(UploadBatch.id == batch_id)
            .values(status="undone", undone_at=utcnow(), undone_by=actor)
        )
        if span[0] is not None:
            rollups.refresh(conn, batch.kind, span[0], span[1])
        bump(conn, batch.kind)
        deleted_by = (  # the transaction whose deleted rows _forget_deleted removes from the files
            conn.exec_driver_sql("SELECT pg_current_xact_id()::text").scalar()
            if conn.dialect.name == "postgresql"
            else None
        )
        record(
            conn,
            actor,
            "batch_undo",
            f"batch:{batch_id}",
            {"removed": removed, "restored": restored},
        )
    if not by_batch:
        _forget_deleted(engine, batch.kind, table.name, deleted_by)
    return {"removed": removed, "restored": restored}


def _deleted(conn, table, batch_id: int, brought: int) -> tuple[int, int]:
    """Delete a batch's rows and restore the rows it replaced: (removed, restored). A batch of at
    least half the table (a first large upload): its rows go faster with the indexes set aside and
    built again over what stays; each index entry would otherwise be found and removed one by one
    (secure delete zeroes them either way)."""
    c = table.c
    stored = conn.execute(select(func.count()).select_from(table)).scalar()
    with _indexes_set_aside(conn, table.name, brought, worth=2 * brought >= stored):
        removed = conn.execute(table.delete().where(and_(c.batch_id == batch_id))).rowcount
        restored = conn.execute(
            update(table).where(c.replaced_by_batch == batch_id).values(replaced_by_batch=None)
        ).rowcount
    return removed, restored


def _forget_deleted(engine: Engine, kind: str, table_name: str, deleted_by: str | None) -> None:
    """After an undo, the deleted rows' bytes leave the database's files (docs/voter-list-check.md).
    SQLite: secure_delete has zeroed them in the file's pages, but until a checkpoint the WAL
    still holds the pages as they were before (an undone voter list's hashes, a passport's
    pseudonym): copy the WAL into the file and truncate it; busy readers may hold it back, the
    next checkpoint then does it. PostgreSQL keeps deleted rows in the table's files until their
    space is reused: for a kind holding keyed hashes, VACUUM FULL writes the table and its indexes
    anew without them (the old files are truncated when it commits; the table is locked
    meanwhile: 4.4-4.8 s with 4M voters stored, PostgreSQL 15)."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # outside a transaction: a checkpoint cannot run inside one
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    elif any(c.secret for c in data_kind(kind).columns):
        # VACUUM cannot run inside a transaction either
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            _rewrite_without_dead_rows(conn, table_name, deleted_by)


PURGE_WAIT_S = 30.0


def _rewrite_without_dead_rows(conn, table_name: str, deleted_by: str) -> None:
    """VACUUM FULL once no session still sees the rows transaction `deleted_by` deleted (up to
    PURGE_WAIT_S). VACUUM FULL keeps deleted rows that a snapshot older than the delete may still
    see, and the server counts not only this database's snapshots but any transaction running
    in another one (beside another test worker dropping its databases, all 998 hashes stayed in 1
    of ~6 runs). Imports wait meanwhile (the data writers' lock)."""
    older = (  # sessions holding a snapshot or transaction begun before `deleted_by` ended
        "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND ("
        "(datname = current_database() OR datname IS NULL) "
        "AND age(backend_xmin) >= age(%(x)s::xid) OR age(backend_xid) >= age(%(x)s::xid))"
    )
    xid = str(int(deleted_by) % 2**32)  # the 32-bit xid pg_stat_activity shows
    conn.exec_driver_sql("SELECT pg_advisory_lock(%s)", (DATA_WRITER_LOCK,))
    try:
        deadline = time.monotonic() + PURGE_WAIT_S
        while conn.exec_driver_sql(older, {"x": xid}).scalar():
            if time.monotonic() > deadline:
                log.warning(
                    "%s: a session older than the undo still runs; VACUUM FULL keeps the rows it "
                    "may see (the next undo's removes them)",
                    table_name,
                )
                break
            time.sleep(0.05)
        conn.exec_driver_sql(f"VACUUM FULL {table_name}")
    finally:
        conn.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (DATA_WRITER_LOCK,))
