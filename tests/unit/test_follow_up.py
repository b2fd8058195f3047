"""Overdue alerts (domain/follow_up.py) with the response times of the rules file: exact hours at,
below and above each phase's limit; the [response_time] section is checked like every other."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from domain.follow_up import overdue_hours
from domain.thresholds import ResponseRules
from loaders.thresholds import RULES_FILE, load_rules

NOW = dt.datetime(2024, 11, 25, 12, 0)


def ago(hours: float) -> dt.datetime:
    return NOW - dt.timedelta(hours=hours)


def test_the_rules_file_holds_the_response_times():
    assert load_rules().response_time == ResponseRules(
        hours_by_phase=(("kampanye", 72.0), ("masa_tenang", 24.0), ("pemungutan", 24.0)),
        default_hours=168.0,
    )


def test_overdue_hours_per_phase_exactly():
    alerts = pd.DataFrame(
        [
            # phase, status, status_changed_at, first_seen_at
            (
                "kampanye",
                "ditelaah",
                ago(80),
                ago(300),
            ),  # 80 h since the change, 72 allowed: 8 h late
            ("kampanye", "baru", None, ago(72)),  # exactly the limit: not yet late
            (
                "masa_tenang",
                "baru",
                None,
                ago(30),
            ),  # never changed: counted from first seen, 6 h late
            ("pemungutan", "ditindaklanjuti", ago(23.5), ago(100)),  # changed recently: in time
            ("sengketa", "baru", None, ago(169)),  # another phase: one week, 1 h late
            ("di_luar_tahapan", "selesai", ago(500), ago(900)),  # closed: never late
            ("di_luar_tahapan", "ditelaah", ago(167), ago(400)),  # in time
        ],
        columns=["phase", "status", "status_changed_at", "first_seen_at"],
    )
    got = overdue_hours(alerts, NOW, load_rules().response_time)
    assert got.round(6).tolist()[0] == 8.0
    assert got.isna().tolist() == [False, True, False, True, False, True, True]
    assert got.dropna().round(6).tolist() == [8.0, 6.0, 1.0]


def test_no_alerts_no_hours():
    empty = pd.DataFrame(columns=["phase", "status", "status_changed_at", "first_seen_at"])
    assert overdue_hours(empty, NOW, load_rules().response_time).empty


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "default_hours = 168",
            "default_hours = 168\nkampanye_hours = 72",
            r"unknown keys \['kampanye_hours'\]",
        ),
        ("kampanye = 72", "kampaye = 72", r"unknown phases \['kampaye'\]"),
        ("masa_tenang = 24", "masa_tenang = 0", "more than 0"),
        ("[response_time]", "[response_times]", "unknown sections"),
    ],
)
def test_response_time_errors_are_refused(tmp_path, old, new, message):
    text = RULES_FILE.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "rules.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_rules(bad)
