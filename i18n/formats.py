"""Numbers, dates and plurals the language's way, through Babel (CLDR data), in one place.

- `number(1234.5, "id", 1)` -> "1.234,5"; `number(1234.5, "en", 1)` -> "1,234.5"; thousands are
  always grouped; a missing value is "–".
- `date(d)` -> "27/11/2024" in both languages: tables and the sidebar's date fields show one
  format. `datetime(ts)` adds the time, `long_date(d, lang)` names the month ("16 Des 2024",
  "16 Dec 2024") for briefings.
- `plural("overview.days_to_voting", n, lang)` picks the catalogue's CLDR plural form
  (`<key>.one`, `<key>.other`) by the language's rules: "1 day", "2 days"; Indonesian has one form.
- `plotly_locale(lang)`: month and day names and separators for plotly's own axis labels.
"""
from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import get_day_names, get_month_names
from babel.numbers import format_decimal

from i18n import DEFAULT_LANG, has, t

MISSING = "–"
DATE = "dd/MM/yyyy"


@lru_cache(maxsize=None)
def locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in ("id", "en") else DEFAULT_LANG)


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))  # NaN, NaT, pd.NA
    except (TypeError, ValueError):
        return False


def number(value, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """Grouped thousands and exactly `decimals` decimals in the language's symbols."""
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=locale(lang))


def date(day, lang: str = DEFAULT_LANG) -> str:
    """27/11/2024 (both languages: one date format in tables and filters alike)."""
    if _missing(day):
        return MISSING
    if isinstance(day, dt.datetime):
        day = day.date()
    elif not isinstance(day, dt.date) and hasattr(day, "date"):  # pandas Timestamp
        day = day.date()
    return _babel_date(day, DATE, locale=locale(lang))


def datetime(when, lang: str = DEFAULT_LANG) -> str:
    """27/11/2024 14:05 (a wall-clock time already in the zone to show)."""
    if _missing(when):
        return MISSING
    return f"{date(when, lang)} {when:%H:%M}"


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


def plotly_locale(lang: str) -> dict:
    """plotly.js `config.locales[lang]`: its axis labels (months, days) and separators."""
    loc = locale(lang)
    months = get_month_names("wide", locale=loc)
    short = get_month_names("abbreviated", locale=loc)
    days = get_day_names("wide", locale=loc)
    short_days = get_day_names("abbreviated", locale=loc)
    week = [6, 0, 1, 2, 3, 4, 5]  # CLDR counts from Monday (0); d3 from Sunday
    return {"format": {
        "months": [months[i] for i in range(1, 13)], "shortMonths": [short[i] for i in range(1, 13)],
        "days": [days[i] for i in week], "shortDays": [short_days[i] for i in week],
        "decimal": loc.number_symbols["latn"]["decimal"], "thousands": loc.number_symbols["latn"]["group"],
        "date": "%d/%m/%Y"}}
