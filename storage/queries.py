"""Read side: what the pages and the briefing need, computed from the roll-ups plus small,
indexed detail queries. Every function takes the engine and the user's Filters, and returns
plain pandas objects. Portable SQL only (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import (
    Engine,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    false,
    func,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)

from domain.agencies import supporting_many
from domain.filters import Filters
from domain.regions import areas_on, ports, regencies, regencies_of_office, regency_geometries
from domain.scope import Scope
from domain.vocabularies import CLOSED, STATUSES, codes
from storage.engine import read_tx
from storage.models import (
    AuditEvent,
    CrossingDaily,
    Incident,
    IncidentDaily,
    IncidentRegencyDaily,
    IncidentRegencyMonthly,
    PresenceDaily,
    PresenceNationalityDaily,
    PresenceNationalityMonthly,
    PresenceRegencyDaily,
    UploadBatch,
)
from storage.rollups import month_end, month_of


def _frame(engine: Engine, stmt, values: dict | None = None) -> pd.DataFrame:
    with read_tx(engine) as conn:
        res = conn.execute(stmt, values)
        # Plain tuples: pandas probes Row objects attribute by attribute, which is slow.
        return pd.DataFrame([tuple(r) for r in res.fetchall()], columns=list(res.keys()))


def _rows(engine: Engine, values: dict, *stmts) -> list[list[tuple]]:
    """Small results as plain rows, all read in one transaction (no DataFrame to build)."""
    with read_tx(engine) as conn:
        return [conn.execute(stmt, values).all() for stmt in stmts]


NAN = float("nan")


def _chosen(f: Filters) -> list[str]:
    """Regencies chosen in the filters: the chosen ones, else the chosen office's area on the
    as-of date, else all (before the account's scope is applied)."""
    if f.regencies:
        return list(f.regencies)
    if f.office:
        return regencies_of_office(f.office, f.as_of)
    return list(regencies().index)


def scope(f: Filters) -> list[str]:
    """Regencies in view: the chosen ones that the account's scope (f.scope) holds on at least one
    day of the period. Rows are still matched on their own date (scope_spans, in_scope)."""
    if f.scope.province:
        return _chosen(f)
    allowed = f.scope.regencies_between(f.start, f.end)
    return [c for c in _chosen(f) if c in allowed]


def _scope_spans(
    f: Filters, regency: str | None = None
) -> list[tuple[dt.date, dt.date, list[str]]] | None:
    """None for a province-wide account (the chosen regencies on every day); else the period's
    stretches (first, last, regencies chosen AND in the account's area then), empty ones left out."""
    if f.scope.province:
        return None
    picked = {regency} if regency else set(_chosen(f))
    out = [(s.first, s.last, sorted(picked & s.regencies)) for s in f.scope.spans(f.start, f.end)]
    return [s for s in out if s[2]]


def _in_scope(f: Filters, regency_col, day_col, regency: str | None = None):
    """SQL condition (values inline): the row's regency is chosen in `f` (or is `regency`) and in
    the account's scope on the row's own day. For the queries not built from cached statements."""
    return scope_condition(
        f.scope, f.start, f.end, [regency] if regency else _chosen(f), regency_col, day_col
    )


def scope_condition(account: Scope, start: dt.date, end: dt.date, picked, regency_col, day_col):
    """SQL condition: the row's regency is one of `picked` and in `account`'s area on the row's
    own day (rows dated outside [start, end] are not matched by an office-scoped account)."""
    if account.province:
        return regency_col.in_(list(picked))
    parts = [
        and_(day_col.between(s.first, s.last), regency_col.in_(sorted(s.regencies & set(picked))))
        for s in account.spans(start, end)
        if s.regencies & set(picked)
    ]
    return or_(*parts) if parts else false()


def presence_rollup(f: Filters, by_nationality: bool = False):
    """The coarsest presence roll-up that can answer these filters."""
    if f.permits or f.activities:
        return PresenceDaily
    if f.nationalities or by_nationality:
        return PresenceNationalityDaily
    return PresenceRegencyDaily


def incident_rollup(f: Filters):
    """The coarsest incident roll-up that can answer these filters; the incident rows themselves
    when nationalities are chosen (the roll-ups have none: an incident's nationality is optional
    and incidents are a tenth of the rows; ix_incident_nationality reads only the chosen ones)."""
    if f.nationalities:
        return Incident
    return IncidentDaily if (f.categories or f.severities) else IncidentRegencyDaily


MONTHLY = {
    PresenceNationalityDaily: PresenceNationalityMonthly,
    IncidentRegencyDaily: IncidentRegencyMonthly,
}


def split_by_month(
    start: dt.date, end: dt.date
) -> tuple[list[tuple[dt.date, dt.date]], tuple[dt.date, dt.date] | None]:
    """[start, end] as (day spans before and after the whole months, (first, last) whole month or None)."""
    first = start if start.day == 1 else month_end(start) + dt.timedelta(days=1)
    last = end if end == month_end(end) else month_of(end) - dt.timedelta(days=1)
    if first > last:
        return [(start, end)], None
    days = [
        (a, b)
        for a, b in ((start, first - dt.timedelta(days=1)), (last + dt.timedelta(days=1), end))
        if a <= b
    ]
    return days, (first, month_of(last))


# Statements are built once per shape of the filters and run with the filter values bound: on the
# roll-ups, building and fingerprinting a SQLAlchemy statement cost more than the database's work.
class Shape(NamedTuple):
    """What a statement's text depends on: which optional filters are set, and how the period
    splits into day spans and whole months (split_by_month). Everything else is a bound value."""

    nationalities: bool
    permits: bool
    activities: bool
    categories: bool
    severities: bool
    day_spans: int
    months: bool
    scope_spans: int = 0  # > 0: the regencies differ by stretch of days (an office-scoped account)


def _bound(f: Filters, regency: str | None = None) -> tuple[Shape, dict]:
    """The filters' shape and the values of the statements' parameters: the regencies in scope,
    or the one regency given (a drill-down). An office-scoped account whose regencies are not the
    same over the whole period gets one (days, regencies) condition per stretch, read from the
    daily roll-ups only (a month may straddle the day an office's area changed)."""
    spans = _scope_spans(f, regency)
    if spans is None:
        regs, split = [regency] if regency else _chosen(f), []
    elif len(spans) == 1 and (spans[0][0], spans[0][1]) == (f.start, f.end):
        regs, split = spans[0][2], []
    else:
        regs, split = sorted({r for s in spans for r in s[2]}), spans
    days, months = split_by_month(f.start, f.end) if not split else ([(f.start, f.end)], None)
    values = {
        "start": f.start,
        "end": f.end,
        "regs": regs,
        "nationalities": list(f.nationalities),
        "permits": list(f.permits),
        "activities": list(f.activities),
        "categories": list(f.categories),
        "severities": list(f.severities),
    }
    for n, (first, last, in_span) in enumerate(split):
        values[f"scope{n}"], values[f"scope{n}_end"], values[f"regs{n}"] = first, last, in_span
    for n, (first, last) in enumerate(days):
        values[f"day{n}"], values[f"day{n}_end"] = first, last
    if months:
        values["month_first"], values["month_last"] = months
    shape = Shape(
        bool(f.nationalities),
        bool(f.permits),
        bool(f.activities),
        bool(f.categories),
        bool(f.severities),
        len(days),
        months is not None,
        len(split),
    )
    return shape, values


def _regs(model, shape: Shape):
    """The regency condition: in `regs`, or (scope_spans) in `regs<n>` on the days of stretch n."""
    if not shape.scope_spans:
        return _in(model.regency_code, "regs")
    day = model.incident_date if model is Incident else model.day
    return or_(
        *(
            and_(_between(day, f"scope{n}", f"scope{n}_end"), _in(model.regency_code, f"regs{n}"))
            for n in range(shape.scope_spans)
        )
    )


def _in(column, name: str):
    return column.in_(bindparam(name, expanding=True))


def _between(column, first: str = "start", last: str = "end"):
    return column.between(bindparam(first), bindparam(last))


def _summed(model, shape: Shape, keys: list[str], sums: dict, where) -> select:
    """SELECT keys, sums over the period from the daily roll-up `model`, reading whole months
    from its monthly roll-up when it has one (a sixth of the rows over half a year).
    sums: label -> function(roll-up model) -> aggregate; where: function(roll-up model) -> conditions."""
    monthly = MONTHLY.get(model)
    if monthly is None:
        parts = [(model, _between(model.day))]
    else:
        spans = [_between(model.day, f"day{n}", f"day{n}_end") for n in range(shape.day_spans)]
        parts = [(model, or_(*spans))] if spans else []
        if shape.months:
            parts.append((monthly, _between(monthly.month, "month_first", "month_last")))
    selects = [
        select(*(getattr(m, k) for k in keys), *(agg(m).label(n) for n, agg in sums.items()))
        .where(span, *where(m))
        .group_by(*(getattr(m, k) for k in keys))
        for m, span in parts
    ]
    if len(selects) == 1:
        return selects[0]
    u = union_all(*selects).subquery()
    return select(*(u.c[k] for k in keys), *(func.sum(u.c[n]).label(n) for n in sums)).group_by(
        *(u.c[k] for k in keys)
    )


def _presence_filters(shape: Shape):
    def where(p):
        conds = [_regs(p, shape)]
        if shape.nationalities:
            conds.append(_in(p.nationality, "nationalities"))
        if shape.permits:
            conds.append(_in(p.permit_type, "permits"))
        if shape.activities:
            conds.append(_in(p.activity, "activities"))
        return conds

    return where


def _presence_where(stmt, shape: Shape, p):
    return stmt.where(_between(p.day), *_presence_filters(shape)(p))


def _incident_filters(shape: Shape):
    def where(model):
        conds = [_regs(model, shape)]
        if shape.categories:
            conds.append(_in(model.category, "categories"))
        if shape.severities:
            conds.append(_in(model.severity, "severities"))
        if shape.nationalities and model is Incident:
            conds.append(_in(model.nationality, "nationalities"))
        return conds

    return where


def _incident_where(stmt, shape: Shape, model=IncidentDaily, day=None):
    day = day if day is not None else model.day
    return stmt.where(_between(day), *_incident_filters(shape)(model))


def regency_table(engine: Engine, f: Filters) -> pd.DataFrame:
    """One row per regency (all ten, index = code): present persons, reports, incidents,
    election-related incidents, open follow-ups, voters, per 1,000 voters, office in force.
    Regencies outside the scope have NaN values (drawn as "no data", never as zero)."""
    shape, values = _bound(f)
    regs = values["regs"]
    pres, inc = _rows(
        engine, values, *_regency_statements(presence_rollup(f), incident_rollup(f), shape)
    )
    base = _regency_base(f.as_of)
    codes = base.index.tolist()
    found = {row[0]: row[1:] for row in pres}, {row[0]: row[1:] for row in inc}
    inside = set(regs)
    cols = {c: base[c] for c in base.columns}
    for n, col in enumerate(("present", "reports")):
        cols[col] = np.array(
            [float(found[0].get(c, (0, 0))[n] or 0) if c in inside else NAN for c in codes]
        )
    for n, col in enumerate(("incidents", "election_incidents", "open_incidents")):
        # Regencies outside the scope are NaN ("no data"), never zero.
        cols[col] = np.array(
            [float(found[1].get(c, (0, 0, 0))[n] or 0) if c in inside else NAN for c in codes]
        )
    cols["per_1000_voters"] = cols["present"] / base["voters"].to_numpy() * 1000
    return pd.DataFrame(cols, index=base.index)


@lru_cache(maxsize=256)
def _regency_statements(p, i, shape: Shape) -> tuple:
    return (
        _summed(
            p,
            shape,
            ["regency_code"],
            {"persons": lambda m: func.sum(m.persons), "reports": lambda m: func.sum(m.reports)},
            _presence_filters(shape),
        ),
        _incident_counts(i, shape, "regency_code"),
    )


def _incident_counts(i, shape: Shape, key: str):
    """SELECT key, incidents, election-related ones, open ones, from roll-up `i` or the rows."""
    if i is not Incident:
        return _summed(
            i,
            shape,
            [key],
            {
                "incidents": lambda m: func.sum(m.incidents),
                "election": lambda m: func.sum(m.incidents).filter(m.election_related.is_(True)),
                "open": lambda m: func.sum(m.incidents).filter(m.status != CLOSED),
            },
            _incident_filters(shape),
        )
    n = func.count()
    return _incident_where(
        select(
            getattr(i, key),
            n.label("incidents"),
            n.filter(i.election_related.is_(True)).label("election"),
            n.filter(i.status != CLOSED).label("open"),
        )
        .where(i.replaced_by_batch.is_(None))
        .group_by(getattr(i, key)),
        shape,
        model=i,
        day=i.incident_date,
    )


@lru_cache(maxsize=64)
def _regency_base(as_of: dt.date) -> pd.DataFrame:
    """The ten regencies' names, kinds, voters and office in force on `as_of` (read, never changed)."""
    ref = regencies()
    offices = areas_on(as_of)
    return pd.DataFrame(
        {
            "name": ref["name"].to_numpy(),
            "kind": ref["kind"].to_numpy(),
            "voters": ref["voters_dpt_2024"].to_numpy(),
            "office": [offices.get(c) for c in ref.index],
        },
        index=ref.index,
    )


def kpis(engine: Engine, f: Filters, table: pd.DataFrame | None = None) -> dict:
    return kpi_totals(regency_table(engine, f) if table is None else table, arrivals(engine, f))


def arrivals(engine: Engine, f: Filters) -> int:
    """Persons arriving through NTB's ports in the period (crossings are not by regency): for an
    office-scoped account, through the ports of the regencies in its area on each day."""
    if f.scope.province:
        [[(n,)]] = _rows(engine, {"start": f.start, "end": f.end}, _arrivals_statement())
    else:
        c = CrossingDaily
        [[(n,)]] = _rows(
            engine,
            {"start": f.start, "end": f.end},
            _arrivals_statement().where(_port_in_scope(f, c.port_id, c.day)),
        )
    return int(n or 0)


def _port_in_scope(f: Filters, port_col, day_col):
    """SQL condition: the port lies in a regency chosen in `f` and in the account's scope that day."""
    at = ports()["regency_code"]
    spans = _scope_spans(f)
    if spans is None:  # province-wide: crossings count for all of NTB, whatever office is chosen
        return true()
    parts = [
        and_(day_col.between(a, b), port_col.in_(list(at.index[at.isin(regs)])))
        for a, b, regs in spans
    ]
    return or_(*parts) if parts else false()


@lru_cache(maxsize=1)
def _arrivals_statement():
    c = CrossingDaily
    return select(func.sum(c.persons)).where(_between(c.day), c.direction == "datang")


def kpi_totals(table: pd.DataFrame, arrivals: int) -> dict:
    """The KPI tiles from a regency_table() and the arrivals."""
    return {
        "present": int(table["present"].sum()),
        "incidents": int(table["incidents"].sum()),
        "election_incidents": int(table["election_incidents"].sum()),
        "open_incidents": int(table["open_incidents"].sum()),
        "arrivals": arrivals,
    }


SEVERITIES = [int(v) for v in codes("severity")]
MAX_MARKERS = 1500  # more dots than this hide the map; the most severe and newest are kept


def incident_markers(engine: Engine, f: Filters, limit: int = MAX_MARKERS) -> pd.DataFrame:
    """Incidents in scope with a position: their own coordinates, else their regency's centre
    (`located` False). The most severe and newest first, at most `limit`. No person-level
    fields (descriptions stay on the analysts' pages)."""
    shape, values = _bound(f)
    with read_tx(engine) as conn:
        res = conn.execute(_markers_statement(shape, limit), values)
        # Plain tuples from the driver's cursor: these columns need no result processing, and
        # SQLAlchemy's Row objects cost more here than the query (1,500 x 9 values).
        names, rows = list(res.keys()), res.cursor.fetchall()
        res.close()
    cols = dict(zip(names, zip(*rows))) if rows else {n: () for n in names}
    lat, lon = np.array(cols["lat"], dtype=float), np.array(cols["lon"], dtype=float)  # None -> NaN
    located = ~(np.isnan(lat) | np.isnan(lon))
    missing = np.flatnonzero(~located)
    if len(missing):
        centre, codes = regency_centre_points(), cols["regency_code"]
        at = np.array([centre[codes[k]] for k in missing], dtype=float)
        lat[missing], lon[missing] = at[:, 0], at[:, 1]
    # One frame from whole columns; the text columns as object Series (pandas would otherwise look
    # at every value to infer its string type, and adding columns one by one costs more again).
    frame = {
        k: pd.Series(v, dtype=object) for k, v in cols.items() if k not in NUMERIC_MARKER_COLUMNS
    }
    frame.update(
        severity=np.array(cols["severity"], dtype=np.int64),
        lat=lat,
        lon=lon,
        election_related=np.array(cols["election_related"], dtype=bool),
        located=located,
    )
    return pd.DataFrame(frame, copy=False)


@lru_cache(maxsize=64)
def _markers_statement(shape: Shape, limit: int):
    i = Incident
    # The day as ISO text and the flag as stored: per-row date and bool conversion by the driver
    # layer cost more than the query (these are hover labels and a 0/1 flag).
    stmt = (
        _incident_where(
            select(
                cast(i.incident_date, String).label("incident_date"),
                i.regency_code,
                i.category,
                i.severity,
                i.lat,
                i.lon,
                type_coerce(i.election_related, Integer).label("election_related"),
                i.status,
                i.responsible_agency,
            ).where(i.replaced_by_batch.is_(None)),
            shape,
            model=Incident,
            day=i.incident_date,
        )
        .order_by(i.severity.desc(), i.incident_date.desc(), i.id.desc())
        .limit(limit)
    )
    if not shape.severities:
        # Every severity, said explicitly: the planner then reads ix_incident_severity one severity
        # at a time in index order and stops at the limit (~3 ms), instead of sorting the period (13-66 ms at 100k).
        stmt = stmt.where(i.severity.in_(SEVERITIES))
    return stmt


NUMERIC_MARKER_COLUMNS = {"severity", "lat", "lon", "election_related"}


@lru_cache(maxsize=1)
def regency_centre_points() -> dict[str, tuple[float, float]]:
    """regency code -> (lat, lon) of regency_centres()."""
    c = regency_centres()
    return {code: (lat, lon) for code, lat, lon in zip(c.index, c["lat"], c["lon"])}


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
    shape, values = _bound(f, regency)
    [rows] = _rows(engine, values, _presence_trend_statement(presence_rollup(f), shape))
    persons = {_as_date(day): n for day, n in rows}
    days = pd.date_range(f.start, f.end, freq="D").date  # every day, zero where nobody was reported
    return pd.DataFrame({"day": days, "persons": [persons.get(d, 0) for d in days]})


@lru_cache(maxsize=64)
def _presence_trend_statement(p, shape: Shape):
    return _presence_where(select(p.day, func.sum(p.persons)).group_by(p.day), shape, p)


def incident_trend(engine: Engine, f: Filters, regency: str | None = None) -> pd.DataFrame:
    i = incident_rollup(f)
    shape, values = _bound(f, regency)
    return _frame(engine, _incident_trend_statement(i, shape), values)


@lru_cache(maxsize=64)
def _incident_trend_statement(i, shape: Shape):
    if i is Incident:  # the rows: nationalities chosen
        day = i.incident_date
        return _incident_where(
            select(day.label("day"), func.count().label("incidents"))
            .where(i.replaced_by_batch.is_(None))
            .group_by(day)
            .order_by(day),
            shape,
            model=i,
            day=day,
        )
    return _incident_where(
        select(i.day, func.sum(i.incidents).label("incidents")).group_by(i.day).order_by(i.day),
        shape,
        model=i,
    )


def top_nationalities(
    engine: Engine, f: Filters, regency: str | None = None, n: int = 10
) -> pd.DataFrame:
    shape, values = _bound(f, regency)
    return _frame(
        engine,
        _top_nationalities_statement(presence_rollup(f, by_nationality=True), shape, n),
        values,
    )


@lru_cache(maxsize=64)
def _top_nationalities_statement(p, shape: Shape, n: int):
    per = _summed(
        p,
        shape,
        ["nationality"],
        {"persons": lambda m: func.sum(m.persons)},
        _presence_filters(shape),
    ).subquery()
    return (
        select(per.c.nationality, per.c.persons)
        .order_by(per.c.persons.desc(), per.c.nationality)
        .limit(n)
    )


def permit_activity_mix(engine: Engine, f: Filters, regency: str | None = None) -> pd.DataFrame:
    p = PresenceDaily
    shape, values = _bound(f, regency)
    return _frame(
        engine,
        _presence_where(
            select(p.permit_type, p.activity, func.sum(p.persons).label("persons"))
            .group_by(p.permit_type, p.activity)
            .order_by(p.permit_type, p.activity),
            shape,
            p,
        ),
        values,
    )


def who_acts(engine: Engine, f: Filters, regency: str | None = None) -> pd.DataFrame:
    """Incidents by lead agency and follow-up status (rows: lead agency; columns: the agencies
    supporting it in these incidents' categories, then one count per status)."""
    from domain.agencies import supporting_agencies

    i = Incident
    shape, values = _bound(f, regency)
    df = _frame(
        engine,
        _incident_where(
            select(i.responsible_agency, i.category, i.status, func.count().label("n"))
            .where(i.replaced_by_batch.is_(None))
            .group_by(i.responsible_agency, i.category, i.status),
            shape,
            model=Incident,
            day=i.incident_date,
        ),
        values,
    )
    statuses = list(STATUSES)
    if df.empty:
        return pd.DataFrame(columns=["supporting", *statuses])
    table = df.pivot_table(
        index="responsible_agency", columns="status", values="n", aggfunc="sum", fill_value=0
    )
    table = table.reindex(columns=statuses, fill_value=0).astype(int)
    support = df.groupby("responsible_agency")["category"].agg(
        lambda cats: ", ".join(
            dict.fromkeys(a for c in sorted(set(cats)) for a in supporting_agencies(c, cats.name))
        )
    )
    table.insert(0, "supporting", support.reindex(table.index).fillna(""))
    return table.sort_values(statuses[:3], ascending=False)


def regency_incidents(
    engine: Engine,
    f: Filters,
    regency: str,
    role: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> pd.DataFrame:
    """A regency's incidents, newest first, paged. The free-text description (it may name
    people) is included only for roles that may see person-level detail."""
    from domain.roles import can

    i = Incident
    cols = [
        i.record_id,
        i.incident_date,
        i.category,
        i.severity,
        i.nationality,
        i.persons,
        i.responsible_agency,
        i.action,
        i.status,
        i.election_related,
    ]
    if can(role, "view_person_level"):
        cols.append(i.description)
    shape, values = _bound(f, regency)
    stmt = _incident_where(
        select(*cols).where(i.replaced_by_batch.is_(None)),
        shape,
        model=Incident,
        day=i.incident_date,
    )
    rows = _frame(
        engine,
        stmt.order_by(i.incident_date.desc(), i.id.desc()).limit(limit).offset(offset),
        values,
    )
    rows.insert(
        rows.columns.get_loc("responsible_agency") + 1,
        "supporting_agencies",
        supporting_many(rows["category"], rows["responsible_agency"]),
    )
    return rows


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
        return bool(
            conn.scalar(
                select(func.count())
                .select_from(UploadBatch)
                .where(UploadBatch.is_demo.is_(True), UploadBatch.status == "committed")
            )
        )


def batches(engine: Engine, limit: int = 100) -> pd.DataFrame:
    b = UploadBatch
    return _frame(
        engine,
        select(
            b.id,
            b.kind,
            b.file_name,
            b.uploaded_at,
            b.uploaded_by,
            b.mode,
            b.rows_read,
            b.rows_imported,
            b.rows_updated,
            b.rows_rejected,
            b.duplicates,
            b.status,
            b.is_demo,
        )
        .order_by(b.id.desc())
        .limit(limit),
    )


def audit_log(
    engine: Engine,
    role: str | None,
    action: str | None = None,
    actor: str | None = None,
    limit: int = 500,
    scope: str | None = None,
) -> pd.DataFrame:
    """The newest events; `scope`: only those of accounts with that scope (an office id or "ntb")."""
    from domain.roles import require

    require(role, "view_audit")
    a = AuditEvent
    stmt = (
        select(a.id, a.at, a.actor, a.action, a.target, a.scope, a.detail)
        .order_by(a.id.desc())
        .limit(limit)
    )
    if action:
        stmt = stmt.where(a.action == action)
    if actor:
        stmt = stmt.where(a.actor == actor)
    if scope:
        stmt = stmt.where(a.scope == scope)
    return _frame(engine, stmt)
