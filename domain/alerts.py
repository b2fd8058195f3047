"""Alert rules (aturan peringatan): pure functions over the storage tables as data frames.

Every rule takes data frames with the column names of the storage tables, the election
(`domain.calendar.Election`), an as-of date and the `Rules` (thresholds from
data/reference/alert_rules.toml), and returns a frame of alerts with the columns `COLUMNS`:

    rule          rule name (alerts.<rule> in i18n)
    regency_code  '52.xx'; None for port and office-area rules
    office_id     immigration office in force on the alert's date (domain.regions.office_for);
                  for a port, the office of the port's regency; for a reporting gap, the office
    port_id       port id for crossing_spike, else None
    date          datetime.date the alert is dated on (see each rule)
    severity      'rendah' | 'sedang' | 'tinggi' | 'kritis'
    phase         election phase key on that date for that regency (calendar.OUTSIDE when none)
    agency        agency that acts (instansi penindak)
    trigger_ids   tuple of the row ids (presence / incident / crossing ids) behind the alert
    value         the measured number (float); `threshold` the number it was compared with
    key           deterministic identity: re-running the rules on the same data gives the same
                  keys, so storage upserts by key instead of adding duplicates. Keys hold no
                  date that moves with new data where the alert is about one person or episode.
    detail        dict of JSON-safe parameters for the explanation (i18n alerts.<rule>_detail)

Rules never look at rows dated after the as-of date. Row identity for people is the passport
pseudonym (passport_hash) when present, else the sender's record_id, else the row id; only a
16-character prefix of the pseudonym goes into a key.

No Streamlit, no SQL: storage reads the tables, the pages draw; this module only decides.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from domain.calendar import Election, elections
from domain.paths import LOCAL, REFERENCE
from domain.agencies import responsible_agency
from domain.permits import KIND_CATEGORY, POLITICAL, allowed_many, mismatch_kind, purpose_unknown_many
from domain.regions import areas_on, ports

RULES_FILE = REFERENCE / "alert_rules.toml"
LOCAL_RULES_FILE = LOCAL / "alert_rules.toml"  # an admin's edited copy (admin page), git-ignored


def rules_path() -> Path:
    """The thresholds in force: NTB_ALERT_RULES, else the admin's edited copy, else the reference file."""
    env = os.environ.get("NTB_ALERT_RULES")
    if env:
        return Path(env)
    return LOCAL_RULES_FILE if LOCAL_RULES_FILE.exists() else RULES_FILE
SEVERITIES = ("rendah", "sedang", "tinggi", "kritis")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
COLUMNS = ["rule", "regency_code", "office_id", "port_id", "date", "severity", "phase", "agency",
           "trigger_ids", "value", "threshold", "key", "detail"]
DEPORTATION = "deportasi dan penangkalan"  # action beyond the overstay charge
_EPS = 1e-6  # tolerance for float comparisons at a threshold (counts are whole numbers)


# --- Rules: thresholds from the TOML file -----------------------------------------------------

@dataclass(frozen=True)
class General:
    immigration_agency: str
    lookback_days: int


@dataclass(frozen=True)
class PresenceSurgeRules:
    window_days: int
    baseline_days: int
    min_relative_increase: float
    min_absolute_increase: float
    high_relative_increase: float
    severity: str
    high_severity: str
    rearm_days: int


@dataclass(frozen=True)
class SensitiveIncidentRules:
    categories: tuple[str, ...]
    include_election_related: bool
    severity_by_level: tuple[tuple[int, str], ...]
    min_severity_by_phase: tuple[tuple[str, str], ...]

    def level_severity(self, level: int) -> str:
        return dict(self.severity_by_level).get(int(level), "sedang")

    def phase_floor(self, phase: str) -> str | None:
        return dict(self.min_severity_by_phase).get(phase)


@dataclass(frozen=True)
class MismatchRules:
    severity_political: str
    severity_other: str
    cluster_min_count: int
    cluster_window_days: int
    cluster_severity: str


@dataclass(frozen=True)
class OverstayCharge:
    """The overstay charge per day under one regulation, in force from `valid_from` to `valid_to`
    (inclusive; None = open-ended on that side). `confirmed` is false while the office has not
    confirmed it."""
    valid_from: dt.date | None
    valid_to: dt.date | None
    per_day_rp: int
    regulation: str
    confirmed: bool


@dataclass(frozen=True)
class OverstayRules:
    charges: tuple[OverstayCharge, ...]
    deportation_from_days: int
    severity_charge: str
    severity_deportation: str

    def charge_on(self, day: dt.date) -> OverstayCharge | None:
        """The charge in force on `day` (None before the first regulation)."""
        for c in self.charges:
            if (c.valid_from is None or c.valid_from <= day) and (c.valid_to is None or day <= c.valid_to):
                return c
        return None


def _charges(raw: list) -> tuple[OverstayCharge, ...]:
    """[[overstay.charges]] tables: dated, in order, not overlapping."""
    if not isinstance(raw, list) or not raw:
        raise ValueError("alert_rules [overstay].charges needs at least one [[overstay.charges]] table")
    names = {"valid_from", "valid_to", "per_day_rp", "regulation", "confirmed"}
    out = []
    for t in raw:
        if set(t) - names or {"per_day_rp", "regulation", "confirmed"} - set(t):
            raise ValueError(f"alert_rules [[overstay.charges]]: keys must be {sorted(names)} (dates optional)")
        if not isinstance(t["confirmed"], bool) or int(t["per_day_rp"]) < 0:
            raise ValueError("alert_rules [[overstay.charges]]: confirmed true/false, per_day_rp not negative")
        out.append(OverstayCharge(t.get("valid_from"), t.get("valid_to"), int(t["per_day_rp"]), str(t["regulation"]),
                                  t["confirmed"]))
    for a, b in zip(out, out[1:]):
        if a.valid_to is None or b.valid_from is None or b.valid_from <= a.valid_to:
            raise ValueError("alert_rules [[overstay.charges]] must be in date order and must not overlap")
    return tuple(out)


@dataclass(frozen=True)
class ExpiringRules:
    phases: tuple[str, ...]
    lead_days: int
    severity: str


@dataclass(frozen=True)
class CrossingRules:
    direction: str
    baseline_days: int
    min_z: float
    min_count: float
    high_z: float
    severity: str
    high_severity: str


@dataclass(frozen=True)
class GapRules:
    min_days: int
    severity: str


@dataclass(frozen=True)
class RiskRules:
    window_days: int
    presence_cap: float
    incident_rate_cap: float
    sensitive_cap: float
    mismatch_cap: float
    weights: tuple[tuple[str, float], ...]
    proximity: tuple[tuple[str, float], ...]

    def weight(self, component: str) -> float:
        return dict(self.weights)[component]

    def proximity_of(self, phase) -> float:
        """election_proximity value of a Phase (or None outside every phase)."""
        if phase is None:
            return 0.0
        table = dict(self.proximity)
        if phase.key in table:
            return table[phase.key]
        return table["default_sensitive"] if phase.sensitive else table["default_other"]


@dataclass(frozen=True)
class ResponseRules:
    """Follow-up response time (batas waktu tindak lanjut) by the alert's phase; domain/follow_up.py."""
    hours_by_phase: tuple[tuple[str, float], ...]
    default_hours: float

    def hours_for(self, phase_key: str | None) -> float:
        return dict(self.hours_by_phase).get(phase_key, self.default_hours)


RISK_COMPONENTS = ("presence", "incident_rate", "incident_severity", "sensitive_incidents", "mismatches",
                   "election_proximity")


@dataclass(frozen=True)
class Rules:
    source: str
    edition: str
    general: General
    presence_surge: PresenceSurgeRules
    election_sensitive_incident: SensitiveIncidentRules
    permit_activity_mismatch: MismatchRules
    overstay: OverstayRules
    expiring_permits: ExpiringRules
    crossing_spike: CrossingRules
    reporting_gap: GapRules
    risk: RiskRules
    response_time: ResponseRules


def _section(cls, raw: dict, name: str, convert: dict | None = None):
    convert = convert or {}
    names = [f.name for f in fields(cls)]
    unknown = set(raw) - set(names)
    missing = set(names) - set(raw)
    if unknown or missing:
        raise ValueError(f"alert_rules [{name}]: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
    kwargs = {}
    for f in fields(cls):
        v = raw[f.name]
        if f.name in convert:
            v = convert[f.name](v)
        elif f.type in ("int",):
            v = int(v)
        elif f.type in ("float",):
            v = float(v)
        elif f.type in ("bool",):
            if not isinstance(v, bool):
                raise ValueError(f"alert_rules [{name}].{f.name} must be true or false")
        elif f.type in ("str",):
            v = str(v)
        kwargs[f.name] = v
    obj = cls(**kwargs)
    for f in fields(cls):
        v = getattr(obj, f.name)
        if "severity" in f.name and isinstance(v, str) and v not in SEVERITIES:
            raise ValueError(f"alert_rules [{name}].{f.name}: {v!r} is not one of {SEVERITIES}")
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
            raise ValueError(f"alert_rules [{name}].{f.name} must not be negative")
    return obj


def _severity_table(d: dict, name: str, key=str) -> tuple:
    for v in d.values():
        if v not in SEVERITIES:
            raise ValueError(f"alert_rules [{name}]: {v!r} is not one of {SEVERITIES}")
    return tuple(sorted((key(k), v) for k, v in d.items()))


def load_rules(path: Path | str | None = None) -> Rules:
    """Read and check the thresholds (default: rules_path())."""
    raw = tomllib.loads(Path(path or rules_path()).read_text(encoding="utf-8"))
    sections = {"general", "presence_surge", "election_sensitive_incident", "permit_activity_mismatch",
                "overstay", "expiring_permits", "crossing_spike", "reporting_gap", "risk", "response_time"}
    unknown = set(raw) - sections - {"source", "edition"}
    if unknown or sections - set(raw):
        raise ValueError(f"alert_rules: unknown sections {sorted(unknown)}, missing {sorted(sections - set(raw))}")
    risk_raw = dict(raw["risk"])
    weights = risk_raw.get("weights", {})
    if set(weights) != set(RISK_COMPONENTS):
        raise ValueError(f"alert_rules [risk.weights] must name exactly {RISK_COMPONENTS}")
    if any(float(w) < 0 for w in weights.values()) or abs(sum(float(w) for w in weights.values()) - 1) > 1e-6:
        raise ValueError("alert_rules [risk.weights] must be non-negative and sum to 1")
    prox = risk_raw.get("proximity", {})
    if not {"default_sensitive", "default_other"} <= set(prox) or any(not 0 <= float(v) <= 1 for v in prox.values()):
        raise ValueError("alert_rules [risk.proximity] needs default_sensitive and default_other, values 0-1")
    rules = Rules(
        source=str(raw.get("source", "")),
        edition=str(raw.get("edition", "")),
        general=_section(General, raw["general"], "general"),
        presence_surge=_section(PresenceSurgeRules, raw["presence_surge"], "presence_surge"),
        election_sensitive_incident=_section(SensitiveIncidentRules, raw["election_sensitive_incident"],
                                             "election_sensitive_incident", {
            "categories": tuple,
            "severity_by_level": lambda d: _severity_table(d, "severity_by_level", int),
            "min_severity_by_phase": lambda d: _severity_table(d, "min_severity_by_phase"),
        }),
        permit_activity_mismatch=_section(MismatchRules, raw["permit_activity_mismatch"], "permit_activity_mismatch"),
        overstay=_section(OverstayRules, raw["overstay"], "overstay", {"charges": _charges}),
        expiring_permits=_section(ExpiringRules, raw["expiring_permits"], "expiring_permits", {"phases": tuple}),
        crossing_spike=_section(CrossingRules, raw["crossing_spike"], "crossing_spike"),
        reporting_gap=_section(GapRules, raw["reporting_gap"], "reporting_gap"),
        risk=_section(RiskRules, risk_raw, "risk", {
            "weights": lambda d: tuple((k, float(d[k])) for k in RISK_COMPONENTS),
            "proximity": lambda d: tuple(sorted((k, float(v)) for k, v in d.items())),
        }),
        response_time=_section(ResponseRules, raw["response_time"], "response_time", {
            "hours_by_phase": lambda d: tuple(sorted((k, float(v)) for k, v in d.items())),
        }),
    )
    if any(h <= 0 for _, h in rules.response_time.hours_by_phase) or rules.response_time.default_hours <= 0:
        raise ValueError("alert_rules [response_time]: hours must be more than 0")
    phases = {p.key for e in elections().values() for p in e.phases}
    if typos := sorted(k for k, _ in rules.response_time.hours_by_phase if k not in phases):
        raise ValueError(f"alert_rules [response_time.hours_by_phase]: unknown phases {typos}")
    for days in (rules.presence_surge.window_days, rules.presence_surge.baseline_days,
                 rules.permit_activity_mismatch.cluster_window_days, rules.crossing_spike.baseline_days,
                 rules.reporting_gap.min_days, rules.permit_activity_mismatch.cluster_min_count):
        if days < 1:
            raise ValueError("alert_rules: windows, day counts and cluster sizes must be at least 1")
    return rules


# --- Small helpers -----------------------------------------------------------------------------

def as_day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def as_days(s: pd.Series) -> pd.Series:
    """Any date column (ISO text from SQLite, date objects, timestamps) as datetime64 days."""
    return pd.to_datetime(s, errors="coerce").dt.normalize().astype("datetime64[ns]")


def _bools(s: pd.Series) -> pd.Series:
    truthy = {"1", "true", "ya", "yes", "y", "t", "benar"}
    return s.map(lambda v: False if v is None or (not isinstance(v, str) and pd.isna(v))
                 else (bool(v) if not isinstance(v, str) else v.strip().lower() in truthy)).astype(bool)


def _col(df: pd.DataFrame, name: str, default=None) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index, dtype=object)


def _identity(df: pd.DataFrame) -> pd.Series:
    """Who a presence row is about: passport pseudonym, else the sender's record id, else the row id."""
    ph = _col(df, "passport_hash").astype(object)
    rid = _col(df, "record_id").astype(object)
    ids = df["id"].astype(object)
    out = []
    for h, r, i in zip(ph, rid, ids):
        if isinstance(h, str) and h.strip():
            out.append("p" + h.strip())
        elif isinstance(r, str) and r.strip():
            out.append("r" + r.strip())
        else:
            out.append(f"id{int(i)}")
    return pd.Series(out, index=df.index, dtype=object)


def _short(ident: str) -> str:
    """Identity as written into a key: a passport pseudonym shortened to 16 characters."""
    return ident[:17] if ident.startswith("p") else ident


def _ids(values) -> tuple[int, ...]:
    return tuple(sorted(int(v) for v in values))


def _worst(a: str, b: str | None) -> str:
    if b is None:
        return a
    return a if SEVERITY_RANK[a] >= SEVERITY_RANK[b] else b


class _Offices:
    """office_for(regency, day) with one areas_on() call per distinct day."""

    def __init__(self):
        self._cache: dict[dt.date, dict[str, str]] = {}

    def __call__(self, regency: str | None, day: dt.date) -> str | None:
        if regency is None:
            return None
        if day not in self._cache:
            self._cache[day] = areas_on(day)
        return self._cache[day].get(regency)


def _phases(election: Election, days: list, regencies: list) -> list[str]:
    if not days:
        return []
    return election.tag(pd.Series(pd.to_datetime(days)), pd.Series(regencies, dtype=object)).tolist()


def _frame(rows: list[dict], election: Election, start=None, as_of=None) -> pd.DataFrame:
    """Alert rows -> the alert frame: office and phase filled, dated within [start, as_of]."""
    if not rows:
        return empty_alerts()
    if start is not None:
        rows = [r for r in rows if r["date"] >= start]
    if as_of is not None:
        rows = [r for r in rows if r["date"] <= as_of]
    if not rows:
        return empty_alerts()
    offices = _Offices()
    phase_regs = [r.pop("_phase_regency", r["regency_code"]) for r in rows]
    phases = _phases(election, [r["date"] for r in rows], phase_regs)
    for r, ph, preg in zip(rows, phases, phase_regs):
        if "phase" not in r:
            r["phase"] = ph
        if "office_id" not in r:
            r["office_id"] = offices(preg, r["date"])
    out = pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in COLUMNS})
    out["value"] = out["value"].astype(float)
    out["threshold"] = out["threshold"].astype(float)
    return out


def empty_alerts() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series([], dtype=object) for c in COLUMNS})
    out["value"] = out["value"].astype(float)
    out["threshold"] = out["threshold"].astype(float)
    return out


def _presence(presence: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    p = presence.copy()
    p["report_date"] = as_days(p["report_date"])
    p = p[p["report_date"].notna() & (p["report_date"] <= pd.Timestamp(as_of))]
    p["person_count"] = pd.to_numeric(_col(p, "person_count", 1), errors="coerce").fillna(1).astype(int)
    for c in ("permit_expiry", "arrival_date"):
        p[c] = as_days(_col(p, c))
    p["regency_code"] = p["regency_code"].astype(object)
    return p


def _episodes(days: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Index ranges [i, j] of sorted qualifying days where consecutive ones are <= gap days apart."""
    if len(days) == 0:
        return []
    steps = np.diff(days).astype("timedelta64[D]").astype(int)
    breaks = np.flatnonzero(steps > gap)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(days) - 1]])
    return list(zip(starts.tolist(), ends.tolist()))


def tag_phases(frame: pd.DataFrame, date_col: str, election: Election) -> pd.DataFrame:
    """A copy of `frame` with a `phase` column: the election phase of `date_col`, regency-aware
    when the frame has a regency_code column (Kota Bima's longer dispute watch)."""
    out = frame.copy()
    regs = out["regency_code"].astype(object) if "regency_code" in out.columns else None
    out["phase"] = election.tag(out[date_col], regs) if len(out) else pd.Series([], dtype=object)
    return out


# --- Rules ----------------------------------------------------------------------------------------

def presence_surge(presence: pd.DataFrame, election: Election, as_of, rules: Rules, start=None) -> pd.DataFrame:
    """Persons in a regency in the last `window_days` (ending on the day) against the weekly
    average of the `baseline_days` before them. One alert per episode, dated on its first day;
    days without a full baseline (the first 35 days of data) are never evaluated."""
    r, as_of = rules.presence_surge, as_day(as_of)
    p = _presence(presence, as_of)
    if p.empty:
        return empty_alerts()
    days = pd.date_range(p["report_date"].min(), pd.Timestamp(as_of), freq="D")
    daily = (p.pivot_table(index="report_date", columns="regency_code", values="person_count", aggfunc="sum")
             .reindex(days, fill_value=0).fillna(0))
    w, b = r.window_days, r.baseline_days
    recent = daily.rolling(w, min_periods=w).sum()
    base = daily.shift(w).rolling(b, min_periods=b).sum() * w / b
    inc = recent - base
    rel = inc / base.where(base > 0)
    rel = rel.where(base > 0, np.where(recent > 0, np.inf, 0.0))
    qualify = (inc >= r.min_relative_increase * base - _EPS) & (inc >= r.min_absolute_increase - _EPS) & base.notna()
    rows = []
    for reg in daily.columns:
        q = qualify[reg].to_numpy()
        qdays = days[q].to_numpy()
        for i, j in _episodes(qdays, r.rearm_days):
            first = pd.Timestamp(qdays[i])
            ep = (days >= first) & (days <= pd.Timestamp(qdays[j]))
            peak_at = recent[reg][ep & q].idxmax()
            peak_rel = float(rel[reg][ep & q].max())
            lo = first - pd.Timedelta(days=w - 1)
            ids = p.loc[(p["regency_code"] == reg) & p["report_date"].between(lo, first), "id"]
            bl, rc = float(base.at[first, reg]), float(recent.at[first, reg])
            need = max(bl * (1 + r.min_relative_increase), bl + r.min_absolute_increase)
            first_rel = float(rel.at[first, reg])
            rows.append({
                "rule": "presence_surge", "regency_code": reg, "port_id": None, "date": first.date(),
                "severity": r.high_severity if peak_rel >= r.high_relative_increase - _EPS else r.severity,
                "agency": rules.general.immigration_agency, "trigger_ids": _ids(ids),
                "value": rc, "threshold": need, "key": f"presence_surge|{reg}|{first.date().isoformat()}",
                "detail": {
                    "persons": int(rc), "baseline": round(bl, 1),
                    "increase_pct": None if math.isinf(first_rel) else round(first_rel * 100),
                    "min_pct": round(r.min_relative_increase * 100), "min_abs": int(r.min_absolute_increase),
                    "window_days": w, "baseline_days": b,
                    "peak_persons": int(recent.at[peak_at, reg]), "peak_date": peak_at.date().isoformat(),
                    "last_day": pd.Timestamp(qdays[j]).date().isoformat(),
                },
            })
    return _frame(rows, election, as_day(start) if start else None, as_of)


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


def election_sensitive_incident(incidents: pd.DataFrame, election: Election, as_of, rules: Rules,
                                start=None) -> pd.DataFrame:
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
        rows.append({
            "rule": "election_sensitive_incident", "regency_code": row["regency_code"], "port_id": None,
            "date": day, "severity": sev, "phase": phase, "agency": ag, "trigger_ids": (int(row["id"]),),
            "value": float(level), "threshold": float("nan"),
            "key": f"election_sensitive_incident|{row['regency_code']}|{day.isoformat()}|{ident}",
            "detail": {"category": row["category"], "level": level, "base_severity": base,
                       "escalated": sev != base, "election_related": bool(row["election_related"]),
                       "status": row.get("status") if isinstance(row.get("status"), str) else None},
        })
    return _frame(rows, election, as_day(start) if start else None, as_of)


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
        rows.append({
            "rule": "permit_activity_mismatch", "regency_code": first["regency_code"], "port_id": None,
            "date": day, "severity": r.severity_political if kind == POLITICAL else r.severity_other,
            "agency": responsible_agency(route), "trigger_ids": _ids(g["id"]),
            "value": float(first["person_count"]), "threshold": float("nan"),
            "key": f"permit_activity_mismatch|{first['regency_code']}|{day.isoformat()}|{_short(ident)}|{permit}|{activity}",
            "detail": {"permit": permit, "activity": activity, "kind": kind, "route": route,
                       "persons": int(first["person_count"]),
                       "reports": len(g), "last_seen": g["report_date"].max().date().isoformat(),
                       "nationality": first.get("nationality") if isinstance(first.get("nationality"), str) else None},
        })
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


def permit_activity_mismatch(presence: pd.DataFrame, election: Election, as_of, rules: Rules,
                             start=None) -> pd.DataFrame:
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
        counts = pd.Series(1, index=pd.to_datetime([s["date"] for s in items])).groupby(level=0).sum()
        days = pd.date_range(counts.index.min(), pd.Timestamp(as_of), freq="D")
        rolling = counts.reindex(days, fill_value=0).rolling(D, min_periods=1).sum()
        qdays = rolling.index[rolling >= r.cluster_min_count].to_numpy()
        for i, j in _episodes(qdays, 1):  # an episode ends when the window falls below the count
            first, last = pd.Timestamp(qdays[i]).date(), pd.Timestamp(qdays[j]).date()
            lo = first - dt.timedelta(days=D - 1)
            members = [s for s in items if lo <= s["date"] <= last]
            in_first = [s for s in items if lo <= s["date"] <= first]
            rows.append({
                "rule": "permit_activity_mismatch_cluster", "regency_code": reg, "port_id": None, "date": first,
                "severity": r.cluster_severity, "agency": responsible_agency(KIND_CATEGORY["lainnya"]),
                "trigger_ids": _ids(i for s in members for i in s["trigger_ids"]),
                "value": float(len(in_first)), "threshold": float(r.cluster_min_count),
                "key": f"permit_activity_mismatch_cluster|{reg}|{first.isoformat()}",
                "detail": {"count": len(in_first), "total": len(members), "window_days": D,
                           "min_count": r.cluster_min_count, "last_day": last.isoformat(),
                           "route": KIND_CATEGORY["lainnya"],
                           "political": sum(1 for s in members if s["detail"]["kind"] == POLITICAL)},
            })
    return _frame(rows, election, as_day(start) if start else None, as_of)


def overstay(presence: pd.DataFrame, election: Election, as_of, rules: Rules, start=None) -> pd.DataFrame:
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
        detail = {"days": days, "expiry": expiry.date().isoformat(),
                  "first_seen": g["report_date"].iloc[0].date().isoformat(), "last_seen": day.isoformat(),
                  "permit": last["permit_type"], "reports": len(g),
                  "nationality": last.get("nationality") if isinstance(last.get("nationality"), str) else None}
        detail["deportation_from_days"] = r.deportation_from_days
        charge = r.charge_on(day)
        if deport:
            detail["action"] = DEPORTATION
        elif charge is not None:  # the regulation in force on the day the overstay was last seen
            detail.update(charge_per_day_rp=charge.per_day_rp, charge_rp=days * charge.per_day_rp,
                          regulation=charge.regulation, confirmed=charge.confirmed)
        rows.append({
            "rule": "overstay", "regency_code": last["regency_code"], "port_id": None, "date": day,
            "severity": r.severity_deportation if deport else r.severity_charge,
            "agency": rules.general.immigration_agency, "trigger_ids": _ids(g["id"]),
            "value": float(days), "threshold": float(r.deportation_from_days),
            "key": f"overstay|{_short(ident)}|{expiry.date().isoformat()}", "detail": detail,
        })
    return _frame(rows, election, as_day(start) if start else None, as_of)


def expiring_permits(presence: pd.DataFrame, election: Election, as_of, rules: Rules, start=None) -> pd.DataFrame:
    """Permits that expire in a watched phase (campaign, quiet period) while the holder is still
    reported within `lead_days` before expiry. One alert per person and expiry date, dated on the
    first such report; value = days left then."""
    r, as_of = rules.expiring_permits, as_day(as_of)
    p = _presence(presence, as_of)
    p = p[p["permit_expiry"].notna() & (p["report_date"] <= p["permit_expiry"])
          & ((p["permit_expiry"] - p["report_date"]).dt.days <= r.lead_days)].copy()
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
        rows.append({
            "rule": "expiring_permits", "regency_code": first["regency_code"], "port_id": None, "date": day,
            "severity": r.severity, "agency": rules.general.immigration_agency, "trigger_ids": _ids(g["id"]),
            "value": float(left), "threshold": float(r.lead_days),
            "key": f"expiring_permits|{_short(ident)}|{expiry.date().isoformat()}",
            "detail": {"expiry": expiry.date().isoformat(), "expiry_phase": first["expiry_phase"], "days_left": left,
                       "permit": first["permit_type"], "last_seen": g["report_date"].max().date().isoformat(),
                       "nationality": first.get("nationality") if isinstance(first.get("nationality"), str) else None},
        })
    return _frame(rows, election, as_day(start) if start else None, as_of)


def crossing_spike(crossings: pd.DataFrame, election: Election, as_of, rules: Rules, start=None) -> pd.DataFrame:
    """A port's count on a day (direction `direction`, all nationalities) against the mean and
    population standard deviation of its previous `baseline_days` days. One alert per port and day."""
    r, as_of = rules.crossing_spike, as_day(as_of)
    c = crossings.copy()
    c["date"] = as_days(c["date"])
    c = c[c["date"].notna() & (c["date"] <= pd.Timestamp(as_of)) & (c["direction"] == r.direction)]
    if c.empty:
        return empty_alerts()
    c["count"] = pd.to_numeric(c["count"], errors="coerce").fillna(0)
    days = pd.date_range(c["date"].min(), pd.Timestamp(as_of), freq="D")
    daily = c.pivot_table(index="date", columns="port_id", values="count", aggfunc="sum").reindex(days)
    for port in daily.columns:  # zero after a port's first record; unknown before it
        first = c.loc[c["port_id"] == port, "date"].min()
        daily.loc[daily.index >= first, port] = daily.loc[daily.index >= first, port].fillna(0)
    b = r.baseline_days
    hist = daily.shift(1).rolling(b, min_periods=b)
    mean, sd = hist.mean(), hist.std(ddof=0)
    excess = daily - mean
    z_ok = np.where(sd > _EPS, excess >= r.min_z * sd - _EPS, excess > _EPS)
    qualify = pd.DataFrame(z_ok, index=daily.index, columns=daily.columns) & (daily >= r.min_count) & mean.notna()
    port_regency = ports()["regency_code"].to_dict() if len(ports()) else {}
    rows = []
    for port in daily.columns:
        for day in daily.index[qualify[port].to_numpy()]:
            x, m, s = float(daily.at[day, port]), float(mean.at[day, port]), float(sd.at[day, port])
            z = (x - m) / s if s > _EPS else math.inf
            reg = port_regency.get(port) or None
            ids = c.loc[(c["port_id"] == port) & (c["date"] == day), "id"]
            rows.append({
                "rule": "crossing_spike", "regency_code": None, "_phase_regency": reg, "port_id": port,
                "date": day.date(), "severity": r.high_severity if z >= r.high_z - _EPS else r.severity,
                "agency": rules.general.immigration_agency, "trigger_ids": _ids(ids),
                "value": x, "threshold": max(m + r.min_z * s, float(r.min_count)),
                "key": f"crossing_spike|{port}|{day.date().isoformat()}|{r.direction}",
                "detail": {"count": int(x), "mean": round(m, 1), "sd": round(s, 1),
                           "z": None if math.isinf(z) else round(z, 1), "min_z": r.min_z,
                           "min_count": int(r.min_count), "baseline_days": b, "direction": r.direction,
                           "port_regency": reg},
            })
    return _frame(rows, election, as_day(start) if start else None, as_of)


def reporting_gap(presence: pd.DataFrame, election: Election, as_of, rules: Rules, start=None) -> pd.DataFrame:
    """An office area (areas in force on the as-of date) with no presence report on `min_days`
    consecutive days: data, not calm. One alert per silent stretch, dated on its `min_days`-th
    silent day and keyed by the last report before it; value = silent days up to the report that
    ended it or the as-of date. An office that never reported counts from the day before the
    first report anywhere. No presence data at all gives no alert (nothing has been loaded)."""
    r, as_of = rules.reporting_gap, as_day(as_of)
    p = _presence(presence, as_of)
    if p.empty:
        return empty_alerts()
    areas = areas_on(as_of)
    p["office_id"] = p["regency_code"].map(areas)
    data_start = p["report_date"].min().date()
    offices = sorted(set(areas.values()))
    rows = []
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)  # a virtual report after the as-of date
    for office in offices:
        regs = sorted(k for k, v in areas.items() if v == office)
        got = p.loc[p["office_id"] == office, "report_date"].drop_duplicates().sort_values()
        marks = pd.DatetimeIndex([pd.Timestamp(data_start) - pd.Timedelta(days=1)]).append(pd.DatetimeIndex(got)).append(
            pd.DatetimeIndex([end]))
        marks = marks.unique().sort_values()
        silent = (marks[1:] - marks[:-1]).days - 1
        for k in np.flatnonzero(silent >= r.min_days):
            last, nxt = marks[k], marks[k + 1]
            fired = (last + pd.Timedelta(days=r.min_days)).date()
            never = k == 0  # marks[0] is the virtual report before the data starts
            last_iso = None if never else last.date().isoformat()
            rows.append({
                "rule": "reporting_gap", "regency_code": None, "office_id": office, "port_id": None,
                "_phase_regency": _area_phase_regency(election, fired, regs),
                "date": fired, "severity": r.severity, "agency": rules.general.immigration_agency,
                "trigger_ids": (), "value": float(silent[k]), "threshold": float(r.min_days),
                "key": f"reporting_gap|{office}|{last_iso or 'never'}",
                "detail": {"days": int(silent[k]), "last_report": last_iso, "min_days": r.min_days,
                           "open": bool(nxt == end), "regencies": regs},
            })
    return _frame(rows, election, as_day(start) if start else None, as_of)


def _area_phase_regency(election: Election, day: dt.date, regs: list[str]) -> str | None:
    """The regency whose phase stands for an office area: none (the common calendar) unless
    only a regency's extension puts the day in a phase (Kota Bima's dispute watch)."""
    if election.phase_on(day) is not None:
        return None
    return next((reg for reg in regs if election.phase_on(day, reg) is not None), None)


RULE_FUNCTIONS: dict[str, Callable[..., pd.DataFrame]] = {
    "presence_surge": presence_surge,
    "election_sensitive_incident": election_sensitive_incident,
    "permit_activity_mismatch": permit_activity_mismatch,  # also permit_activity_mismatch_cluster
    "overstay": overstay,
    "expiring_permits": expiring_permits,
    "crossing_spike": crossing_spike,
    "reporting_gap": reporting_gap,
}
RULE_NAMES = ("presence_surge", "election_sensitive_incident", "permit_activity_mismatch",
              "permit_activity_mismatch_cluster", "overstay", "expiring_permits", "crossing_spike", "reporting_gap")


def evaluate_all(presence: pd.DataFrame, incidents: pd.DataFrame, crossings: pd.DataFrame, election: Election,
                 as_of, rules: Rules, start=None) -> pd.DataFrame:
    """Every rule, alerts dated within [start, as_of] (start defaults to as_of - lookback_days,
    270 days), sorted by date, rule and key. Deterministic: same input, same frame and keys."""
    as_of = as_day(as_of)
    start = as_day(start) if start is not None else as_of - dt.timedelta(days=rules.general.lookback_days)
    frames = {"presence": presence, "incidents": incidents, "crossings": crossings}
    needs = {"election_sensitive_incident": "incidents", "crossing_spike": "crossings"}
    parts = []
    for name, fn in RULE_FUNCTIONS.items():
        frame = frames[needs.get(name, "presence")]
        if frame is None or len(frame) == 0:
            continue
        parts.append(fn(frame, election, as_of, rules, start=start))
    parts = [x for x in parts if len(x)]
    if not parts:
        return empty_alerts()
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["date", "rule", "key"], kind="stable").reset_index(drop=True)
    for c in ("regency_code", "office_id", "port_id"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out[COLUMNS]


# --- Explanations -------------------------------------------------------------------------------

_ISO_DATE = __import__("re").compile(r"^\d{4}-\d{2}-\d{2}$")


def _fmt_number(v, lang: str) -> str:
    """1.000.000 and 2,5 in Indonesian (i18n.formats; one decimal for a fraction)."""
    from i18n import formats
    return formats.number(v, lang, 1 if isinstance(v, float) and not v.is_integer() else 0)


def _fmt_date(iso: str, lang: str) -> str:
    """27/11/2024 in both languages (i18n.formats)."""
    from i18n import formats
    return formats.date(dt.date.fromisoformat(iso), lang)


def detail_key(alert) -> str:
    """The i18n key explaining this alert: alerts.<rule>_detail, or a variant of it."""
    rule, detail = alert["rule"], dict(alert["detail"])
    variant = ""
    if rule == "overstay":
        variant = "_deport" if "charge_rp" not in detail else (
            "_charge" if detail.get("confirmed", True) else "_charge_unconfirmed")
    elif rule == "presence_surge" and detail.get("increase_pct") is None:
        variant = "_new"
    elif rule == "reporting_gap" and detail.get("last_report") is None:
        variant = "_never"
    elif rule == "election_sensitive_incident" and detail.get("escalated"):
        variant = "_escalated"
    elif rule == "permit_activity_mismatch" and detail.get("kind") == POLITICAL:
        variant = "_politik"
    elif rule == "crossing_spike" and detail.get("z") is None:
        variant = "_flat"
    return f"alerts.{rule}_detail{variant}"


def detail_params(alert, lang: str = "id", election: Election | None = None) -> dict:
    """Parameters for the explanation: the detail dict plus the alert's date, severity, agency,
    office, port, regency and phase, with names instead of codes and numbers and dates written
    the language's way."""
    from i18n import has, t
    from domain.regions import offices, regency_name

    def phase_name(key):
        p = election.phase_by_key(key) if election is not None and key else None
        return p.name(lang) if p else (key or "–")

    def office_name(oid):
        return offices()["name"].get(oid, oid) if oid and "name" in offices().columns else (oid or "–")

    def reg_name(code):
        try:
            return regency_name(code)
        except KeyError:
            return code

    out: dict = {}
    for k, v in dict(alert["detail"]).items():
        if isinstance(v, (list, tuple)):
            out[k] = ", ".join(reg_name(x) if k == "regencies" else str(x) for x in v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = _fmt_number(v, lang)
        elif isinstance(v, str) and _ISO_DATE.match(v):
            out[k] = _fmt_date(v, lang)
        else:
            out[k] = "–" if v is None else v
    detail = dict(alert["detail"])
    for k, area in (("category", "category"), ("activity", "alerts.activity"), ("direction", "alerts.direction")):
        if isinstance(detail.get(k), str):
            key = f"{area}_{detail[k]}" if area.startswith("alerts") else f"{area}.{detail[k]}"
            out[k] = t(key, lang) if has(key, lang) or has(key) else detail[k]
    if isinstance(detail.get("expiry_phase"), str):
        out["expiry_phase"] = phase_name(detail["expiry_phase"])
    date = alert["date"]
    port = alert.get("port_id") if hasattr(alert, "get") else alert["port_id"]
    out.update({
        "date": _fmt_date(as_day(date).isoformat(), lang),
        "severity": t(f"alerts.severity_{alert['severity']}", lang),
        "agency": alert["agency"],
        "office": office_name(alert["office_id"]),
        "port": ports()["name"].get(port, port) if port else "–",
        "regency": reg_name(alert["regency_code"]) if alert["regency_code"] else "–",
        "phase": phase_name(alert["phase"]),
    })
    return out


def describe(alert, lang: str = "id", election: Election | None = None) -> str:
    """One or two sentences explaining an alert row in the language (i18n catalogue alerts.*)."""
    from i18n import t
    return t(detail_key(alert), lang, **detail_params(alert, lang, election))
