"""Risk score per regency (skor risiko), 0-100, that explains itself.

For each of the ten regencies, on the as-of date, six components are measured and each is turned
into a value between 0 and 1 (capped); the score is their weighted sum:

    score = 100 x sum_k  weight_k x value_k          (weights in alert_rules.toml [risk.weights], sum 1)

    component            measure (column <k>_measure)                        value (column <k>)
    presence             relative increase of persons in the last 7 days     clip(measure / presence_cap, 0, 1);
                         over the weekly average of the 28 days before       no baseline yet (< 35 days of data): 0;
                         (the presence_surge windows)                        baseline 0: 1 when the 7-day count
                                                                             reaches presence_surge.min_absolute_increase
    incident_rate        incidents in the risk window (28 days, ending on    clip(measure / incident_rate_cap, 0, 1)
                         the as-of date) per 100,000 voters (DPT 2024)
    incident_severity    mean incident severity (1-5) in the window          (measure - 1) / 4; 0 without incidents
    sensitive_incidents  election_sensitive_incident alerts in the window    clip(measure / sensitive_cap, 0, 1)
    mismatches           permit_activity_mismatch alerts (one per person)    clip(measure / mismatch_cap, 0, 1)
                         in the window (clusters not counted again)
    election_proximity   days to voting (measure); the value comes from the  [risk.proximity][phase]; a phase not
                         phase on the as-of date for the regency (Kota Bima   listed: default_sensitive/default_other;
                         keeps its dispute watch)                            outside every phase: 0

`<k>_points` = 100 x weight_k x value_k, so the points add up to the score, and `explanation` lists
(component, points) from the largest contribution down. The published baseline (Bawaslu's IKP
category, column bawaslu_ikp_2024 when the regencies frame has it) is carried **beside** the score
for display and never enters it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from domain.alert_rules import as_day, as_days
from domain.calendar import OUTSIDE, Election
from domain.regions import areas_on
from domain.thresholds import RISK_COMPONENTS, Rules

PER_VOTERS = 100_000


def _window(series: pd.Series, as_of: dt.date, days: int) -> pd.Series:
    lo = pd.Timestamp(as_of) - pd.Timedelta(days=days - 1)
    return series.between(lo, pd.Timestamp(as_of))


def _presence_measure(presence: pd.DataFrame, codes: list[str], as_of: dt.date, rules: Rules):
    """Relative increase and 0-1 value per regency (NaN measure when there is no baseline yet)."""
    s, cap = rules.presence_surge, rules.risk.presence_cap
    measure = pd.Series(np.nan, index=codes, dtype=float)
    value = pd.Series(0.0, index=codes)
    if presence is None or presence.empty:
        return measure, value
    d = as_days(presence["report_date"])
    ok = d.notna() & (d <= pd.Timestamp(as_of))
    if not ok.any() or d[ok].min() > pd.Timestamp(as_of) - pd.Timedelta(
        days=s.window_days + s.baseline_days - 1
    ):
        return measure, value
    persons = pd.to_numeric(
        presence.get("person_count", pd.Series(1, index=presence.index)), errors="coerce"
    ).fillna(1)
    regs = presence["regency_code"].astype(object)
    recent_mask = ok & _window(d, as_of, s.window_days)
    base_end = as_of - dt.timedelta(days=s.window_days)
    base_mask = ok & _window(d, base_end, s.baseline_days)
    recent = (
        persons[recent_mask]
        .groupby(regs[recent_mask])
        .sum()
        .reindex(codes, fill_value=0)
        .astype(float)
    )
    base = (
        persons[base_mask].groupby(regs[base_mask]).sum().reindex(codes, fill_value=0).astype(float)
        * s.window_days
        / s.baseline_days
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = (recent - base) / base
    measure = rel.where(base > 0, np.where(recent > 0, np.inf, 0.0))
    value = (
        (rel / cap).clip(0, 1).where(base > 0, (recent >= s.min_absolute_increase).astype(float))
    )
    return measure, value.fillna(0.0)


def risk_scores(
    presence: pd.DataFrame,
    incidents: pd.DataFrame,
    alerts: pd.DataFrame | None,
    regencies_df: pd.DataFrame,
    election: Election,
    as_of,
    rules: Rules,
) -> pd.DataFrame:
    """One row per regency (index: code, all regencies of `regencies_df`), see the module docstring.

    Columns: name, office_id, phase, score, then for each component k: k_measure, k (0-1) and
    k_points; explanation (list of (component, points), largest first); bawaslu_ikp_2024 when given.
    """
    as_of, r = as_day(as_of), rules.risk
    ref = (
        regencies_df.set_index("code", drop=False)
        if "code" in regencies_df.columns
        else regencies_df
    )
    codes = [str(c) for c in ref.index]
    out = pd.DataFrame(index=pd.Index(codes, name="code"))
    if "name" in ref.columns:
        out["name"] = ref["name"].to_numpy()
    areas = areas_on(as_of)
    out["office_id"] = [areas.get(c) for c in codes]
    phases = [election.phase_on(as_of, c) for c in codes]
    out["phase"] = [p.key if p else OUTSIDE for p in phases]

    measures: dict[str, pd.Series] = {}
    values: dict[str, pd.Series] = {}
    measures["presence"], values["presence"] = _presence_measure(presence, codes, as_of, rules)

    voters = pd.to_numeric(ref["voters_dpt_2024"], errors="coerce").set_axis(codes).astype(float)
    if incidents is not None and len(incidents):
        d = as_days(incidents["incident_date"])
        inc = incidents[d.notna() & _window(d, as_of, r.window_days)]
        grouped = pd.to_numeric(inc["severity"], errors="coerce").groupby(
            inc["regency_code"].astype(object)
        )
        n_inc = grouped.size().reindex(codes, fill_value=0).astype(float)
        mean_sev = grouped.mean().reindex(codes)
    else:
        n_inc = pd.Series(0.0, index=codes)
        mean_sev = pd.Series(np.nan, index=codes, dtype=float)
    measures["incident_rate"] = n_inc / voters * PER_VOTERS
    values["incident_rate"] = (
        (measures["incident_rate"] / r.incident_rate_cap).clip(0, 1).fillna(0.0)
    )
    measures["incident_severity"] = mean_sev
    values["incident_severity"] = ((mean_sev - 1) / 4).clip(0, 1).fillna(0.0)

    for comp, rule, cap in (
        ("sensitive_incidents", "election_sensitive_incident", r.sensitive_cap),
        ("mismatches", "permit_activity_mismatch", r.mismatch_cap),
    ):
        if alerts is not None and len(alerts):
            a = alerts[(alerts["rule"] == rule)]
            a = a[_window(as_days(a["date"]), as_of, r.window_days)]
            n = (
                a.groupby(a["regency_code"].astype(object))
                .size()
                .reindex(codes, fill_value=0)
                .astype(float)
            )
        else:
            n = pd.Series(0.0, index=codes)
        measures[comp] = n
        values[comp] = (n / cap).clip(0, 1)

    measures["election_proximity"] = pd.Series(float(election.days_to_voting(as_of)), index=codes)
    values["election_proximity"] = pd.Series(
        [r.proximity_of(p) for p in phases], index=codes, dtype=float
    )

    total = pd.Series(0.0, index=codes)
    for k in RISK_COMPONENTS:
        out[f"{k}_measure"] = measures[k].reindex(codes).to_numpy()
        out[k] = values[k].reindex(codes).to_numpy()
        out[f"{k}_points"] = 100 * r.weight(k) * out[k]
        total += out[f"{k}_points"]
    out["score"] = total.clip(0, 100).round(1)
    out["explanation"] = [
        sorted(
            ((k, round(float(out.at[c, f"{k}_points"]), 1)) for k in RISK_COMPONENTS),
            key=lambda kv: (-kv[1], RISK_COMPONENTS.index(kv[0])),
        )
        for c in codes
    ]
    if "bawaslu_ikp_2024" in ref.columns:  # published baseline: shown beside, never merged
        out["bawaslu_ikp_2024"] = ref["bawaslu_ikp_2024"].to_numpy()
    front = [c for c in ("name", "office_id", "phase", "score") if c in out.columns]
    return out[front + [c for c in out.columns if c not in front]]
