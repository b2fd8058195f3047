"""Roll-ups (daily aggregates) the pages read instead of raw rows.

`refresh` rebuilds one kind's roll-up for a date span from the active rows, inside the caller's
transaction (the import's, or an undo's); `rebuild_all` is the command-line repair:
`python -m storage.rollups [--db URL]`.
"""
from __future__ import annotations

import argparse
import datetime as dt

import pandas as pd

from sqlalchemy import Connection, delete, func, insert, select

from storage.engine import get_engine, write_tx
from storage.models import Crossing, CrossingDaily, Incident, IncidentDaily, Presence, PresenceDaily


def _presence(lo, hi):
    p = Presence
    sel = (select(p.report_date, p.regency_code, p.nationality, p.permit_type, p.activity,
                  func.sum(p.person_count), func.count())
           .where(p.replaced_by_batch.is_(None), p.report_date.between(lo, hi))
           .group_by(p.report_date, p.regency_code, p.nationality, p.permit_type, p.activity))
    cols = ["day", "regency_code", "nationality", "permit_type", "activity", "persons", "reports"]
    return PresenceDaily, PresenceDaily.day, sel, cols


def _incidents(lo, hi):
    i = Incident
    sel = (select(i.incident_date, i.regency_code, i.category, i.severity, i.status, i.election_related,
                  func.count(), func.sum(i.persons))
           .where(i.replaced_by_batch.is_(None), i.incident_date.between(lo, hi))
           .group_by(i.incident_date, i.regency_code, i.category, i.severity, i.status, i.election_related))
    cols = ["day", "regency_code", "category", "severity", "status", "election_related", "incidents", "persons"]
    return IncidentDaily, IncidentDaily.day, sel, cols


def _crossings(lo, hi):
    c = Crossing
    sel = (select(c.date, c.port_id, c.direction, func.sum(c.count))
           .where(c.replaced_by_batch.is_(None), c.date.between(lo, hi))
           .group_by(c.date, c.port_id, c.direction))
    return CrossingDaily, CrossingDaily.day, sel, ["day", "port_id", "direction", "persons"]


BUILDERS = {"presence": _presence, "incidents": _incidents, "crossings": _crossings}


def refresh(conn: Connection, kind: str, lo: dt.date, hi: dt.date) -> None:
    model, day, sel, cols = BUILDERS[kind](lo, hi)
    conn.execute(delete(model).where(day.between(lo, hi)))
    conn.execute(insert(model).from_select(cols, sel))


# Group columns and summed columns of each roll-up, computed from a batch frame.
_DELTA = {
    "presence": (PresenceDaily, {"report_date": "day"}, ["regency_code", "nationality", "permit_type", "activity"],
                 {"persons": ("person_count", "sum"), "reports": ("person_count", "size")}),
    "incidents": (IncidentDaily, {"incident_date": "day"},
                  ["regency_code", "category", "severity", "status", "election_related"],
                  {"incidents": ("persons", "size"), "persons": ("persons", "sum")}),
    "crossings": (CrossingDaily, {"date": "day"}, ["port_id", "direction"], {"persons": ("count", "sum")}),
}


def add(conn: Connection, kind: str, rows) -> None:
    """Add newly inserted rows to the roll-up (upsert: existing cells are incremented).
    Used for batches that replaced nothing; `refresh` covers the rest."""
    model, rename, keys, sums = _DELTA[kind]
    frame = rows.rename(columns=rename)
    group = ["day", *keys]
    delta = frame.groupby(group, dropna=False).agg(**sums).reset_index()
    if kind == "incidents":
        delta["election_related"] = delta["election_related"].astype(bool)
    if conn.dialect.name == "sqlite":
        delta["day"] = _iso(delta["day"])
    cols = [*group, *sums]
    # Same SQL on SQLite (>= 3.24) and PostgreSQL: add to existing cells, insert new ones.
    sql = (f"INSERT INTO {model.__tablename__} ({', '.join(cols)}) VALUES ({', '.join([_mark(conn)] * len(cols))}) "
           f"ON CONFLICT ({', '.join(group)}) DO UPDATE SET "
           + ", ".join(f"{c} = {model.__tablename__}.{c} + excluded.{c}" for c in sums))
    conn.exec_driver_sql(sql, list(zip(*[_python(delta[c]) for c in cols])))


def _mark(conn) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _python(col):
    """Column -> list of plain Python values (drivers do not bind numpy scalars)."""
    return col.astype(object).tolist()


def _iso(col):
    codes, uniques = pd.factorize(col)
    return pd.Series([u.isoformat() for u in uniques], dtype=object).to_numpy()[codes]


def rebuild_all(conn: Connection) -> None:
    lo, hi = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
    for kind in BUILDERS:
        refresh(conn, kind, lo, hi)


def main() -> None:
    ap = argparse.ArgumentParser(description="Rebuild every roll-up from the active rows.")
    ap.add_argument("--db", help="SQLAlchemy URL (default: NTB_DB_URL or the embedded SQLite file)")
    args = ap.parse_args()
    with write_tx(get_engine(args.db)) as conn:
        rebuild_all(conn)
    print("roll-ups rebuilt")


if __name__ == "__main__":
    main()
