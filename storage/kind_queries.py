"""Page queries every data kind answers from its record alone (domain/data_kinds.py): its
figures over the period by day or by one of its roll-up's keys, and its active rows, newest
first. A new kind's page reads these (cached by ui/data.py under the kind's own change counter)
and needs a query of its own in storage/queries.py only for what they cannot say."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, false, func, select, true

from domain.data_kinds import kind as data_kind
from domain.filters import Filters
from storage.engine import read_tx
from storage.queries import _in_scope, _port_in_scope
from storage.tables import table


def totals(engine: Engine, kind: str, f: Filters, by: str = "day") -> pd.DataFrame:
    """The sums of the kind's first daily roll-up that has `by` ("day" or one of its keys), over
    the period, in the regencies in view when the roll-up has regencies (and the chosen
    nationalities when it has those): one row per value of `by`, in its order."""
    record = data_kind(kind)
    r = next(r for r in record.rollups if not r.monthly and (by == "day" or by in r.keys))
    with read_tx(engine) as conn:
        t = table(conn, r.table)
        where = [t.c.day.between(f.start, f.end), _scoped(f, t, t.c.day)]
        if f.nationalities and "nationality" in r.keys:
            where.append(t.c.nationality.in_(f.nationalities))
        stmt = (
            select(t.c[by], *(func.sum(t.c[n]).label(n) for n in r.sums))
            .where(*where)
            .group_by(t.c[by])
            .order_by(t.c[by])
        )
        out = pd.DataFrame([tuple(row) for row in conn.execute(stmt)], columns=[by, *r.sums])
    return out.astype({n: "int64" for n in r.sums})


def rows(engine: Engine, kind: str, f: Filters, limit: int = 100, offset: int = 0) -> pd.DataFrame:
    """The kind's active rows dated in the period (regencies in view when it has them), newest
    first, a page at a time: the sender's id and the stored columns, keyed hashes (passports, NIKs) left out."""
    record = data_kind(kind)
    with read_tx(engine) as conn:
        t = table(conn, record.table)
        shown = [
            "record_id",
            *(s.name for s in record.stored if not record.column(s.source).secret),
        ]
        day = t.c[record.date]
        where = [t.c.replaced_by_batch.is_(None), day.between(f.start, f.end), _scoped(f, t, day)]
        stmt = (
            select(*(t.c[c] for c in shown))
            .where(*where)
            .order_by(day.desc(), t.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return pd.DataFrame([tuple(row) for row in conn.execute(stmt)], columns=shown)


def _scoped(f: Filters, t, day):
    """The rows in view and in the account's scope, each on its own day: by regency, else by port;
    a kind with neither is all of NTB, which an office-scoped account does not see."""
    if "regency_code" in t.c:
        return _in_scope(f, t.c.regency_code, day)
    if "port_id" in t.c:
        return _port_in_scope(f, t.c.port_id, day)
    return true() if f.scope.province else false()
