"""Crossing spikes at a port of entry."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from domain.alert_rules.frames import _EPS, _frame, _ids, as_day, as_days, empty_alerts
from domain.calendar import Election
from domain.regions import ports
from domain.thresholds import Rules


def crossing_spike(
    crossings: pd.DataFrame, election: Election, as_of, rules: Rules, start=None
) -> pd.DataFrame:
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
    daily = c.pivot_table(index="date", columns="port_id", values="count", aggfunc="sum").reindex(
        days
    )
    for port in daily.columns:  # zero after a port's first record; unknown before it
        first = c.loc[c["port_id"] == port, "date"].min()
        daily.loc[daily.index >= first, port] = daily.loc[daily.index >= first, port].fillna(0)
    b = r.baseline_days
    hist = daily.shift(1).rolling(b, min_periods=b)
    mean, sd = hist.mean(), hist.std(ddof=0)
    excess = daily - mean
    z_ok = np.where(sd > _EPS, excess >= r.min_z * sd - _EPS, excess > _EPS)
    qualify = (
        pd.DataFrame(z_ok, index=daily.index, columns=daily.columns)
        & (daily >= r.min_count)
        & mean.notna()
    )
    port_regency = ports()["regency_code"].to_dict() if len(ports()) else {}
    rows = []
    for port in daily.columns:
        for day in daily.index[qualify[port].to_numpy()]:
            x, m, s = float(daily.at[day, port]), float(mean.at[day, port]), float(sd.at[day, port])
            z = (x - m) / s if s > _EPS else math.inf
            reg = port_regency.get(port) or None
            ids = c.loc[(c["port_id"] == port) & (c["date"] == day), "id"]
            rows.append(
                {
                    "rule": "crossing_spike",
                    "regency_code": None,
                    "_phase_regency": reg,
                    "port_id": port,
                    "date": day.date(),
                    "severity": r.high_severity if z >= r.high_z - _EPS else r.severity,
                    "agency": rules.general.immigration_agency,
                    "trigger_ids": _ids(ids),
                    "value": x,
                    "threshold": max(m + r.min_z * s, float(r.min_count)),
                    "key": f"crossing_spike|{port}|{day.date().isoformat()}|{r.direction}",
                    "detail": {
                        "count": int(x),
                        "mean": round(m, 1),
                        "sd": round(s, 1),
                        "z": None if math.isinf(z) else round(z, 1),
                        "min_z": r.min_z,
                        "min_count": int(r.min_count),
                        "baseline_days": b,
                        "direction": r.direction,
                        "port_regency": reg,
                    },
                }
            )
    return _frame(rows, election, as_day(start) if start else None, as_of)
