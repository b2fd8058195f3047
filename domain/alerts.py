"""Moved (issue 22): thresholds to domain/thresholds.py, the rules and their table to
domain/alert_rules/, reading the thresholds file to loaders/thresholds.py, the explanations to
viz/alert_text.py. These names stay importable from here only while work in progress still does;
new code imports them from where they live."""
from domain.alert_rules import COLUMNS, RULE_NAMES, RULES, as_day, as_days, empty_alerts, evaluate_all  # noqa: F401
from domain.thresholds import RISK_COMPONENTS, SEVERITIES, SEVERITY_RANK, Rules  # noqa: F401
