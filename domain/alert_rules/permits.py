"""Stay-permit rules: activity the permit does not allow (singly and in clusters), overstay, and
permits expiring in a watched phase."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.agencies import responsible_agency
from domain.alert_rules.frames import (
    _episodes,
    _frame,
    _identity,
    _ids,
    _presence,
    _short,
    as_day,
    empty_alerts,
)
from domain.calendar import Election
from domain.permits import (
    KIND_CATEGORY,
    POLITICAL,
    allowed_many,
    mismatch_kind,
    purpose_unknown_many,
)
from domain.thresholds import Rules

DEPORTATION = "deportasi dan penangkalan"  # action beyond the overstay charge


def _mismatch_singles(presence: pd.DataFrame, as_of: dt.date, rules: Rules) -> list[dict]:
    r = rules.permit_activity_mismatch
    p = _presence(presence, as_of)
    if p.empty:
        return []
    mm = p[~allowed_many(p["permit_type"], p["activity"])].copy()
    if mm.empty:
        return []
    mm["ident"] = _identity(mm)
    mm = mm.sort_values(["report_date", "id"])
    rows = []
    for (ident, permit, activity), g in mm.groupby(["ident", "permit_type", "activity"], sort=True):
        first = g.iloc[0]
        day = first["report_date"].date()
        kind = mismatch_kind(activity)
        route = KIND_CATEGORY[kind]
        rows.append(
            {
                "rule": "permit_activity_mismatch",
                "regency_code": first["regency_code"],
                "port_id": None,
                "date": day,
                "severity": r.severity_political if kind == POLITICAL else r.severity_other,
                "agency": responsible_agency(route),
                "trigger_ids": _ids(g["id"]),
                "value": float(first["person_count"]),
                "threshold": float("nan"),
                "key": f"permit_activity_mismatch|{first['regency_code']}|{day.isoformat()}|{_short(ident)}|{permit}|{activity}",
                "detail": {
                    "permit": permit,
                    "activity": activity,
                    "kind": kind,
                    "route": route,
                    "persons": int(first["person_count"]),
                    "reports": len(g),
                    "last_seen": g["report_date"].max().date().isoformat(),
                    "nationality": first.get("nationality")
                    if isinstance(first.get("nationality"), str)
                    else None,
                },
            }
        )
    return rows


def purpose_unknown(presence: pd.DataFrame, as_of, start=None) -> int:
    """Persons reported doing what their permit may or may not allow because it names no purpose
    (work on a bare "ITAS"), from `start` to `as_of`: not mismatches, counted so the office can
    ask the sponsor which ITAS it is."""
    p = _presence(presence, as_day(as_of))
    if start is not None:
        p = p[p["report_date"] >= pd.Timestamp(as_day(start))]
    if p.empty:
        return 0
    return int(p.loc[purpose_unknown_many(p["permit_type"], p["activity"]), "person_count"].sum())


def permit_activity_mismatch(
    presence: pd.DataFrame, election: Election, as_of, rules: Rules, start=None
) -> pd.DataFrame:
    """Activity not allowed by the permit (domain/permits.py): one alert per person and
    permit/activity (per row without a passport pseudonym), dated on the first report, plus a
    cluster alert per regency when `cluster_min_count` of them fall within `cluster_window_days`."""
    r, as_of = rules.permit_activity_mismatch, as_day(as_of)
    singles = _mismatch_singles(presence, as_of, rules)
    rows = list(singles)
    by_reg: dict[str, list[dict]] = {}
    for s in singles:
        by_reg.setdefault(s["regency_code"], []).append(s)
    D = r.cluster_window_days
    for reg, items in sorted(by_reg.items()):
        counts = (
            pd.Series(1, index=pd.to_datetime([s["date"] for s in items])).groupby(level=0).sum()
        )
        days = pd.date_range(counts.index.min(), pd.Timestamp(as_of), freq="D")
        rolling = counts.reindex(days, fill_value=0).rolling(D, min_periods=1).sum()
        qdays = rolling.index[rolling >= r.cluster_min_count].to_numpy()
        for i, j in _episodes(qdays, 1):  # an episode ends when the window falls below the count
            first, last = pd.Timestamp(qdays[i]).date(), pd.Timestamp(qdays[j]).date()
            lo = first - dt.timedelta(days=D - 1)
            members = [s for s in items if lo <= s["date"] <= last]
            in_first = [s for s in items if lo <= s["date"] <= first]
            rows.append(
                {
                    "rule": "permit_activity_mismatch_cluster",
                    "regency_code": reg,
                    "port_id": None,
                    "date": first,
                    "severity": r.cluster_severity,
                    "agency": responsible_agency(KIND_CATEGORY["lainnya"]),
                    "trigger_ids": _ids(i for s in members for i in s["trigger_ids"]),
                    "value": float(len(in_first)),
                    "threshold": float(r.cluster_min_count),
                    "key": f"permit_activity_mismatch_cluster|{reg}|{first.isoformat()}",
                    "detail": {
                        "count": len(in_first),
                        "total": len(members),
                        "window_days": D,
                        "min_count": r.cluster_min_count,
                        "last_day": last.isoformat(),
                        "route": KIND_CATEGORY["lainnya"],
                        "political": sum(1 for s in members if s["detail"]["kind"] == POLITICAL),
                    },
                }
            )
    return _frame(rows, election, as_day(start) if start else None, as_of)


def overstay(
    presence: pd.DataFrame, election: Election, as_of, rules: Rules, start=None
) -> pd.DataFrame:
    """Still reported present after the permit expired. One alert per person and expiry date,
    dated on the latest such report (the key does not move with it): days overstayed = that report's
    date - expiry; under `deportation_from_days` the charge is days x the daily charge of the
    regulation in force on that date ([[overstay.charges]]), from it deportation and entry ban."""
    r, as_of = rules.overstay, as_day(as_of)
    p = _presence(presence, as_of)
    p = p[p["permit_expiry"].notna() & (p["permit_expiry"] < p["report_date"])].copy()
    if p.empty:
        return empty_alerts()
    p["ident"] = _identity(p)
    p = p.sort_values(["report_date", "id"])
    rows = []
    for (ident, expiry), g in p.groupby(["ident", "permit_expiry"], sort=True):
        last = g.iloc[-1]
        day = last["report_date"].date()
        days = int((last["report_date"] - expiry).days)
        deport = days >= r.deportation_from_days
        detail = {
            "days": days,
            "expiry": expiry.date().isoformat(),
            "first_seen": g["report_date"].iloc[0].date().isoformat(),
            "last_seen": day.isoformat(),
            "permit": last["permit_type"],
            "reports": len(g),
            "nationality": last.get("nationality")
            if isinstance(last.get("nationality"), str)
            else None,
        }
        detail["deportation_from_days"] = r.deportation_from_days
        charge = r.charge_on(day)
        if deport:
            detail["action"] = DEPORTATION
        elif charge is not None:  # the regulation in force on the day the overstay was last seen
            detail.update(
                charge_per_day_rp=charge.per_day_rp,
                charge_rp=days * charge.per_day_rp,
                regulation=charge.regulation,
                confirmed=charge.confirmed,
            )
        rows.append(
            {
                "rule": "overstay",
                "regency_code": last["regency_code"],
                "port_id": None,
                "date": day,
                "severity": r.severity_deportation if deport else r.severity_charge,
                "agency": rules.general.immigration_agency,
                "trigger_ids": _ids(g["id"]),
                "value": float(days),
                "threshold": float(r.deportation_from_days),
                "key": f"overstay|{_short(ident)}|{expiry.date().isoformat()}",
                "detail": detail,
            }
        )
    return _frame(rows, election, as_day(start) if start else None, as_of)


def expiring_permits(
    presence: pd.DataFrame, election: Election, as_of, rules: Rules, start=None
) -> pd.DataFrame:
    """Permits that expire in a watched phase (campaign, quiet period) while the holder is still
    reported within `lead_days` before expiry. One alert per person and expiry date, dated on the
    first such report; value = days left then."""
    r, as_of = rules.expiring_permits, as_day(as_of)
    p = _presence(presence, as_of)
    p = p[
        p["permit_expiry"].notna()
        & (p["report_date"] <= p["permit_expiry"])
        & ((p["permit_expiry"] - p["report_date"]).dt.days <= r.lead_days)
    ].copy()
    if p.empty:
        return empty_alerts()
    p["expiry_phase"] = election.tag(p["permit_expiry"], p["regency_code"]).to_numpy()
    p = p[p["expiry_phase"].isin(r.phases)]
    if p.empty:
        return empty_alerts()
    p["ident"] = _identity(p)
    p = p.sort_values(["report_date", "id"])
    rows = []
    for (ident, expiry), g in p.groupby(["ident", "permit_expiry"], sort=True):
        first = g.iloc[0]
        day = first["report_date"].date()
        left = int((expiry - first["report_date"]).days)
        rows.append(
            {
                "rule": "expiring_permits",
                "regency_code": first["regency_code"],
                "port_id": None,
                "date": day,
                "severity": r.severity,
                "agency": rules.general.immigration_agency,
                "trigger_ids": _ids(g["id"]),
                "value": float(left),
                "threshold": float(r.lead_days),
                "key": f"expiring_permits|{_short(ident)}|{expiry.date().isoformat()}",
                "detail": {
                    "expiry": expiry.date().isoformat(),
                    "expiry_phase": first["expiry_phase"],
                    "days_left": left,
                    "permit": first["permit_type"],
                    "last_seen": g["report_date"].max().date().isoformat(),
                    "nationality": first.get("nationality")
                    if isinstance(first.get("nationality"), str)
                    else None,
                },
            }
        )
    return _frame(rows, election, as_day(start) if start else None, as_of)
