"""What the overview shows above the map: each headline number against the previous period of
the same length, the open alerts waiting for a decision, and the regencies whose risk score rose
most since the previous period's end (domain/changes.py has the rules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Engine

from domain import changes
from domain.calendar import Election
from domain.filters import Filters
from domain.regions import offices, ports, regency_name
from domain.thresholds import Rules
from domain.vocabularies import CLOSED, STATUSES
from services.alerts import risk_table
from storage import alerts_store, queries

OPEN = tuple(s for s in STATUSES if s != CLOSED)


@dataclass(frozen=True)
class Headline:
    now: dict[str, float]
    previous: tuple[dt.date, dt.date]  # the period compared with
    before: dict[str, float] | None = None  # None: the data do not cover the previous period
    delta: dict[str, float] | None = None


def headline(engine: Engine, f: Filters, now: dict | None = None) -> Headline:
    """The KPI tiles' numbers for `f` and for the previous period of equal length (same office and
    as-of date, so the same regencies are counted). `now` saves reading the current numbers again."""
    now = queries.kpis(engine, f) if now is None else now
    prev = changes.previous_period(f.start, f.end)
    if not changes.covered(prev, queries.data_span(engine)):
        return Headline(now, prev)
    before = queries.kpis(engine, replace(f, start=prev[0], end=prev[1]))
    return Headline(now, prev, before, changes.deltas(now, before))


def decisions(engine: Engine, f: Filters, n: int = changes.DECISION_LIMIT) -> pd.DataFrame:
    """Open alerts of the period and scope that wait for a decision (changes.needs_decision), with
    `place`: the regency, else the port, else the office."""
    found = alerts_store.alerts(engine, f, statuses=OPEN, limit=100_000)
    out = changes.needs_decision(found, f.as_of, n)
    out["place"] = [place(r) for r in out.to_dict("records")]
    return out


def place(alert: dict) -> str:
    """Where an alert is: its regency, else its port, else its office, else NTB."""
    if pd.notna(alert.get("regency_code")):
        return regency_name(alert["regency_code"])
    if pd.notna(alert.get("port_id")):
        return ports().loc[alert["port_id"], "name"]
    if pd.notna(alert.get("office_id")):
        return offices().loc[alert["office_id"], "name"]
    return "NTB"


def risk_risers(
    engine: Engine,
    f: Filters,
    election: Election,
    rules: Rules | None = None,
    n: int = changes.RISERS,
) -> tuple[dt.date, pd.DataFrame | None]:
    """(the previous period's end, the `n` regencies whose risk score rose most from that day to
    the as-of date); None instead of the frame when the data do not cover the previous period."""
    prev = changes.previous_period(f.start, f.end)
    if not changes.covered(prev, queries.data_span(engine)):
        return prev[1], None
    before = risk_table(
        engine, replace(f, start=prev[0], end=prev[1], as_of=prev[1]), election, rules
    )
    now = risk_table(engine, f, election, rules)
    return prev[1], changes.risers(before, now, n)
