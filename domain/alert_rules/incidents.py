"""Election-sensitive incidents, escalated by the election phase."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.agencies import responsible_agency
from domain.alert_rules.frames import _bools, _col, _frame, _worst, as_day, as_days, empty_alerts
from domain.calendar import Election
from domain.thresholds import Rules


def _sensitive_incidents(incidents: pd.DataFrame, as_of: dt.date, rules: Rules) -> pd.DataFrame:
    r = rules.election_sensitive_incident
    inc = incidents.copy()
    inc["incident_date"] = as_days(inc["incident_date"])
    inc = inc[inc["incident_date"].notna() & (inc["incident_date"] <= pd.Timestamp(as_of))]
    related = _bools(_col(inc, "election_related", False))
    mask = inc["category"].isin(r.categories) | (related & r.include_election_related)
    out = inc[mask].copy()
    out["election_related"] = related[mask]
    return out


def election_sensitive_incident(
    incidents: pd.DataFrame, election: Election, as_of, rules: Rules, start=None
) -> pd.DataFrame:
    """One alert per incident of a sensitive category or flagged election-related, dated on the
    incident; severity from its level, raised to the phase's floor (campaign -> tinggi, quiet
    period and voting day -> kritis). The agency is the incident's responsible agency."""
    r, as_of = rules.election_sensitive_incident, as_day(as_of)
    inc = _sensitive_incidents(incidents, as_of, rules)
    if inc.empty:
        return empty_alerts()
    inc["regency_code"] = inc["regency_code"].astype(object)
    phases = election.tag(inc["incident_date"], inc["regency_code"]).tolist()
    rows = []
    rid = _col(inc, "record_id").astype(object)
    agency = _col(inc, "responsible_agency").astype(object)
    for (_, row), phase, rec, ag in zip(inc.iterrows(), phases, rid, agency):
        level = int(row["severity"])
        base = r.level_severity(level)
        sev = _worst(base, r.phase_floor(phase))
        ident = rec.strip() if isinstance(rec, str) and rec.strip() else f"id{int(row['id'])}"
        day = row["incident_date"].date()
        ag = ag if isinstance(ag, str) and ag.strip() else responsible_agency(row["category"])
        rows.append(
            {
                "rule": "election_sensitive_incident",
                "regency_code": row["regency_code"],
                "port_id": None,
                "date": day,
                "severity": sev,
                "phase": phase,
                "agency": ag,
                "trigger_ids": (int(row["id"]),),
                "value": float(level),
                "threshold": float("nan"),
                "key": f"election_sensitive_incident|{row['regency_code']}|{day.isoformat()}|{ident}",
                "detail": {
                    "category": row["category"],
                    "level": level,
                    "base_severity": base,
                    "escalated": sev != base,
                    "election_related": bool(row["election_related"]),
                    "status": row.get("status") if isinstance(row.get("status"), str) else None,
                },
            }
        )
    return _frame(rows, election, as_day(start) if start else None, as_of)
