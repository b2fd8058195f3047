"""Changes with their sign, percentages, times and periods through Babel (i18n/formats.py): the
hand-written versions ('+' glued to a number, f"{d:%d/%m}", f"{x:.2f}") are gone from the UI."""

import datetime as dt

import pandas as pd
import pytest

from domain.calendar import default_election
from i18n import formats


@pytest.mark.parametrize(
    "value,lang,decimals,text",
    [
        (1234, "id", 0, "+1.234"),
        (1234, "en", 0, "+1,234"),
        (-56, "id", 0, "-56"),
        (0, "id", 0, "0"),
        (2.5, "id", 1, "+2,5"),
        (-0.04, "id", 1, "0,0"),
        (0.04, "en", 1, "0.0"),
        (None, "id", 0, "–"),
    ],
)
def test_a_change_carries_its_sign_unless_it_rounds_to_nothing(value, lang, decimals, text):
    assert formats.signed(value, lang, decimals) == text


def test_percentages():
    assert formats.percent(0.25, "id", signed=True) == "+25%"
    assert formats.percent(-0.04, "en", signed=True) == "-4%"
    assert formats.percent(0.001, "id", signed=True) == "0%"
    assert formats.percent(12.5, "id") == "1.250%"


def test_times_and_periods():
    assert formats.time(dt.datetime(2024, 11, 27, 9, 5), "id") == "09:05"
    assert formats.datetime(dt.datetime(2024, 11, 27, 14, 5), "en") == "27/11/2024 14:05"
    assert formats.period(dt.date(2024, 12, 14), dt.date(2025, 1, 10), "id") == "14/12–10/01/2025"
    assert formats.period(dt.date(2024, 11, 27), dt.date(2024, 11, 27), "en") == "27/11/2024"


def test_alerts_counted_by_phase_in_the_calendars_order():
    """The timeline page's table (domain.calendar.Election.count_by_phase): phases in calendar
    order, an unknown phase key last, severities in the order given and only those present."""
    alerts = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "phase": ["pemungutan", "kampanye", "kampanye", "di_luar_tahapan", "pemungutan"],
            "severity": ["kritis", "sedang", "kritis", "rendah", "kritis"],
        }
    )
    table = default_election().count_by_phase(alerts, ("rendah", "sedang", "tinggi", "kritis"))
    assert list(table.index) == ["kampanye", "pemungutan", "di_luar_tahapan"]
    assert list(table.columns) == ["rendah", "sedang", "kritis"]
    assert table.to_dict("index") == {
        "kampanye": {"rendah": 0, "sedang": 1, "kritis": 1},
        "pemungutan": {"rendah": 0, "sedang": 0, "kritis": 2},
        "di_luar_tahapan": {"rendah": 1, "sedang": 0, "kritis": 0},
    }
