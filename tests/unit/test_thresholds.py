"""domain/thresholds.py: the thresholds file checked by one reader driven by the dataclasses' type
hints, from a dict (no file); each kind of mistake refused with a message naming where it is."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from domain.thresholds import OverstayCharge, parse_rules
from loaders.thresholds import RULES_FILE, load_rules

TEXT = RULES_FILE.read_text(encoding="utf-8")


def test_parsed_from_a_dict_equal_to_the_file_read_by_the_loader():
    rules = parse_rules(tomllib.loads(TEXT))
    assert rules == load_rules(RULES_FILE)
    assert rules.overstay.charges == (
        OverstayCharge(1_000_000, "PP 28/2019", True, None, dt.date(2024, 12, 17)),
        OverstayCharge(1_000_000, "PP 45/2024", False, dt.date(2024, 12, 18), None),
    )
    assert rules.election_sensitive_incident.severity_by_level == (
        (1, "rendah"),
        (2, "rendah"),
        (3, "sedang"),
        (4, "tinggi"),
        (5, "kritis"),
    )
    assert [k for k, _ in rules.risk.weights] == [
        "presence",
        "incident_rate",
        "incident_severity",
        "sensitive_incidents",
        "mismatches",
        "election_proximity",
    ]


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "\nwindow_days = 7",
            "\nwindow_days = 0",
            r"\[presence_surge.window_days\] must be at least 1",
        ),
        (
            "include_election_related = true",
            "include_election_related = 1",
            r"\[election_sensitive_incident.include_election_related\] must be true or false",
        ),
        (
            '"5" = "kritis"',
            '"5" = "urgent"',
            r"\[election_sensitive_incident.severity_by_level.5\]: 'urgent' is not one of",
        ),
        (
            "lookback_days = 270",
            'lookback_days = "many"',
            r"\[general.lookback_days\] must be a number",
        ),
        (
            "kampanye = 0.7",
            "kampanye = 1.5",
            r"\[risk.proximity.kampanye\] must be between 0 and 1",
        ),
        (
            'per_day_rp = 1000000\nregulation = "PP 28/2019"',
            'per_day_rp = -5\nregulation = "PP 28/2019"',
            r"\[overstay.charges.per_day_rp\] must not be negative",
        ),
        (
            "valid_from = 2024-12-18",
            "valid_from = 2024-12-17",
            "must be in date order and must not overlap",
        ),
        (
            "valid_from = 2024-12-18",
            'valid_from = "2024-12-18"',
            r"\[overstay.charges.valid_from\] must be a date",
        ),
        (
            'regulation = "PP 45/2024"',
            'regulation = "PP 45/2024"\nrate = 2',
            r"\[overstay.charges\]: unknown keys \['rate'\]",
        ),
        ("presence = 0.15", "presence = -0.15", r"\[risk.weights.presence\] must not be negative"),
        (
            "[reporting_gap]",
            "[reporting_gaps]",
            r"unknown sections \['reporting_gaps'\], missing \['reporting_gap'\]",
        ),
    ],
)
def test_each_kind_of_mistake_is_refused_where_it_is(old, new, message):
    assert TEXT.count(old) == 1, old
    with pytest.raises(ValueError, match=message):
        parse_rules(tomllib.loads(TEXT.replace(old, new)))


def test_a_toml_syntax_error_is_a_value_error_for_the_admin_form(tmp_path):
    bad = tmp_path / "rules.toml"
    bad.write_text(TEXT.replace("min_days = 3", "min_days = "), encoding="utf-8")
    with pytest.raises(ValueError, match="Invalid value"):
        load_rules(bad)


def test_the_environment_names_the_file_in_force(tmp_path, monkeypatch):
    edited = tmp_path / "mine.toml"
    edited.write_text(TEXT.replace("min_days = 3", "min_days = 5"), encoding="utf-8")
    monkeypatch.setenv("NTB_ALERT_RULES", str(edited))
    assert load_rules().reporting_gap.min_days == 5
