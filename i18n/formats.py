"""Numbers, dates and plurals the language's way, through Babel (CLDR data), in one place.

- `number(1234.5, "id", 1)` -> "1.234,5"; `number(1234.5, "en", 1)` -> "1,234.5"; thousands are
  always grouped; a missing value is "–". `signed` writes a change ("+1.234", "-56", "0"),
  `percent` a share or change as a percentage ("+13%").
- `date(d)` -> "27/11/2024" in both languages: tables and the sidebar's date fields show one
  format. `datetime(ts)` adds the time (`time`: "14:05"), `long_date(d, lang)` names the month
  ("16 Des 2024", "16 Dec 2024") for briefings, `period(a, b)` writes "14/12–10/01/2025".
- `plural("overview.days_to_voting", n, lang)` picks the catalogue's CLDR plural form
  (`<key>.one`, `<key>.other`) by the language's rules: "1 day", "2 days"; Indonesian has one form.
- `plotly_locale(lang)`: month and day names and separators for plotly's own axis labels.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time
from babel.dates import get_day_names, get_month_names
from babel.numbers import format_decimal, format_percent

from i18n import DEFAULT_LANG, has, t

MISSING = "–"
DATE = "dd/MM/yyyy"
# The same date in Streamlit's own widgets: date fields and date columns of tables (moment.js).
WIDGET_DATE = "DD/MM/YYYY"


@cache
def locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in ("id", "en") else DEFAULT_LANG)


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (
            isinstance(value, float) and math.isnan(value)
        )  # NaN, NaT, pd.NA
    except (TypeError, ValueError):
        return False


def number(value, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """Grouped thousands and exactly `decimals` decimals in the language's symbols."""
    if _missing(value):
        return MISSING
    return format_decimal(value, format=_digits(decimals), locale=locale(lang))


def _digits(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def signed(value, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """A change: "+1.234", "-56", "0" (no sign when it rounds to nothing). Streamlit reads a
    leading '-' as a fall."""
    if _missing(value):
        return MISSING
    text = number(value, lang, decimals)
    if text.lstrip("-").strip("0,.") == "":  # rounds to zero
        return number(0, lang, decimals)
    d = _digits(decimals)
    return format_decimal(value, format=f"+{d};-{d}", locale=locale(lang))


def percent(fraction, lang: str = DEFAULT_LANG, signed: bool = False) -> str:
    """0.125 -> "13%" (whole percent); `signed`: "+13%", "-4%", "0%"."""
    if _missing(fraction):
        return MISSING
    if signed and round(fraction * 100) != 0:
        return format_percent(fraction, format="+#,##0%;-#,##0%", locale=locale(lang))
    return format_percent(fraction, format="#,##0%", locale=locale(lang))


def date(day, lang: str = DEFAULT_LANG) -> str:
    """27/11/2024 (both languages: one date format in tables and filters alike)."""
    if _missing(day):
        return MISSING
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date) and hasattr(day, "date"):
        day = day.date()
    return _babel_date(day, DATE, locale=locale(lang))


def datetime(when, lang: str = DEFAULT_LANG) -> str:
    """27/11/2024 14:05 (a wall-clock time already in the zone to show)."""
    if _missing(when):
        return MISSING
    return f"{date(when, lang)} {time(when, lang)}"


def time(when, lang: str = DEFAULT_LANG) -> str:
    """14:05 (24 hours, both languages)."""
    if _missing(when):
        return MISSING
    return _babel_time(when, "HH:mm", locale=locale(lang))


def period(start, end, lang: str = DEFAULT_LANG) -> str:
    """14/12–10/01/2025 (the year once, at the end); one day is that day's date."""
    if start == end:
        return date(start, lang)
    return f"{_babel_date(start, 'dd/MM', locale=locale(lang))}–{date(end, lang)}"


def long_date(day, lang: str = DEFAULT_LANG) -> str:
    """16 Des 2024 / 16 Dec 2024: for briefings and sentences."""
    if _missing(day):
        return MISSING
    return _babel_date(day, "d MMM y", locale=locale(lang))


def plural_form(n, lang: str = DEFAULT_LANG) -> str:
    """The CLDR plural category of `n` in `lang` ('one', 'other', …)."""
    return locale(lang).plural_form(abs(n))


def plural(key: str, n, lang: str = DEFAULT_LANG, decimals: int = 0, **params) -> str:
    """The catalogue text `<key>.<category>` for `n` (falls back to `<key>.other`), with `{n}`
    written by `number`."""
    form = f"{key}.{plural_form(n, lang)}"
    chosen = form if has(form, lang) or has(form) else f"{key}.other"
    return t(chosen, lang, n=number(n, lang, decimals), **params)


def age(days: int, lang: str = DEFAULT_LANG) -> str:
    """How long an alert has waited: "today", "1 day", "12 days" (the overview and the report)."""
    return t("overview.age_today", lang) if days == 0 else plural("overview.age", days, lang)


def plotly_locale(lang: str) -> dict:
    """plotly.js `config.locales[lang]`: its axis labels (months, days) and separators."""
    loc = locale(lang)
    months = get_month_names("wide", locale=loc)
    short = get_month_names("abbreviated", locale=loc)
    days = get_day_names("wide", locale=loc)
    short_days = get_day_names("abbreviated", locale=loc)
    week = [6, 0, 1, 2, 3, 4, 5]  # CLDR counts from Monday (0); d3 from Sunday
    return {
        "format": {
            "months": [months[i] for i in range(1, 13)],
            "shortMonths": [short[i] for i in range(1, 13)],
            "days": [days[i] for i in week],
            "shortDays": [short_days[i] for i in week],
            "decimal": loc.number_symbols["latn"]["decimal"],
            "thousands": loc.number_symbols["latn"]["group"],
            "date": "%d/%m/%Y",
        }
    }
