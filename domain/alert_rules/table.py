"""The alert rule table: every fact about a rule in one row, read by evaluate_all, the alerts
page's filter, the admin page and the explanations (viz/alert_text.py).

To add a rule: write its function (frame in, alert frame out, domain/alert_rules/frames.py), its
thresholds section (domain/thresholds.py and data/reference/alert_rules.toml), one row here, and
the catalogue keys alerts.<name> and alerts.<name>_detail[_<variant>] in i18n/alerts.*.toml
(tests/unit/test_alerts.py checks that every row's keys exist in both languages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from domain.alert_rules.crossings import crossing_spike
from domain.alert_rules.frames import COLUMNS, as_day, empty_alerts
from domain.alert_rules.incidents import election_sensitive_incident
from domain.alert_rules.permits import expiring_permits, overstay, permit_activity_mismatch
from domain.alert_rules.presence import presence_surge, reporting_gap
from domain.alert_rules.voters import foreigner_on_voter_list
from domain.calendar import Election
from domain.permits import POLITICAL
from domain.thresholds import Rules


def _plain(detail: dict) -> str:
    return ""


@dataclass(frozen=True)
class AlertRule:
    name: str  # Alert.rule; the catalogues' alerts.<name>
    run: Callable[..., pd.DataFrame]  # (frame, election, as_of, rules, start) -> alert frame; one
    # function may write several rules (the mismatch cluster): it runs once
    section: str  # its thresholds: the field of Rules, the [section] of alert_rules.toml
    needs: str  # the frame `run` reads: presence | incidents | crossings | voters
    variant: Callable[[dict], str] = (
        _plain  # alert detail -> which explanation ("" = the plain one)
    )
    variants: tuple[str, ...] = ("",)  # every explanation it can have: alerts.<name>_detail[_<v>]


def _overstay(d: dict) -> str:
    if "charge_rp" not in d:
        return "deport"
    return "charge" if d.get("confirmed", True) else "charge_unconfirmed"


RULES: dict[str, AlertRule] = {
    r.name: r
    for r in (
        AlertRule(
            "presence_surge",
            presence_surge,
            "presence_surge",
            "presence",
            lambda d: "new" if d.get("increase_pct") is None else "",
            ("", "new"),
        ),
        AlertRule(
            "election_sensitive_incident",
            election_sensitive_incident,
            "election_sensitive_incident",
            "incidents",
            lambda d: "escalated" if d.get("escalated") else "",
            ("", "escalated"),
        ),
        AlertRule(
            "permit_activity_mismatch",
            permit_activity_mismatch,
            "permit_activity_mismatch",
            "presence",
            lambda d: "politik" if d.get("kind") == POLITICAL else "",
            ("", "politik"),
        ),
        AlertRule(
            "permit_activity_mismatch_cluster",
            permit_activity_mismatch,
            "permit_activity_mismatch",
            "presence",
        ),
        AlertRule(
            "overstay",
            overstay,
            "overstay",
            "presence",
            _overstay,
            ("charge", "charge_unconfirmed", "deport"),
        ),
        AlertRule("expiring_permits", expiring_permits, "expiring_permits", "presence"),
        AlertRule(
            "crossing_spike",
            crossing_spike,
            "crossing_spike",
            "crossings",
            lambda d: "flat" if d.get("z") is None else "",
            ("", "flat"),
        ),
        AlertRule(
            "reporting_gap",
            reporting_gap,
            "reporting_gap",
            "presence",
            lambda d: "never" if d.get("last_report") is None else "",
            ("", "never"),
        ),
        AlertRule(
            "foreigner_on_voter_list",
            foreigner_on_voter_list,
            "general",
            "voters",
            lambda d: "struck" if d.get("resolved") else "",
            ("", "struck"),
        ),
    )
}
RULE_NAMES = tuple(RULES)  # the order the alerts page lists them in


def explanation(rule: str, detail: dict) -> str:
    """The explanation variant of an alert ("" = plain): a code, the catalogues word it."""
    return RULES[rule].variant(dict(detail))


def evaluate_all(
    presence: pd.DataFrame,
    incidents: pd.DataFrame,
    crossings: pd.DataFrame,
    election: Election,
    as_of,
    rules: Rules,
    start=None,
    voters: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every rule, alerts dated within [start, as_of] (start defaults to as_of - lookback_days,
    270 days), sorted by date, rule and key. Deterministic: same input, same frame and keys.
    Rules never look at rows dated after the as-of date. `voters`: the voter lists held and their
    rows matching a foreign resident's NIK (domain/alert_rules/voters.py)."""
    as_of = as_day(as_of)
    start = (
        as_day(start)
        if start is not None
        else as_of - dt.timedelta(days=rules.general.lookback_days)
    )
    frames = {
        "presence": presence,
        "incidents": incidents,
        "crossings": crossings,
        "voters": voters,
    }
    runs = {r.run: r.needs for r in RULES.values()}  # each function once
    parts = []
    for run, needs in runs.items():
        frame = frames[needs]
        if frame is None or len(frame) == 0:
            continue
        parts.append(run(frame, election, as_of, rules, start=start))
    parts = [x for x in parts if len(x)]
    if not parts:
        return empty_alerts()
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["date", "rule", "key"], kind="stable").reset_index(drop=True)
    for c in ("regency_code", "office_id", "port_id"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out[COLUMNS]
