"""Alert follow-up: when an open alert is overdue (terlambat).

An alert not closed (status other than "selesai") is overdue when its status has not changed for
longer than its phase's response time (alert_rules.toml [response_time]). The clock starts when
the alert was first seen and restarts at each status change. Times are naive UTC, as stored.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from domain.thresholds import ResponseRules
from domain.vocabularies import CLOSED


def overdue_hours(alerts: pd.DataFrame, now: dt.datetime, rules: ResponseRules) -> pd.Series:
    """Hours past the response time for each alert (columns phase, status, status_changed_at,
    first_seen_at); NaN when the alert is closed or still within its time."""
    if alerts.empty:
        return pd.Series(dtype=float, index=alerts.index)
    changed, first = (
        pd.to_datetime(alerts[c]).astype("datetime64[us]")
        for c in ("status_changed_at", "first_seen_at")
    )
    since = changed.where(changed.notna(), first)
    waited = (pd.Timestamp(now) - since).dt.total_seconds() / 3600
    allowed = alerts["phase"].map(rules.hours_for).astype(float)
    late = waited - allowed
    return late.where((late > 0) & (alerts["status"] != CLOSED), np.nan).astype(float)
