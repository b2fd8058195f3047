"""The shared sidebar: language, election calendar, period, office and the as-of date.
Returns the Filters every page passes to its queries."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from domain.calendar import elections
from domain.filters import Filters
from domain.regions import offices, offices_on
from ui import lang as L
from ui.data import q


def election():
    all_ = elections()
    key = st.session_state.get("election_id")
    return all_.get(key) or next(iter(all_.values()))


def sidebar() -> Filters:
    L.selector()
    lang = L.current()
    sb = st.sidebar
    all_ = elections()
    sb.selectbox(L.tr("sidebar.election"), list(all_), format_func=lambda k: all_[k].name(lang), key="election_id")
    span = q("data_span")
    if span is None:
        lo = hi = election().voting_day
    else:
        lo, hi = span
    # As-of date: the latest date in the data, not today (demo data ends in Feb 2025).
    as_of = sb.date_input(L.tr("sidebar.as_of"), value=st.session_state.get("as_of", hi), min_value=lo,
                          max_value=max(hi, dt.date.today()), key="as_of", format="DD/MM/YYYY",
                          help=L.tr("sidebar.as_of_help"))
    period = sb.date_input(L.tr("sidebar.period"), value=st.session_state.get("period", (lo, hi)),
                           min_value=lo, max_value=max(hi, dt.date.today()), key="period", format="DD/MM/YYYY")
    start, end = (period if isinstance(period, (tuple, list)) and len(period) == 2 else (lo, hi))
    office_ids = [None] + offices_on(as_of)
    office = sb.selectbox(L.tr("sidebar.office"), office_ids, key="office",
                          format_func=lambda o: L.tr("sidebar.all_ntb") if o is None else offices().loc[o, "name"])
    return Filters(start=start, end=end, as_of=as_of, office=office)
