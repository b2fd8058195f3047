"""Numbers, dates and plurals through Babel (i18n/formats.py), and the helpers that now call it."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from i18n import formats
from viz import briefing
from viz.alert_text import detail_params
from viz.maps import fmt_number


@pytest.mark.parametrize(
    "value,lang,decimals,text",
    [
        (1234, "id", 0, "1.234"),
        (1234, "en", 0, "1,234"),
        (621038, "id", 0, "621.038"),
        (1234567.25, "id", 1, "1.234.567,2"),
        (1234567.25, "en", 1, "1,234,567.2"),
        (0.5, "id", 2, "0,50"),
        (-2.5, "id", 1, "-2,5"),
        (np.int64(12000), "en", 0, "12,000"),
        (None, "id", 0, "–"),
        (float("nan"), "en", 1, "–"),
    ],
)
def test_numbers_group_thousands_in_the_languages_symbols(value, lang, decimals, text):
    assert formats.number(value, lang, decimals) == text


def test_one_date_format_in_both_languages():
    for lang in ("id", "en"):
        assert formats.date(dt.date(2024, 11, 27), lang) == "27/11/2024"
        assert formats.date(pd.Timestamp("2024-01-05"), lang) == "05/01/2024"
        assert formats.date(pd.NaT, lang) == "–"
        assert formats.datetime(dt.datetime(2024, 11, 27, 14, 5), lang) == "27/11/2024 14:05"
    assert formats.long_date(dt.date(2024, 8, 17), "id") == "17 Agu 2024"
    assert formats.long_date(dt.date(2024, 8, 17), "en") == "17 Aug 2024"


def test_plurals_follow_the_languages_rules():
    assert formats.plural("overview.days_to_voting", 1, "en") == "1 day to voting day"
    assert formats.plural("overview.days_to_voting", 2, "en") == "2 days to voting day"
    assert formats.plural("overview.days_since_voting", 1, "en") == "1 day after voting day"
    assert formats.plural("overview.days_since_voting", 1234, "en") == "1,234 days after voting day"
    assert formats.plural("overview.days_to_voting", 1, "id") == "1 hari menuju pemungutan suara"
    assert (
        formats.plural("overview.days_since_voting", 93, "id") == "93 hari sesudah pemungutan suara"
    )


def test_an_alerts_age_reads_as_words():
    """The overview's "needs a decision" list and the situation report say it the same way."""
    assert [formats.age(n, "en") for n in (0, 1, 2, 1234)] == [
        "today",
        "1 day",
        "2 days",
        "1,234 days",
    ]
    assert [formats.age(n, "id") for n in (0, 1, 1234)] == ["hari ini", "1 hari", "1.234 hari"]


def test_plotly_speaks_the_language():
    loc = formats.plotly_locale("id")["format"]
    assert loc["shortMonths"][7] == "Agu" and loc["months"][9] == "Oktober"
    assert loc["shortDays"][0] == "Min" and (loc["decimal"], loc["thousands"]) == (",", ".")
    assert formats.plotly_locale("en")["format"]["shortMonths"][4] == "May"


def test_the_old_helpers_are_thin_wrappers():
    assert fmt_number(33392, "id") == "33.392"
    assert fmt_number(float("nan"), "en") == "no data"
    assert briefing.format_number(1234.5, "en", 1) == "1,234.5"
    assert briefing.format_date(dt.date(2024, 12, 16), "id") == "16 Des 2024"
    alert = {
        "detail": {"persons": 1200, "share": 2.5, "last_report": "2024-10-13"},
        "date": dt.date(2024, 10, 20),
        "severity": "tinggi",
        "agency": "Imigrasi",
        "office_id": None,
        "port_id": None,
        "regency_code": None,
        "phase": None,
    }
    for lang, persons, share in (("id", "1.200", "2,5"), ("en", "1,200", "2.5")):
        p = detail_params(alert, lang)
        assert (p["persons"], p["share"], p["last_report"], p["date"]) == (
            persons,
            share,
            "13/10/2024",
            "20/10/2024",
        )
