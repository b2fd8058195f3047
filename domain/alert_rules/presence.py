"""Presence rules: a surge of foreign nationals in a regency, and an office area that stopped reporting."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from domain.alert_rules.frames import _EPS, _episodes, _frame, _ids, _presence, as_day, empty_alerts
from domain.calendar import Election
from domain.regions import areas_on
from domain.thresholds import Rules


def presence_surge(
    presence: pd.DataFrame, election: Election, as_of, rules: Rules, start=None
) -> pd.DataFrame:
    """Persons in a regency in the last `window_days` (ending on the day) against the weekly
    average of the `baseline_days` before them. One alert per episode, dated on its first day;
    days without a full baseline (the first 35 days of data) are never evaluated."""
    r, as_of = rules.presence_surge, as_day(as_of)
    p = _presence(presence, as_of)
    if p.empty:
        return empty_alerts()
    days = pd.date_range(p["report_date"].min(), pd.Timestamp(as_of), freq="D")
    daily = (
        p.pivot_table(
            index="report_date", columns="regency_code", values="person_count", aggfunc="sum"
        )
        .reindex(days, fill_value=0)
        .fillna(0)
    )
    w, b = r.window_days, r.baseline_days
    recent = daily.rolling(w, min_periods=w).sum()
    base = daily.shift(w).rolling(b, min_periods=b).sum() * w / b
    inc = recent - base
    rel = inc / base.where(base > 0)
    rel = rel.where(base > 0, np.where(recent > 0, np.inf, 0.0))
    qualify = (
        (inc >= r.min_relative_increase * base - _EPS)
        & (inc >= r.min_absolute_increase - _EPS)
        & base.notna()
    )
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
            rows.append(
                {
                    "rule": "presence_surge",
                    "regency_code": reg,
                    "port_id": None,
                    "date": first.date(),
                    "severity": r.high_severity
                    if peak_rel >= r.high_relative_increase - _EPS
                    else r.severity,
                    "agency": rules.general.immigration_agency,
                    "trigger_ids": _ids(ids),
                    "value": rc,
                    "threshold": need,
                    "key": f"presence_surge|{reg}|{first.date().isoformat()}",
                    "detail": {
                        "persons": int(rc),
                        "baseline": round(bl, 1),
                        "increase_pct": None if math.isinf(first_rel) else round(first_rel * 100),
                        "min_pct": round(r.min_relative_increase * 100),
                        "min_abs": int(r.min_absolute_increase),
                        "window_days": w,
                        "baseline_days": b,
                        "peak_persons": int(recent.at[peak_at, reg]),
                        "peak_date": peak_at.date().isoformat(),
                        "last_day": pd.Timestamp(qdays[j]).date().isoformat(),
                    },
                }
            )
    return _frame(rows, election, as_day(start) if start else None, as_of)


def reporting_gap(
    presence: pd.DataFrame, election: Election, as_of, rules: Rules, start=None
) -> pd.DataFrame:
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
        marks = (
            pd.DatetimeIndex([pd.Timestamp(data_start) - pd.Timedelta(days=1)])
            .append(pd.DatetimeIndex(got))
            .append(pd.DatetimeIndex([end]))
        )
        marks = marks.unique().sort_values()
        silent = (marks[1:] - marks[:-1]).days - 1
        for k in np.flatnonzero(silent >= r.min_days):
            last, nxt = marks[k], marks[k + 1]
            fired = (last + pd.Timedelta(days=r.min_days)).date()
            never = k == 0  # marks[0] is the virtual report before the data starts
            last_iso = None if never else last.date().isoformat()
            rows.append(
                {
                    "rule": "reporting_gap",
                    "regency_code": None,
                    "office_id": office,
                    "port_id": None,
                    "_phase_regency": _area_phase_regency(election, fired, regs),
                    "date": fired,
                    "severity": r.severity,
                    "agency": rules.general.immigration_agency,
                    "trigger_ids": (),
                    "value": float(silent[k]),
                    "threshold": float(r.min_days),
                    "key": f"reporting_gap|{office}|{last_iso or 'never'}",
                    "detail": {
                        "days": int(silent[k]),
                        "last_report": last_iso,
                        "min_days": r.min_days,
                        "open": bool(nxt == end),
                        "regencies": regs,
                    },
                }
            )
    return _frame(rows, election, as_day(start) if start else None, as_of)


def _area_phase_regency(election: Election, day: dt.date, regs: list[str]) -> str | None:
    """The regency whose phase stands for an office area: none (the common calendar) unless
    only a regency's extension puts the day in a phase (Kota Bima's dispute watch)."""
    if election.phase_on(day) is not None:
        return None
    return next((reg for reg in regs if election.phase_on(day, reg) is not None), None)
