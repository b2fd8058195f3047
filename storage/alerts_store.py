"""Alerts as records: run the rules (domain/alert_rules) over the stored data, upsert by key, keep
the follow-up status and its history. Also the risk score table for the map. The thresholds come
in as `Rules` (services/alerts.py runs this with the ones in force, and from the command line).
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import Engine, false, func, insert, select, true, update

from domain.alert_rules import evaluate_all, purpose_unknown
from domain.calendar import Election, default_election
from domain.filters import Filters
from domain.regions import regencies
from domain.risk import risk_scores
from domain.roles import Forbidden, require
from domain.scope import PROVINCE, Scope
from domain.thresholds import Rules
from domain.vocabularies import CLOSED, NEW, STATUSES
from storage import voter_lists
from storage.audit import record
from storage.engine import CHUNK, chunks, write_tx
from storage.models import (
    Alert,
    AlertStatusChange,
    Crossing,
    Incident,
    Presence,
    PresenceRegencyDaily,
    utcnow,
)
from storage.queries import _chosen, _frame, data_span, scope, scope_condition
from storage.versions import bump

MARGIN_DAYS = 40  # history before the lookback window the rules need for their baselines


def load_frames(engine: Engine, start: dt.date, end: dt.date) -> dict[str, pd.DataFrame]:
    """Active rows the rules need, only the columns they read, only the window they look at."""
    p, i, c = Presence, Incident, Crossing
    lo = start - dt.timedelta(days=MARGIN_DAYS)
    presence = _frame(
        engine,
        select(
            p.id,
            p.record_id,
            p.report_date,
            p.regency_code,
            p.nationality,
            p.permit_type,
            p.activity,
            p.person_count,
            p.arrival_date,
            p.permit_expiry,
            p.passport_hash,
        ).where(p.replaced_by_batch.is_(None), p.report_date.between(lo, end)),
    )
    incidents = _frame(
        engine,
        select(
            i.id,
            i.record_id,
            i.incident_date,
            i.regency_code,
            i.category,
            i.severity,
            i.election_related,
            i.status,
            i.responsible_agency,
            i.lat,
            i.lon,
        ).where(i.replaced_by_batch.is_(None), i.incident_date.between(lo, end)),
    )
    crossings = _frame(
        engine,
        select(c.id, c.date, c.port_id, c.direction, c.nationality, c.count).where(
            c.replaced_by_batch.is_(None), c.date.between(lo, end)
        ),
    )
    return {
        "presence": presence,
        "incidents": incidents,
        "crossings": crossings,
        "voters": voter_lists.frame(engine, end),
    }


def evaluate_and_store(
    engine: Engine,
    election: Election | None = None,
    as_of: dt.date | None = None,
    *,
    rules: Rules,
    actor: str = "system",
) -> dict:
    """Run every rule up to `as_of` (default: the last date in the data) with the thresholds
    `rules` (services/alerts.py passes the ones in force) and upsert the alerts.
    Alerts the rules no longer produce in the evaluated window are marked stale, never deleted:
    their follow-up history stays."""
    election = election or default_election()
    span = data_span(engine)
    if span is None:
        return {"new": 0, "updated": 0, "stale": 0, "purpose_unknown": 0}
    as_of = as_of or max(d for d in (span[1], voter_lists.last_list_date(engine)) if d is not None)
    start = max(span[0], as_of - dt.timedelta(days=rules.general.lookback_days))
    frames = load_frames(engine, start, as_of)
    found = evaluate_all(
        frames["presence"],
        frames["incidents"],
        frames["crossings"],
        election,
        as_of,
        rules,
        start=start,
        voters=frames["voters"],
    )
    unknown = purpose_unknown(frames["presence"], as_of, start)
    now = utcnow()
    new = updated = 0
    with write_tx(engine) as conn:
        existing = dict(conn.execute(select(Alert.key, Alert.id)).all())
        was_resolved = set(
            conn.scalars(select(Alert.key).where(Alert.detail.like(f"%{_RESOLVED}%")))
        )
        fresh = []
        for a in found.to_dict("records"):
            values = {
                "rule": a["rule"],
                "regency_code": a["regency_code"],
                "office_id": a["office_id"],
                "port_id": a["port_id"],
                "date": a["date"],
                "severity": a["severity"],
                "phase": a["phase"],
                "agency": a["agency"],
                "trigger_ids": json.dumps(list(a["trigger_ids"])),
                "value": _num(a["value"]),
                "threshold": _num(a["threshold"]),
                "detail": json.dumps(a["detail"], default=str, sort_keys=True),
                "stale": False,
                "evaluated_at": now,
            }
            if a["key"] in existing:
                conn.execute(update(Alert).where(Alert.id == existing[a["key"]]).values(**values))
                updated += 1
            else:
                fresh.append({"key": a["key"], "status": NEW, "first_seen_at": now, **values})
        if fresh:
            conn.execute(insert(Alert), fresh)
            new = len(fresh)
        resolved = (
            [a["key"] for a in found.to_dict("records") if a["detail"].get("resolved")]
            if len(found)
            else []
        )
        closed = _close(conn, [k for k in resolved if k not in was_resolved], now)
        keys = set(found["key"]) if len(found) else set()
        gone = [i for k, i in existing.items() if k not in keys]
        stale = 0
        for some in chunks(gone):
            stale += conn.execute(
                update(Alert)
                .where(Alert.id.in_(some), Alert.date >= start, Alert.stale.is_(False))
                .values(stale=True)
            ).rowcount
        bump(conn, "alerts")
        record(
            conn,
            actor,
            "alerts_evaluated",
            election.id,
            {
                "as_of": as_of,
                "new": new,
                "updated": updated,
                "stale": stale,
                "purpose_unknown": unknown,
                "closed": closed,
            },
        )
    return {
        "new": new,
        "updated": updated,
        "stale": stale,
        "purpose_unknown": unknown,
        "closed": closed,
    }


_RESOLVED = '"resolved": true'  # as json.dumps writes a rule's detail {"resolved": True}


def _close(conn, keys: list[str], now) -> int:
    """Alerts a rule has just found resolved (detail "resolved", e.g. a later voter list without
    the NIK) move to the closing status by "system", with a history row and an audit event, as a
    person's change would. Only when they become resolved: an analyst may reopen one."""
    if not keys:
        return 0
    rows = conn.execute(
        select(Alert.id, Alert.status).where(Alert.key.in_(keys), Alert.status != CLOSED)
    ).all()
    for i, old in rows:
        conn.execute(
            update(Alert)
            .where(Alert.id == i)
            .values(status=CLOSED, status_changed_at=now, status_changed_by=SYSTEM)
        )
        conn.execute(
            insert(AlertStatusChange).values(
                alert_id=i,
                from_status=old,
                to_status=CLOSED,
                changed_by=SYSTEM,
                changed_at=now,
                note="",
            )
        )
        record(
            conn,
            SYSTEM,
            "alert_status",
            f"alert:{i}",
            {"from": old, "to": CLOSED, "resolved": True},
        )
    return len(rows)


SYSTEM = "system"  # the author of changes no person made


def _num(v):
    try:
        return None if v is None or pd.isna(v) else float(v)
    except (TypeError, ValueError):
        return None


def alerts(
    engine: Engine,
    f: Filters,
    statuses: tuple[str, ...] = (),
    severities: tuple[str, ...] = (),
    rules_: tuple[str, ...] = (),
    include_stale: bool = False,
    limit: int = 500,
) -> pd.DataFrame:
    """Alerts in the period and scope (port alerts have no regency: they are kept for all of NTB
    and for the office that supervises the port)."""
    a = Alert
    stmt = select(
        a.id,
        a.key,
        a.rule,
        a.regency_code,
        a.office_id,
        a.port_id,
        a.date,
        a.severity,
        a.phase,
        a.agency,
        *_QUEUE_COLUMNS,
    ).where(a.date.between(f.start, f.end), _in_view(f))
    if statuses:
        stmt = stmt.where(a.status.in_(statuses))
    if severities:
        stmt = stmt.where(a.severity.in_(severities))
    if rules_:
        stmt = stmt.where(a.rule.in_(rules_))
    if not include_stale:
        stmt = stmt.where(a.stale.is_(False))
    return _decoded(_frame(engine, stmt.order_by(a.date.desc(), a.id.desc()).limit(limit)))


def _in_view(f: Filters):
    """Alerts of the regencies chosen in `f` and in the account's scope on the alert's date; port
    alerts (no regency) of the chosen office, and for an office-scoped account only its own."""
    a = Alert
    offices = {f.office} if f.office else None  # None: every office
    if not f.scope.province:
        offices = {f.scope.office} & (offices or {f.scope.office})
    port = (a.office_id.in_(offices) if offices else false()) if offices is not None else true()
    return scope_condition(f.scope, f.start, f.end, _chosen(f), a.regency_code, a.date) | (
        a.regency_code.is_(None) & port
    )


def _alert_scope(account: Scope):
    """Alerts `account` may see and act on, whatever their date (an alert opened by its id)."""
    a = Alert
    if account.province:
        return true()
    return (
        a.regency_code.isnot(None)
        & scope_condition(
            account,
            dt.date.min,
            dt.date.max,
            account.regencies_between(dt.date.min, dt.date.max),
            a.regency_code,
            a.date,
        )
    ) | (a.regency_code.is_(None) & (a.office_id == account.office))


_QUEUE_COLUMNS = (
    Alert.value,
    Alert.threshold,
    Alert.detail,
    Alert.status,
    Alert.status_changed_by,
    Alert.status_changed_at,
    Alert.stale,
    Alert.trigger_ids,
    Alert.first_seen_at,
    Alert.assigned_to,
    Alert.assigned_at,
    Alert.assigned_by,
)


def _decoded(df: pd.DataFrame) -> pd.DataFrame:
    if len(df):
        df["detail"] = df["detail"].map(json.loads)
        df["trigger_ids"] = df["trigger_ids"].map(json.loads)
    return df


def alerts_by_id(engine: Engine, ids: list[int], scope: Scope = PROVINCE) -> pd.DataFrame:
    """These alerts, whatever the filters (a selected alert stays open after it leaves the list,
    and a link ?alert=<id> opens it), in the order of `ids`; unknown ids and alerts outside the
    account's `scope` are left out (a link to another office's alert opens nothing)."""
    a = Alert
    ids = [int(i) for i in ids][:CHUNK]
    df = _decoded(
        _frame(
            engine,
            select(
                a.id,
                a.key,
                a.rule,
                a.regency_code,
                a.office_id,
                a.port_id,
                a.date,
                a.severity,
                a.phase,
                a.agency,
                *_QUEUE_COLUMNS,
            ).where(a.id.in_(ids), _alert_scope(scope)),
        )
    )
    return (
        df.set_index("id", drop=False)
        .reindex([i for i in ids if i in set(df["id"])])
        .reset_index(drop=True)
    )


def alert_counts(engine: Engine, f: Filters) -> pd.DataFrame:
    """Alerts by regency, severity and status (for the overview and the viewer)."""
    a = Alert
    return _frame(
        engine,
        select(a.regency_code, a.severity, a.status, func.count().label("n"))
        .where(a.date.between(f.start, f.end), a.stale.is_(False), _in_view(f))
        .group_by(a.regency_code, a.severity, a.status),
    )


def set_status(
    engine: Engine,
    alert_id: int,
    new_status: str,
    actor: str,
    role: str | None,
    note: str = "",
    scope: Scope = PROVINCE,
) -> None:
    """Move an alert along the follow-up workflow; the change, its author and time are kept."""
    set_status_many(engine, [alert_id], new_status, actor, role, note, scope)


class OutsideScope(Forbidden):
    """An alert outside the account's office area: it may not be changed by that account."""


def _check_scope(conn, ids: list[int], scope: Scope) -> None:
    """Refuse the whole change when any of `ids` lies outside `scope` (unknown ids: ValueError)."""
    known = set(conn.scalars(select(Alert.id).where(Alert.id.in_(ids))))
    if missing := [i for i in ids if i not in known]:
        raise ValueError(f"no alert {missing}")
    allowed = set(conn.scalars(select(Alert.id).where(Alert.id.in_(ids), _alert_scope(scope))))
    if outside := [i for i in ids if i not in allowed]:
        raise OutsideScope(f"alerts {outside} are outside the area of {scope.key}")


def set_status_many(
    engine: Engine,
    alert_ids: list[int],
    new_status: str,
    actor: str,
    role: str | None,
    note: str = "",
    scope: Scope = PROVINCE,
) -> list[int]:
    """One status change (one note) for several alerts, in one transaction: for each alert whose
    status differs, a history row and an audit event (with the account's scope). Returns the ids
    that changed. An alert outside `scope` refuses the whole change (OutsideScope)."""
    require(role, "change_alert_status")
    if new_status not in STATUSES:
        raise ValueError(new_status)
    ids = [int(i) for i in dict.fromkeys(alert_ids)]
    with write_tx(engine) as conn:
        _check_scope(conn, ids, scope)
        old = dict(conn.execute(select(Alert.id, Alert.status).where(Alert.id.in_(ids))).all())
        changed = [i for i in ids if old[i] != new_status]
        now = utcnow()
        for i in changed:
            conn.execute(
                update(Alert)
                .where(Alert.id == i)
                .values(status=new_status, status_changed_at=now, status_changed_by=actor)
            )
            conn.execute(
                insert(AlertStatusChange).values(
                    alert_id=i,
                    from_status=old[i],
                    to_status=new_status,
                    changed_by=actor,
                    changed_at=now,
                    note=note[:2000],
                )
            )
            record(
                conn,
                actor,
                "alert_status",
                f"alert:{i}",
                {"from": old[i], "to": new_status},
                scope=scope,
            )
        if changed:
            bump(conn, "alerts")
    return changed


def assign(
    engine: Engine,
    alert_ids: list[int],
    holder: str | None,
    actor: str,
    role: str | None,
    note: str = "",
    scope: Scope = PROVINCE,
) -> list[int]:
    """Give alerts to a person (None or "" releases them). Kept like a status change: a history
    row (status unchanged, assigned_to the new holder, "" when released) and an audit event per
    alert whose holder changes. Returns the ids that changed."""
    require(role, "change_alert_status")
    holder = (holder or "").strip()[:80]
    ids = [int(i) for i in dict.fromkeys(alert_ids)]
    with write_tx(engine) as conn:
        _check_scope(conn, ids, scope)
        old = {
            r.id: r
            for r in conn.execute(
                select(Alert.id, Alert.status, Alert.assigned_to).where(Alert.id.in_(ids))
            ).all()
        }
        changed = [i for i in ids if (old[i].assigned_to or "") != holder]
        now = utcnow()
        for i in changed:
            conn.execute(
                update(Alert)
                .where(Alert.id == i)
                .values(
                    assigned_to=holder or None,
                    assigned_at=now if holder else None,
                    assigned_by=actor,
                )
            )
            conn.execute(
                insert(AlertStatusChange).values(
                    alert_id=i,
                    from_status=old[i].status,
                    to_status=old[i].status,
                    changed_by=actor,
                    changed_at=now,
                    note=note[:2000],
                    assigned_to=holder,
                )
            )
            record(
                conn,
                actor,
                "alert_assign",
                f"alert:{i}",
                {"from": old[i].assigned_to or "", "to": holder},
                scope=scope,
            )
        if changed:
            bump(conn, "alerts")
    return changed


def status_history(engine: Engine, alert_id: int) -> pd.DataFrame:
    h = AlertStatusChange
    return _frame(
        engine,
        select(h.from_status, h.to_status, h.assigned_to, h.changed_by, h.changed_at, h.note)
        .where(h.alert_id == alert_id)
        .order_by(h.id),
    )


def risk_table(engine: Engine, f: Filters, election: Election | None, rules: Rules) -> pd.DataFrame:
    """Risk score per regency on the as-of date, with its components (domain/risk.py).

    The presence component counts persons per day and regency: read from the day × regency roll-up
    (storage/rollups.py), never the rows (68 days of rows cost 0.85 s on the demo data, 2.9 s with
    a million more). Incidents (a few per day) are read as rows, only the columns the score reads.
    The same days as the rules' frames (load_frames): the score is the same to the last bit
    (tests/unit/test_risk_rollup.py compares it with the row-based one)."""
    lo, hi = _risk_days(f, rules)
    r, i = PresenceRegencyDaily, Incident
    presence = _frame(
        engine,
        select(r.day.label("report_date"), r.regency_code, r.persons.label("person_count")).where(
            r.day.between(lo, hi)
        ),
    )
    incidents = _frame(
        engine,
        select(i.incident_date, i.regency_code, i.severity).where(
            i.replaced_by_batch.is_(None), i.incident_date.between(lo, hi)
        ),
    )
    return _risk_from(engine, f, election, rules, presence, incidents)


def _risk_days(f: Filters, rules: Rules) -> tuple[dt.date, dt.date]:
    """The days risk_table reads: those load_frames reads for the risk window."""
    return f.as_of - dt.timedelta(days=rules.risk.window_days + MARGIN_DAYS), f.as_of


def _risk_from(
    engine: Engine,
    f: Filters,
    election: Election | None,
    rules: Rules,
    presence: pd.DataFrame,
    incidents: pd.DataFrame,
) -> pd.DataFrame:
    """risk_table from presence (report_date, regency_code, person_count: rows or day × regency
    sums) and incident rows of _risk_days."""
    election = election or default_election()
    # An office-scoped account's scores are made from its own rows only (each on its own date).
    presence, incidents = (
        frame[~f.scope.outside(frame["regency_code"], frame[day])]
        for frame, day in (
            (presence, "report_date"),
            (incidents, "incident_date"),
        )
    )
    found = alerts(
        engine,
        Filters(
            f.as_of - dt.timedelta(days=rules.risk.window_days), f.as_of, f.as_of, scope=f.scope
        ),
        limit=100_000,
    )
    out = risk_scores(
        presence, incidents, found, regencies().reset_index(drop=True), election, f.as_of, rules
    )
    outside = ~out.index.isin(scope(f)) | ~out.index.isin(f.scope.regencies_on(f.as_of))
    if f.scope.province:
        out.loc[outside, "score"] = float("nan")
    else:  # nothing of another office's area: no score, no component, no explanation
        figures = [
            c
            for c in out.columns
            if c not in ("name", "office_id", "phase", "bawaslu_ikp_2024", "explanation")
        ]
        out[figures] = out[figures].astype(float)
        out.loc[outside, figures] = float("nan")
        out["explanation"] = [[] if out_ else e for out_, e in zip(outside, out["explanation"])]
    return out
