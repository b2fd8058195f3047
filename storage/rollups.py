"""Roll-ups (daily aggregates) the pages read instead of raw rows.

Each kind has one or more roll-up levels (its record's `rollups`, domain/data_kinds.py): presence
at day × regency (what the unfiltered map, KPIs and trends read), day × regency × nationality, and the full
day × regency × nationality × permit × activity (any filter). Two levels are also kept by calendar
month (`month` = its first day), for periods that span whole months. All are kept up to date inside the
import transaction: `add` upserts a batch's own aggregates when it replaced nothing; `refresh`
rebuilds a date span from the active rows (after replacements and undo). `rebuild_all` is the
command-line repair: `python -m storage.rollups [--db URL]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Date, cast, delete, func, insert, select

from domain.data_kinds import Rollup, kinds
from domain.data_kinds import kind as data_kind
from storage.engine import (
    copy_columns,
    driver_values,
    get_engine,
    insert_rows,
    one_data_writer_at_a_time,
    param_mark,
    write_tx,
)
from storage.tables import table


class _Levels(Mapping):
    """kind -> its roll-ups (Rollup: table, keys, sums, monthly), read from its record."""

    def __getitem__(self, name: str) -> tuple[Rollup, ...]:
        return data_kind(name).rollups

    def __iter__(self):
        return iter(kinds())

    def __len__(self) -> int:
        return len(kinds())


ROLLUPS = _Levels()


def refresh(conn: Connection, kind: str, lo: dt.date, hi: dt.date) -> None:
    """Rebuild the span [lo, hi] of every roll-up of `kind` from the active rows (monthly
    roll-ups: the whole months that span touches)."""
    record = data_kind(kind)
    src = table(conn, record.table)
    day = src.c[record.date]
    for r in record.rollups:
        dst = table(conn, r.table)
        a, b = (month_of(lo), month_end(hi)) if r.monthly else (lo, hi)
        aggs = [func.sum(src.c[c]) if how == "sum" else func.count() for c, how in r.sums.values()]
        period = month_start(conn.dialect.name, day) if r.monthly else day
        group = [period, *(src.c[k] for k in r.keys)]
        sel = (
            select(*group, *aggs)
            .where(src.c.replaced_by_batch.is_(None), day.between(a, b))
            .group_by(*group)
        )
        conn.execute(delete(dst).where(dst.c[r.period].between(a, b)))
        conn.execute(insert(dst).from_select([r.period, *r.keys, *r.sums], sel))


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def month_start(dialect: str, day):
    """SQL: the first day of `day`'s month, as a date (portable SQL has no month truncation)."""
    if dialect == "sqlite":
        return func.date(day, "start of month")
    return cast(func.date_trunc("month", day), Date)


def add(
    conn: Connection, kind: str, rows: pd.DataFrame, deltas: list[np.ndarray] | None = None
) -> None:
    """Add newly inserted rows to every roll-up of `kind`: cells of days (months) the roll-up has
    nothing for yet are inserted as they are, at COPY speed on PostgreSQL; otherwise upserted
    (existing cells are incremented). `deltas`: deltas_of(kind, rows, dialect) when at hand."""
    if deltas is None:
        deltas = deltas_of(kind, rows, conn.dialect.name)
    mark = param_mark(conn)
    for r, values in zip(data_kind(kind).rollups, deltas):
        group = [r.period, *r.keys]
        cols = [*group, *r.sums]
        name = r.table
        periods = values[:, 0]
        # Inside the data writers' lock: nobody adds cells between this look and the insert.
        fresh = (
            conn.exec_driver_sql(
                f"SELECT 1 FROM {name} WHERE {r.period} BETWEEN {mark} AND {mark} LIMIT 1",
                (periods.min(), periods.max()),
            ).first()
            is None
        )
        if fresh and conn.dialect.name == "postgresql":
            copy_columns(conn, name, cols, list(values.T))
            continue
        # Same upsert on SQLite (>= 3.24) and PostgreSQL: add to existing cells, insert new ones
        # (a statement's rows have distinct keys, as PostgreSQL requires).
        upsert = (
            ""
            if fresh
            else (
                f" ON CONFLICT ({', '.join(group)}) DO UPDATE SET "
                + ", ".join(f"{c} = {name}.{c} + excluded.{c}" for c in r.sums)
            )
        )
        if conn.dialect.name == "postgresql" and len(values) > 1000:
            # Many cells: COPY them into a scratch table and upsert in one statement.
            conn.exec_driver_sql(f"CREATE TEMPORARY TABLE delta_cells (LIKE {name})")
            copy_columns(conn, "delta_cells", cols, list(values.T))
            conn.exec_driver_sql(
                f"INSERT INTO {name} ({', '.join(cols)}) SELECT {', '.join(cols)} "
                f"FROM delta_cells{upsert}"
            )
            conn.exec_driver_sql("DROP TABLE delta_cells")
            continue
        insert_rows(
            conn,
            f"INSERT INTO {name} ({', '.join(cols)}) VALUES ",
            f"({', '.join([mark] * len(cols))})",
            values,
            upsert,
        )


def deltas_of(kind: str, rows: pd.DataFrame, dialect: str) -> list[np.ndarray]:
    """Each roll-up's aggregates of `rows` as the driver takes them: rows of (day, keys..., sums...)
    in key order. The rows are grouped once, by every key of the kind; the coarser roll-ups then add up
    those groups, far fewer than rows."""
    record = data_kind(kind)
    levels, date_col = record.rollups, record.date
    if not levels:
        return []
    flags = [s.name for s in record.stored if record.column(s.source).type == "bool"]
    keys = list(dict.fromkeys(k for r in levels for k in r.keys))
    parts = {f"{how}_{col}": (col, how) for r in levels for col, how in r.sums.values()}
    sources = list(dict.fromkeys(c for c, _ in parts.values()))
    summed = list(dict.fromkeys(c for c, how in parts.values() if how == "sum"))
    # Python ints -> int64: summed without Python calls; a column only counted ("size") may be text
    measures = rows[sources].apply(lambda s: pd.to_numeric(s) if s.name in summed else s)
    finest = (
        pd.concat([rows[[date_col, *keys]], measures], axis=1)
        .groupby([date_col, *keys], dropna=False, sort=False, observed=True)
        .agg(**parts)
    )
    # repeated text comes as Categoricals (loaders.pipeline), grouped above by its codes; the few
    # groups' keys as plain values from here on: sorted as text, None for missing
    if keys:
        finest.index = pd.MultiIndex.from_arrays(
            [driver_values(finest.index.get_level_values(k)) for k in [date_col, *keys]],
            names=[date_col, *keys],
        )
    days = finest.index.get_level_values(date_col)
    months = _month_starts(days).rename(date_col)
    out = []
    for r in levels:
        sums = {name: (f"{how}_{col}", "sum") for name, (col, how) in r.sums.items()}
        by = [months if r.monthly else days, *(finest.index.get_level_values(k) for k in r.keys)]
        # sorted by key: the upsert then walks each roll-up's primary key in order
        delta = finest.groupby(by, dropna=False).agg(**sums).reset_index()
        for flag in set(flags) & set(r.keys):  # Python bools for the drivers
            delta[flag] = delta[flag].astype(bool)
        if dialect == "sqlite":
            delta[date_col] = _iso(delta[date_col])
        out.append(
            np.column_stack(
                [delta[c].astype(object).to_numpy() for c in [date_col, *r.keys, *r.sums]]
            )
        )
    return out


def combined(kind: str, parts: list[list[np.ndarray]]) -> list[np.ndarray]:
    """deltas_of over several parts of one batch's rows, as deltas_of over all of them: each
    roll-up's cells of the parts stacked, cells with the same key added up, in key order (a
    voter list written part by part: storage.imports.commit_parts)."""
    if len(parts) == 1:
        return parts[0]
    out = []
    for r, arrays in zip(data_kind(kind).rollups, zip(*parts)):
        cells = pd.DataFrame(np.concatenate(arrays))
        key = list(cells.columns[: 1 + len(r.keys)])
        sums = list(cells.columns[len(key) :])
        cells[sums] = cells[sums].astype(np.int64)
        total = cells.groupby(key, dropna=False).sum().reset_index()
        out.append(np.column_stack([total[c].astype(object).to_numpy() for c in total.columns]))
    return out


def _month_starts(days: pd.Index) -> pd.Index:
    codes, uniques = pd.factorize(days)
    return pd.Index(np.array([month_of(u) for u in uniques] + [None], dtype=object)[codes])


def _iso(col):
    codes, uniques = pd.factorize(col)
    return pd.Series([u.isoformat() for u in uniques], dtype=object).to_numpy()[codes]


def rebuild_all(conn: Connection) -> None:
    lo, hi = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
    for kind in kinds():
        refresh(conn, kind, lo, hi)


def main() -> None:
    ap = argparse.ArgumentParser(description="Rebuild every roll-up from the active rows.")
    ap.add_argument("--db", help="SQLAlchemy URL (default: NTB_DB_URL or the embedded SQLite file)")
    args = ap.parse_args()
    with write_tx(get_engine(args.db)) as conn:
        one_data_writer_at_a_time(conn)
        rebuild_all(conn)
    print("roll-ups rebuilt")


if __name__ == "__main__":
    main()
