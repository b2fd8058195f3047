"""Numbers put into words (no Streamlit): why a regency's risk score is what it is."""

from __future__ import annotations

import datetime as dt
import math

from domain.calendar import Election
from domain.thresholds import Rules
from i18n import formats, t
from viz.maps import fmt_number


def _day(d: dt.date) -> str:
    return formats.date(d)


def risk_explained(row, as_of: dt.date, rules: Rules, election: Election, lang: str) -> str:
    """Markdown: the window the score covers (rules [risk] window_days, ending on the as-of date),
    then each component's points and the measure behind them, largest first; a score of 0 is one
    sentence. `row` is one regency's row of domain.risk.risk_scores()."""
    days = rules.risk.window_days
    window = {
        "days": days,
        "as_of": _day(as_of),
        "start": _day(as_of - dt.timedelta(days=days - 1)),
    }
    if float(row["score"]) == 0:
        return t("risk.zero", lang, **window)
    lines = [t("risk.window", lang, score=fmt_number(float(row["score"]), lang, 1), **window)]
    zero = []
    for k, points in row["explanation"]:
        label = t(f"alerts.risk_{k}", lang)
        if points > 0:
            why = _why(k, row, rules, election, lang)
            lines.append(
                "- "
                + t("risk.part", lang, label=label, points=fmt_number(points, lang, 1), why=why)
            )
        else:
            zero.append(label)
    if zero:
        lines.append("\n" + t("risk.none", lang, labels=", ".join(zero)))
    return "\n".join(lines)


def _why(k: str, row, rules: Rules, election: Election, lang: str) -> str:
    """The measure behind component `k` in words."""
    measure, r = row[f"{k}_measure"], rules.risk
    if k == "presence":
        s = rules.presence_surge
        if math.isinf(measure):
            return t("risk.presence_new", lang, recent=s.window_days)
        change = formats.percent(measure, lang, signed=True)
        return t("risk.presence", lang, change=change, recent=s.window_days, base=s.baseline_days)
    if k == "election_proximity":
        phase = election.phase_by_key(row["phase"])
        return t("risk.election_proximity", lang, phase=phase.name(lang) if phase else row["phase"])
    caps = {
        "incident_rate": (1, r.incident_rate_cap),
        "incident_severity": (1, None),
        "sensitive_incidents": (0, r.sensitive_cap),
        "mismatches": (0, r.mismatch_cap),
    }
    dec, cap = caps[k]
    return t(
        f"risk.{k}",
        lang,
        value=fmt_number(float(measure), lang, dec),
        cap=fmt_number(float(cap), lang, dec) if cap is not None else "",
    )
