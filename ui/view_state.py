"""The view a person has chosen (election, period, as-of date, office, the map's metric and
regency) survives page changes and reloads, and travels in the URL so a link opens the same view.

Streamlit forgets a widget's value when a page that does not draw it runs (every page switch),
so each value is also kept under a key of its own and written to the query parameters; a widget
that comes back is given that value before it is drawn. Values read from a URL are checked: a
link with a bad date or an unknown office opens the default view, never an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Field:
    """One remembered widget: its session key, its query parameter(s), how to read and write them."""

    key: str
    params: tuple[str, ...]
    read: Callable[[list[str]], Any]  # query values -> value (None when absent or invalid)
    write: Callable[[Any], list[str]]  # value -> query values ([] = leave the parameter out)


def _text(values):
    return values[0] or None


def _period(values):
    start, end = (_day(v) for v in values)
    return (start, end) if start and end and start <= end else None


FIELDS = {
    f.key: f
    for f in (
        Field("election_id", ("el",), _text, lambda v: [v] if v else []),
        Field(
            "period",
            ("from", "to"),
            _period,
            lambda v: (
                [d.isoformat() for d in v] if isinstance(v, (tuple, list)) and len(v) == 2 else []
            ),
        ),
        Field("as_of", ("asof",), lambda v: _day(v[0]), lambda v: [v.isoformat()] if v else []),
        Field("office", ("office",), _text, lambda v: [v] if v else []),
        Field("map_metric", ("metric",), _text, lambda v: [v] if v else []),
        Field("drill_select", ("regency",), _text, lambda v: [v] if v else []),
    )
}
_KEEP = "_keep_"


def restore(key: str, valid: Callable[[Any], Any], default: Any) -> None:
    """Before drawing widget `key`: when Streamlit has forgotten its value, give it the value kept
    from an earlier page, else the URL's, else `default`. `valid(value)` returns the value to use
    (e.g. clamped to the data's dates) or None to reject it."""
    if key in st.session_state:
        return
    field = FIELDS[key]
    kept = st.session_state.get(_KEEP + key)
    if kept is None and all(p in st.query_params for p in field.params):
        kept = field.read([st.query_params.get(p) for p in field.params])
    value = valid(kept) if kept is not None else None
    st.session_state[key] = default if value is None else value


def remember(key: str, omit: bool = False) -> None:
    """After drawing widget `key`: keep its value for other pages and put it in the URL (left out
    when `omit`, e.g. an as-of date that simply follows the period)."""
    field = FIELDS[key]
    value = st.session_state.get(key)
    st.session_state[_KEEP + key] = value
    values = [] if omit or value is None else field.write(value)
    for p, v in zip(field.params, values or [None] * len(field.params)):
        if v is None:
            if p in st.query_params:
                del st.query_params[p]
        elif st.query_params.get(p) != v:
            st.query_params[p] = v


def kept(key: str, default: Any = None) -> Any:
    """The value kept for `key` (for a page that does not draw its widget)."""
    return st.session_state.get(key, st.session_state.get(_KEEP + key, default))
