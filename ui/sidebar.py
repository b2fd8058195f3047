"""The shared sidebar: language, election calendar, period (with one-click phases), as-of date and
office (fixed for an account scoped to one office). Returns the Filters every page passes to its
queries, carrying the account's scope (ui/data.py puts it in again before any query). The choices survive page changes
and reloads and live in the URL (ui/view_state.py). The as-of date follows the end of the period
unless the person sets it apart, so the phase line describes the period chosen."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from domain.calendar import elections
from domain.filters import Filters
from domain.regions import offices, offices_on
from i18n import formats
from ui import lang as L
from ui.data import q, user_scope
from ui.view_state import remember, restore

_APART = "_as_of_apart"  # the person chose an as-of date other than the period's end
LAST_DAYS = 7


def election():
    all_ = elections()
    key = st.session_state.get("election_id") or st.session_state.get("_keep_election_id")
    return all_.get(key) or next(iter(all_.values()))


def shortcuts(last_day: dt.date, e=None) -> dict[str, tuple[dt.date, dt.date]]:
    """One-click periods: each phase of the election's calendar (`e`, default the chosen one), the
    whole sensitive stretch, and the last days of the data."""
    e = e or election()
    out = {f"phase:{p.key}": (p.start, p.end) for p in e.phases}
    if (span := e.sensitive_span()) is not None:
        out["sensitive"] = span
    out["last_days"] = (last_day - dt.timedelta(days=LAST_DAYS - 1), last_day)
    return out


def _shortcut_name(key: str | None) -> str:
    if key is None:
        return L.tr("sidebar.pick_phase")
    if key.startswith("phase:"):
        p = election().phase_by_key(key.split(":", 1)[1])
        name = p.name(L.current())
        return f"{name} ({formats.period(p.start, p.end, L.current())})"
    return L.tr(f"sidebar.shortcut_{key}", n=LAST_DAYS)


def bounds() -> tuple[dt.date, dt.date, dt.date]:
    """(first day of the data, its last day, the last day a period may reach: today or later)."""
    span = q("data_span")
    lo, hi = span if span is not None else (election().voting_day,) * 2
    return lo, hi, max(hi, dt.date.today())


def shortcut_periods(lo: dt.date, hi: dt.date, top: dt.date, e=None) -> dict:
    """The period each shortcut sets (bounds() in, `e` the election): its days kept inside what
    the period field allows."""
    return {k: (_inside(a, lo, top), _inside(b, lo, top)) for k, (a, b) in shortcuts(hi, e).items()}


def _inside(d: dt.date, lo: dt.date, top: dt.date) -> dt.date:
    return min(max(d, lo), top)


def _use_shortcut(ranges: dict) -> None:
    key = st.session_state.get("phase_pick")
    if key in ranges:
        st.session_state["period"] = ranges[key]
        st.session_state[_APART] = False


def _period_changed() -> None:
    st.session_state.pop("phase_pick", None)  # a hand-made period is no shortcut


def _as_of_changed() -> None:
    period = st.session_state.get("period")
    end = period[1] if isinstance(period, (tuple, list)) and len(period) == 2 else None
    st.session_state[_APART] = st.session_state.get("as_of") != end


def sidebar() -> Filters:
    L.selector()
    lang = L.current()
    sb = st.sidebar
    all_ = elections()
    restore("election_id", lambda v: v if v in all_ else None, next(iter(all_)))
    sb.selectbox(
        L.tr("sidebar.election"),
        list(all_),
        format_func=lambda k: all_[k].short_name(lang),
        key="election_id",
    )
    remember("election_id")

    lo, hi, top = bounds()

    def inside(d: dt.date) -> dt.date:
        return _inside(d, lo, top)

    restore("period", lambda v: (inside(v[0]), inside(v[1])), (lo, hi))
    ranges = shortcut_periods(lo, hi, top)
    if st.session_state.get("_phase_pick_lang") != lang:
        # The choice travels as its label, which the language changes: choose it again below.
        st.session_state.pop("phase_pick", None)
        st.session_state["_phase_pick_lang"] = lang
    if "phase_pick" not in st.session_state:  # show the shortcut the kept period came from
        current = tuple(st.session_state["period"])
        st.session_state["phase_pick"] = next(
            (k for k, period in ranges.items() if period == current), None
        )
    sb.selectbox(
        L.tr("sidebar.phases"),
        [None, *ranges],
        key="phase_pick",
        format_func=_shortcut_name,
        placeholder=_shortcut_name(None),
        on_change=_use_shortcut,
        args=(ranges,),
    )
    period = sb.date_input(
        L.tr("sidebar.period"),
        min_value=lo,
        max_value=top,
        key="period",
        format=formats.WIDGET_DATE,
        on_change=_period_changed,
    )
    if isinstance(period, (tuple, list)) and len(period) == 2:
        start, end = period
        remember("period")
    else:  # only the first day clicked so far: keep showing the last whole period
        start, end = st.session_state.get("_keep_period") or (lo, hi)

    if _APART not in st.session_state:  # first run: a link with ?asof= set it apart
        st.session_state[_APART] = "asof" in st.query_params
    if st.session_state[_APART]:
        restore("as_of", lambda v: inside(v), end)
    else:
        st.session_state["as_of"] = end
    as_of = sb.date_input(
        L.tr("sidebar.as_of"),
        min_value=lo,
        max_value=top,
        key="as_of",
        format=formats.WIDGET_DATE,
        help=L.tr("sidebar.as_of_help"),
        on_change=_as_of_changed,
    )
    remember("as_of", omit=not st.session_state[_APART])

    account = user_scope()
    if not account.province:  # its own office's area, each row on its own date (domain/scope.py)
        sb.selectbox(
            L.tr("sidebar.office"),
            [account.office],
            key="office_fixed",
            disabled=True,
            format_func=lambda o: offices().loc[o, "name"] if o in offices().index else o,
            help=L.tr("sidebar.office_fixed"),
        )
        return Filters(start=start, end=end, as_of=as_of, scope=account)
    office_ids = [None] + offices_on(as_of)
    restore("office", lambda v: v if v in office_ids else None, None)
    office = sb.selectbox(
        L.tr("sidebar.office"),
        office_ids,
        key="office",
        placeholder=L.tr("sidebar.all_ntb"),
        format_func=lambda o: L.tr("sidebar.all_ntb") if o is None else offices().loc[o, "name"],
    )
    remember("office")
    return Filters(start=start, end=end, as_of=as_of, office=office, scope=account)
