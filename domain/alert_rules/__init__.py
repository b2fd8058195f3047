"""Alert rules (aturan peringatan): pure functions over the storage tables as data frames.

Every rule takes a data frame with the column names of a storage table, the election
(`domain.calendar.Election`), an as-of date and the thresholds (`domain.thresholds.Rules`), and
returns an alert frame (columns and keys: frames.py). Which rules exist, what each reads and how
it is explained: the table in table.py. No Streamlit, no SQL, no files, no words: storage reads
the tables, services/thresholds.py reads the thresholds, viz/alert_text.py words the alerts.
"""

from domain.alert_rules.crossings import crossing_spike
from domain.alert_rules.frames import COLUMNS, as_day, as_days, empty_alerts, tag_phases
from domain.alert_rules.incidents import election_sensitive_incident
from domain.alert_rules.permits import (
    DEPORTATION,
    expiring_permits,
    overstay,
    permit_activity_mismatch,
    purpose_unknown,
)
from domain.alert_rules.presence import presence_surge, reporting_gap
from domain.alert_rules.table import RULE_NAMES, RULES, AlertRule, evaluate_all, explanation

__all__ = [
    "COLUMNS",
    "DEPORTATION",
    "RULES",
    "RULE_NAMES",
    "AlertRule",
    "as_day",
    "as_days",
    "crossing_spike",
    "election_sensitive_incident",
    "empty_alerts",
    "evaluate_all",
    "expiring_permits",
    "explanation",
    "overstay",
    "permit_activity_mismatch",
    "presence_surge",
    "purpose_unknown",
    "reporting_gap",
    "tag_phases",
]
