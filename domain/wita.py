"""NTB's clock: Waktu Indonesia Tengah (UTC+8, no daylight saving). Storage keeps UTC; what
people read is WITA (the footer says so)."""

from __future__ import annotations

import datetime as dt

WITA = dt.timezone(dt.timedelta(hours=8), "WITA")


def to_wita(when: dt.datetime) -> dt.datetime:
    """Aware datetimes are converted; naive ones are taken as UTC (how storage keeps them)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(WITA)
