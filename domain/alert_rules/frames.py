"""The alert frame every rule returns, and the helpers the rules share (dates, identities, episodes).

An alert frame has the columns `COLUMNS`:

    rule          rule name (the alert rule table, domain/alert_rules/table.py)
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
    detail        dict of JSON-safe codes and numbers for the explanation (viz/alert_text.py)

Row identity for people is the passport pseudonym (passport_hash) when present, else the sender's
record_id, else the row id; only a 16-character prefix of the pseudonym goes into a key.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from domain.calendar import Election
from domain.regions import areas_on
from domain.thresholds import SEVERITY_RANK

COLUMNS = [
    "rule",
    "regency_code",
    "office_id",
    "port_id",
    "date",
    "severity",
    "phase",
    "agency",
    "trigger_ids",
    "value",
    "threshold",
    "key",
    "detail",
]
_EPS = 1e-6  # tolerance for float comparisons at a threshold (counts are whole numbers)


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
    return s.map(
        lambda v: (
            False
            if v is None or (not isinstance(v, str) and pd.isna(v))
            else (bool(v) if not isinstance(v, str) else v.strip().lower() in truthy)
        )
    ).astype(bool)


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
    return election.tag(
        pd.Series(pd.to_datetime(days)), pd.Series(regencies, dtype=object)
    ).tolist()


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
    p["person_count"] = (
        pd.to_numeric(_col(p, "person_count", 1), errors="coerce").fillna(1).astype(int)
    )
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
