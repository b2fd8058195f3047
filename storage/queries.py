"""Read side: what the pages and the briefing need, computed from the roll-ups plus small,
indexed detail queries. Every function takes the engine and the user's Filters, and returns
plain pandas objects. Portable SQL only (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandas as pd
from sqlalchemy import Engine, func, select

from domain.filters import Filters
from domain.regions import areas_on, regencies, regencies_of_office, regency_geometries
from loaders.values import allowed_values
from storage.engine import read_tx
from storage.models import (AuditEvent, CrossingDaily, Incident, IncidentDaily, IncidentRegencyDaily, PresenceDaily,
                            PresenceNationalityDaily, PresenceRegencyDaily, UploadBatch)


def _frame(engine: Engine, stmt) -> pd.DataFrame:
    with read_tx(engine) as conn:
        res = conn.execute(stmt)
        # Plain tuples: pandas probes Row objects attribute by attribute, which is slow.
        return pd.DataFrame([tuple(r) for r in res.fetchall()], columns=list(res.keys()))


def _rows(engine: Engine, *stmts) -> list[list[tuple]]:
    """Small results as plain rows, all read in one transaction (no DataFrame to build)."""
    with read_tx(engine) as conn:
        return [conn.execute(stmt).all() for stmt in stmts]


NAN = float("nan")


def scope(f: Filters) -> list[str]:
    """Regencies in view: the chosen ones, else the chosen office's area on the as-of date, else all."""
    if f.regencies:
        return list(f.regencies)
    if f.office:
        return regencies_of_office(f.office, f.as_of)
    return list(regencies().index)


def presence_rollup(f: Filters, by_nationality: bool = False):
    """The coarsest presence roll-up that can answer these filters."""
    if f.permits or f.activities:
        return PresenceDaily
    if f.nationalities or by_nationality:
        return PresenceNationalityDaily
    return PresenceRegencyDaily


def incident_rollup(f: Filters):
    """The coarsest incident roll-up that can answer these filters."""
    return IncidentDaily if (f.categories or f.severities) else IncidentRegencyDaily


def _presence_where(stmt, f: Filters, regs: list[str], p=None):
    p = p if p is not None else presence_rollup(f)
    stmt = stmt.where(p.day.between(f.start, f.end), p.regency_code.in_(regs))
    if f.nationalities:
        stmt = stmt.where(p.nationality.in_(f.nationalities))
    if f.permits:
        stmt = stmt.where(p.permit_type.in_(f.permits))
    if f.activities:
        stmt = stmt.where(p.activity.in_(f.activities))
    return stmt


def _incident_where(stmt, f: Filters, regs: list[str], model=IncidentDaily, day=None):
    day = day if day is not None else model.day
    stmt = stmt.where(day.between(f.start, f.end), model.regency_code.in_(regs))
    if f.categories:
        stmt = stmt.where(model.category.in_(f.categories))
    if f.severities:
        stmt = stmt.where(model.severity.in_(f.severities))
    if f.nationalities and model is Incident:
        stmt = stmt.where(model.nationality.in_(f.nationalities))
    return stmt


def regency_table(engine: Engine, f: Filters) -> pd.DataFrame:
    """One row per regency (all ten, index = code): present persons, reports, incidents,
    election-related incidents, open follow-ups, voters, per 1,000 voters, office in force.
    Regencies outside the scope have NaN values (drawn as "no data", never as zero)."""
    regs = scope(f)
    p, i = presence_rollup(f), incident_rollup(f)
    pres, inc = _rows(engine, _presence_where(
        select(p.regency_code, func.sum(p.persons), func.sum(p.reports)).group_by(p.regency_code), f, regs, p),
        _incident_where(
        select(i.regency_code, func.sum(i.incidents),
               func.sum(i.incidents).filter(i.election_related.is_(True)),
               func.sum(i.incidents).filter(i.status != "selesai"))
        .group_by(i.regency_code), f, regs, model=i))
    ref = regencies()
    offices = areas_on(f.as_of)
    cols = {"name": ref["name"].to_numpy(), "kind": ref["kind"].to_numpy(), "voters": ref["voters_dpt_2024"].to_numpy(),
            "office": [offices.get(c) for c in ref.index]}
    found = {row[0]: row[1:] for row in pres}, {row[0]: row[1:] for row in inc}
    inside = set(regs)
    for n, col in enumerate(("present", "reports")):
        cols[col] = [float(found[0].get(c, (0, 0))[n] or 0) if c in inside else NAN for c in ref.index]
    for n, col in enumerate(("incidents", "election_incidents", "open_incidents")):
        # Regencies outside the scope are NaN ("no data"), never zero.
        cols[col] = [float(found[1].get(c, (0, 0, 0))[n] or 0) if c in inside else NAN for c in ref.index]
    out = pd.DataFrame(cols, index=ref.index)
    out["per_1000_voters"] = out["present"] / out["voters"] * 1000
    return out


def kpis(engine: Engine, f: Filters, table: pd.DataFrame | None = None) -> dict:
    t = regency_table(engine, f) if table is None else table
    c = CrossingDaily
    [[(arrivals,)]] = _rows(engine, select(func.sum(c.persons)).where(
        c.day.between(f.start, f.end), c.direction == "datang"))
    return {
        "present": int(t["present"].sum()),
        "incidents": int(t["incidents"].sum()),
        "election_incidents": int(t["election_incidents"].sum()),
        "open_incidents": int(t["open_incidents"].sum()),
        "arrivals": int(arrivals or 0),
    }


SEVERITIES = [int(v) for v in allowed_values("severity")]
MAX_MARKERS = 1500  # more dots than this hide the map; the most severe and newest are kept


def incident_markers(engine: Engine, f: Filters, limit: int = MAX_MARKERS) -> pd.DataFrame:
    """Incidents in scope with a position: their own coordinates, else their regency's centre
    (`located` False). The most severe and newest first, at most `limit`. No person-level
    fields (descriptions stay on the analysts' pages)."""
    i = Incident
    stmt = _incident_where(select(
        i.id, i.record_id, i.incident_date, i.regency_code, i.category, i.severity, i.lat, i.lon,
        i.election_related, i.status, i.responsible_agency, i.persons).where(i.replaced_by_batch.is_(None)),
        f, scope(f), model=Incident, day=i.incident_date
    ).order_by(i.severity.desc(), i.incident_date.desc(), i.id.desc()).limit(limit)
    if not f.severities:
        # Every severity, said explicitly: the planner then reads ix_incident_severity one severity
        # at a time in index order and stops at the limit (~3 ms), instead of sorting the period (13-66 ms at 100k).
        stmt = stmt.where(i.severity.in_(SEVERITIES))
    df = _frame(engine, stmt)
    if df.empty:
        return df.assign(located=pd.Series(dtype=bool))
    df["located"] = df["lat"].notna() & df["lon"].notna()
    centres = regency_centres()
    df.loc[~df["located"], "lat"] = df.loc[~df["located"], "regency_code"].map(centres["lat"])
    df.loc[~df["located"], "lon"] = df.loc[~df["located"], "regency_code"].map(centres["lon"])
    return df


@lru_cache(maxsize=1)
def regency_centres() -> pd.DataFrame:
    """A point inside each regency (representative point of its largest part), for markers and labels."""
    rows = {}
    for code, geom in regency_geometries().items():
        part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
        pt = part.representative_point()
        rows[code] = {"lat": pt.y, "lon": pt.x}
    return pd.DataFrame.from_dict(rows, orient="index")


def presence_trend(engine: Engine, f: Filters, regency: str | None = None) -> pd.DataFrame:
    p = presence_rollup(f)
    regs = [regency] if regency else scope(f)
    [rows] = _rows(engine, _presence_where(select(p.day, func.sum(p.persons)).group_by(p.day), f, regs, p))
    persons = {_as_date(day): n for day, n in rows}
    days = pd.date_range(f.start, f.end, freq="D").date  # every day, zero where nobody was reported
    return pd.DataFrame({"day": days, "persons": [persons.get(d, 0) for d in days]})


def incident_trend(engine: Engine, f: Filters, regency: str | None = None) -> pd.DataFrame:
    i = incident_rollup(f)
    regs = [regency] if regency else scope(f)
    return _frame(engine, _incident_where(select(i.day, func.sum(i.incidents).label("incidents"))
                                          .group_by(i.day).order_by(i.day), f, regs, model=i))


def top_nationalities(engine: Engine, f: Filters, regency: str | None = None, n: int = 10) -> pd.DataFrame:
    p = presence_rollup(f, by_nationality=True)
    regs = [regency] if regency else scope(f)
    return _frame(engine, _presence_where(
        select(p.nationality, func.sum(p.persons).label("persons")).group_by(p.nationality)
        .order_by(func.sum(p.persons).desc(), p.nationality).limit(n), f, regs, p))


def permit_activity_mix(engine: Engine, f: Filters, regency: str | None = None) -> pd.DataFrame:
    p = PresenceDaily
    regs = [regency] if regency else scope(f)
    return _frame(engine, _presence_where(
        select(p.permit_type, p.activity, func.sum(p.persons).label("persons"))
        .group_by(p.permit_type, p.activity).order_by(p.permit_type, p.activity), f, regs, p))


def who_acts(engine: Engine, f: Filters, regency: str | None = None) -> pd.DataFrame:
    """Incidents by responsible agency and follow-up status (rows: agency; columns: status)."""
    i = Incident
    regs = [regency] if regency else scope(f)
    df = _frame(engine, _incident_where(
        select(i.responsible_agency, i.status, func.count().label("n")).where(i.replaced_by_batch.is_(None))
        .group_by(i.responsible_agency, i.status), f, regs, model=Incident, day=i.incident_date))
    statuses = ["baru", "ditelaah", "ditindaklanjuti", "selesai"]
    if df.empty:
        return pd.DataFrame(columns=statuses)
    table = df.pivot_table(index="responsible_agency", columns="status", values="n", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=statuses, fill_value=0).astype(int)
    return table.sort_values(statuses[:3], ascending=False)


def regency_incidents(engine: Engine, f: Filters, regency: str, role: str | None = None, limit: int = 200,
                      offset: int = 0) -> pd.DataFrame:
    """A regency's incidents, newest first, paged. The free-text description (it may name
    people) is included only for roles that may see person-level detail."""
    from domain.roles import can

    i = Incident
    cols = [i.record_id, i.incident_date, i.category, i.severity, i.nationality, i.persons, i.responsible_agency,
            i.action, i.status, i.election_related]
    if can(role, "view_person_level"):
        cols.append(i.description)
    stmt = _incident_where(select(*cols).where(i.replaced_by_batch.is_(None)),
                           f, [regency], model=Incident, day=i.incident_date)
    return _frame(engine, stmt.order_by(i.incident_date.desc(), i.id.desc()).limit(limit).offset(offset))


def data_span(engine: Engine) -> tuple[dt.date, dt.date] | None:
    p, i = PresenceRegencyDaily, IncidentRegencyDaily
    with read_tx(engine) as conn:
        a = conn.execute(select(func.min(p.day), func.max(p.day))).one()
        b = conn.execute(select(func.min(i.day), func.max(i.day))).one()
    lows = [d for d in (a[0], b[0]) if d is not None]
    highs = [d for d in (a[1], b[1]) if d is not None]
    if not lows:
        return None
    return _as_date(min(lows)), _as_date(max(highs))


def _as_date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def shows_demo(engine: Engine) -> bool:
    """True when any active batch holds demo data (then every view carries the demo label)."""
    with read_tx(engine) as conn:
        return bool(conn.scalar(select(func.count()).select_from(UploadBatch).where(
            UploadBatch.is_demo.is_(True), UploadBatch.status == "committed")))


def batches(engine: Engine, limit: int = 100) -> pd.DataFrame:
    b = UploadBatch
    return _frame(engine, select(b.id, b.kind, b.file_name, b.uploaded_at, b.uploaded_by, b.mode, b.rows_read,
                                 b.rows_imported, b.rows_updated, b.rows_rejected, b.duplicates, b.status, b.is_demo)
                  .order_by(b.id.desc()).limit(limit))


def person_level_presence(engine: Engine, f: Filters, role: str | None, actor: str, limit: int = 100,
                          offset: int = 0) -> tuple[pd.DataFrame, int]:
    """Presence records (one row per person or group), paged, for analysts only. Names and
    addresses are never stored; the passport pseudonym is shortened. Every call is audited."""
    from domain.roles import require
    from storage.audit import record
    from storage.engine import write_tx
    from storage.models import Presence

    require(role, "view_person_level")
    p = Presence
    where = [p.replaced_by_batch.is_(None), p.report_date.between(f.start, f.end), p.regency_code.in_(scope(f))]
    if f.nationalities:
        where.append(p.nationality.in_(f.nationalities))
    if f.permits:
        where.append(p.permit_type.in_(f.permits))
    if f.activities:
        where.append(p.activity.in_(f.activities))
    cols = [p.record_id, p.report_date, p.regency_code, p.nationality, p.permit_type, p.activity,
            func.substr(p.passport_hash, 1, 12).label("passport_pseudonym"), p.person_count, p.arrival_date,
            p.permit_expiry, p.sponsor, p.location, p.source, p.batch_id]
    with read_tx(engine) as conn:
        total = conn.scalar(select(func.count()).select_from(p).where(*where))
    page = _frame(engine, select(*cols).where(*where).order_by(p.report_date.desc(), p.id.desc())
                  .limit(limit).offset(offset))
    with write_tx(engine) as conn:
        record(conn, actor, "person_level_view", "presence",
               {"start": f.start, "end": f.end, "office": f.office, "offset": offset, "rows": len(page)})
    return page, int(total or 0)


def audit_log(engine: Engine, role: str | None, action: str | None = None, actor: str | None = None,
              limit: int = 500) -> pd.DataFrame:
    from domain.roles import require

    require(role, "view_audit")
    a = AuditEvent
    stmt = select(a.id, a.at, a.actor, a.action, a.target, a.detail).order_by(a.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(a.action == action)
    if actor:
        stmt = stmt.where(a.actor == actor)
    return _frame(engine, stmt)
