"""What changed and what waits for a decision (the overview's top): pure computations on numbers
the storage layer hands over. No wording here; pages and viz/explain.py put these into words.

- The previous period is the one just before the chosen period, of the same number of days.
  It is compared only when the data cover it whole (a period before the first day of data would
  make every number look like a rise).
- An alert's age is the as-of date minus the alert's date (the day in the data that raised it),
  not the time the rules ran: rules run after an import, often days after the events.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.thresholds import RISK_COMPONENTS, SEVERITIES
from domain.vocabularies import CLOSED  # the follow-up status that ends an alert

# Headline numbers where a rise is bad news (delta shown red when up); the others are neutral.
WORSE_WHEN_UP = frozenset({"incidents", "election_incidents", "open_incidents"})
DECISION_LIMIT = 6
RISERS = 3


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length ending the day before `start`."""
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def covered(period: tuple[dt.date, dt.date], span: tuple[dt.date, dt.date] | None) -> bool:
    """True when the data's span holds the whole period."""
    return span is not None and span[0] <= period[0] and period[1] <= span[1]


def deltas(now: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    """now - before, key by key (keys of `now`)."""
    return {k: now[k] - before[k] for k in now}


def needs_decision(alerts: pd.DataFrame, as_of: dt.date, n: int = DECISION_LIMIT) -> pd.DataFrame:
    """Open alerts waiting for a decision: not closed ("selesai"), not stale, dated up to the as-of
    date; the most severe first (kritis, tinggi, ...), then the newest, then the highest id; at
    most `n`. Adds `age_days` (as-of date - alert date). `alerts` has the columns of
    storage.alerts_store.alerts(); the input is not changed."""
    day = pd.to_datetime(alerts["date"]).dt.date
    open_ = alerts[(alerts["status"] != CLOSED) & ~alerts["stale"].astype(bool) & (day <= as_of)]
    rank = open_["severity"].map({s: -i for i, s in enumerate(SEVERITIES)})
    order = sorted(
        open_.index, key=lambda i: (rank[i], -day[i].toordinal(), -int(open_.at[i, "id"]))
    )[:n]
    out = open_.loc[order].reset_index(drop=True)
    out["age_days"] = [(as_of - d).days for d in pd.to_datetime(out["date"]).dt.date]
    return out


def risers(before: pd.DataFrame, now: pd.DataFrame, n: int = RISERS) -> pd.DataFrame:
    """The `n` regencies whose risk score rose most from `before` to `now` (risk_scores() frames,
    index = regency code), only those that rose, largest rise first (ties: code). For each, the
    component whose points rose most (ties: RISK_COMPONENTS order) and by how much.

    Columns: score_before, score, change, component, component_change (index: code)."""
    both = now.index.intersection(before.index)
    score_before, score = before.loc[both, "score"], now.loc[both, "score"]
    change = (score - score_before).round(1)
    up = change[change > 0].dropna()
    order = sorted(up.index, key=lambda c: (-up[c], c))[:n]
    rows = []
    for code in order:
        moved = {
            k: float(now.at[code, f"{k}_points"] - before.at[code, f"{k}_points"])
            for k in RISK_COMPONENTS
        }
        comp = max(RISK_COMPONENTS, key=lambda k: (round(moved[k], 6), -RISK_COMPONENTS.index(k)))
        rows.append(
            {
                "code": code,
                "score_before": float(score_before[code]),
                "score": float(score[code]),
                "change": float(up[code]),
                "component": comp,
                "component_change": round(moved[comp], 1),
            }
        )
    cols = ["score_before", "score", "change", "component", "component_change"]
    return pd.DataFrame(rows, columns=["code", *cols]).set_index("code")
