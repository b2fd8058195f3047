"""The one place where caching lives. Every cached read is keyed by the database URL and the
change counters of exactly the data it reads (storage/versions.py): an upload of presence data
re-computes presence views and leaves incident views cached; an alert status change touches
only alert views. A commit is visible on the next rerun; nothing stale is shown.

The signed-in account's office scope (domain/scope.py) is put into every Filters here, whatever
scope the page passed, so it is part of every cache key and no page can widen it."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import replace

import streamlit as st

from domain.data_kinds import kind as data_kind
from domain.filters import Filters
from storage import kind_queries, queries
from storage.engine import configured_url, get_engine
from storage.schema import upgrade
from storage.versions import scopes, versions

# What each storage.queries function reads (not listed: everything, scopes()).
READS = {
    "regency_table": ("presence", "incidents"),
    "arrivals": ("crossings",),
    "incident_markers": ("incidents",),
    "presence_trend": ("presence",),
    "incident_trend": ("incidents",),
    "top_nationalities": ("presence",),
    "permit_activity_mix": ("presence",),
    "who_acts": ("incidents",),
    "regency_incidents": ("incidents",),
    "data_span": ("presence", "incidents"),
    "shows_demo": ("presence", "incidents", "crossings"),
    "batches": ("presence", "incidents", "crossings"),
}


@st.cache_resource(show_spinner=False)
def _ready(url: str) -> bool:
    upgrade(get_engine(url))  # idempotent; the schema is always Alembic's head
    return True


def engine():
    url = configured_url()
    _ready(url)
    return get_engine(url)


_warming = threading.local()  # ui.warm's thread: the scope it fills the caches for


@contextmanager
def acting_for(scope):
    """In this thread (ui.warm's, which has no session), queries run with `scope` as the account's:
    every cache key carries it, so what is filled is found only by accounts of that scope."""
    _warming.scope = scope
    try:
        yield
    finally:
        _warming.scope = None


def user_scope():
    """The signed-in account's scope (nothing when nobody is signed in)."""
    if (scope := getattr(_warming, "scope", None)) is not None:
        return scope
    from ui.auth import user_scope as of_session  # ui.auth reads the engine from here

    return of_session()


def scoped(f: Filters) -> Filters:
    """`f` with the account's scope, never a wider one a page passed."""
    account = user_scope()
    return f if f.scope == account else replace(f, scope=account)


def _scoped_args(args: tuple) -> tuple:
    return tuple(scoped(a) if isinstance(a, Filters) else a for a in args)


def alerts_by_id(ids: list[int]):
    """The alerts with these ids that the account's scope holds (a link to another office's alert
    opens nothing)."""
    from storage.alerts_store import alerts_by_id as read

    return read(engine(), ids, user_scope())


def _key(scopes) -> tuple:
    v = versions(engine())
    return tuple(v.get(s, 0) for s in scopes)


NATIONALITY_CHOICES = 60  # the map page's nationality filter offers the period's top 60


def data_version() -> tuple:
    """Every change counter: what changes whenever any data does."""
    return _key(scopes())


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, url: str, version_key: tuple, args: tuple, kwargs: tuple):
    return getattr(queries, name)(get_engine(url), *args, **dict(kwargs))


def q(name: str, *args, **kwargs):
    """Cached call of storage.queries.<name>(engine, *args, **kwargs)."""
    return _cached(
        name,
        configured_url(),
        _key(READS.get(name) or scopes()),
        _scoped_args(args),
        tuple(sorted(kwargs.items())),
    )


@st.cache_data(show_spinner=False, max_entries=128)
def _kind_cached(name: str, url: str, version_key: tuple, kind: str, args: tuple, kwargs: tuple):
    return getattr(kind_queries, name)(get_engine(url), kind, *args, **dict(kwargs))


def kind_q(name: str, kind: str, *args, **kwargs):
    """Cached call of storage.kind_queries.<name>(engine, kind, ...): keyed by that kind's own
    change counter, so any data kind's page caches without a line here."""
    return _kind_cached(
        name,
        configured_url(),
        _key((data_kind(kind).scope,)),
        kind,
        _scoped_args(args),
        tuple(sorted(kwargs.items())),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _alerts(url: str, version_key: tuple, f, statuses, severities, rules):
    from storage.alerts_store import alerts

    return alerts(get_engine(url), f, statuses, severities, rules)


def q_alerts(f, statuses=(), severities=(), rules=()):
    return _alerts(configured_url(), _key(("alerts",)), scoped(f), statuses, severities, rules)


@st.cache_data(show_spinner=False, max_entries=32)
def _risk(url: str, version_key: tuple, f, election_id: str):
    from domain.calendar import elections
    from services.alerts import risk_table

    return risk_table(get_engine(url), f, elections()[election_id])


def q_risk(f, election_id: str):
    return _risk(
        configured_url(), _key(("presence", "incidents", "alerts")), scoped(f), election_id
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _voter_matches(url: str, version_key: tuple, f):
    from services.voter_check import matches_by_regency

    return matches_by_regency(get_engine(url), f)


def q_voter_matches(f):
    """Foreign residents still on a voter list, per regency (services/voter_check.py)."""
    return _voter_matches(configured_url(), _key(("voters", "alerts")), scoped(f))


@st.cache_data(show_spinner=False, max_entries=32)
def _voter_summary(url: str, version_key: tuple, f):
    from services.voter_check import summary

    return summary(get_engine(url), f)


def q_voter_summary(f):
    return _voter_summary(configured_url(), _key(("voters", "alerts")), scoped(f))


def kpis(f) -> dict:
    """The KPI tiles: totals of the cached regency table (the map's) plus arrivals, so a filter
    change computes the regency table once, not once for the tiles and again for the map."""
    f = scoped(f)
    return queries.kpi_totals(q("regency_table", f), q("arrivals", f))


def map_table(f, metric: str, election_id: str | None = None):
    """regency_table() with the chosen metric's values in `value` (risk scores joined when the
    metric is the risk score, which needs the election)."""
    f = scoped(f)
    table = q("regency_table", f).copy()
    if metric == "risk_score":
        table["risk_score"] = q_risk(f, election_id)["score"].reindex(table.index)
    if metric == "voter_matches":
        table["voter_matches"] = q_voter_matches(f).reindex(table.index)
    table["value"] = table[metric]
    return table


def map_figure(
    f,
    metric: str,
    lang: str,
    selected=None,
    height: int = 640,
    election_id: str | None = None,
    slide=None,
    compact: bool = False,
):
    """The regency map for these filters, built once per distinct input and data version and
    shared read-only between sessions. Keyed by the small inputs, not by the frames it is built
    from: hashing those on every run cost more than the rest of the lookup. `slide` (the words a
    slide carries, viz.map_slide.Slide) and `compact` (a phone) are small and part of the key."""
    scopes = ("presence", "incidents") + (
        ("alerts",) if metric in ("risk_score", "voter_matches") else ()
    )
    return _map_figure(
        configured_url(),
        _key(scopes),
        scoped(f),
        metric,
        lang,
        selected,
        height,
        election_id,
        slide,
        compact,
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def _map_figure(
    url: str, version_key: tuple, f, metric, lang, selected, height, election_id, slide, compact
):
    from domain.regions import areas_on
    from viz.maps import regency_map

    return regency_map(
        map_table(f, metric, election_id),
        metric,
        lang,
        areas_on(f.as_of),
        q("incident_markers", f),
        selected=selected,
        height=height,
        slide=slide,
        compact=compact,
    )


def overview_map_png(f, metric: str, lang: str) -> bytes:
    """The overview's map as a PNG (viz.briefing.overview_png: the briefing's map and legends),
    made once per distinct filters, metric, language and data version and shared between
    sessions: the first page after sign-in then needs no plotly.js (5 MB of JavaScript)."""
    scopes = ("presence", "incidents") + (
        ("alerts",) if metric in ("risk_score", "voter_matches") else ()
    )
    demo = bool(q("shows_demo"))  # a key of its own: demo batches of any kind count
    return _overview_map_png(configured_url(), _key(scopes), scoped(f), metric, lang, demo)


@st.cache_data(show_spinner=False, max_entries=32)
def _overview_map_png(url: str, version_key: tuple, f, metric: str, lang: str, demo: bool) -> bytes:
    import datetime as dt

    from domain.regions import areas_on
    from i18n import t
    from services.briefing import MARKER_COLUMNS
    from viz.briefing import BriefingInput, overview_png

    markers = q("incident_markers", f)
    return overview_png(
        BriefingInput(
            values=map_table(f, metric)["value"].astype(float),
            metric_label=t(f"metric.{metric}", lang),
            start=f.start,
            end=f.end,
            as_of=dt.datetime.combine(f.as_of, dt.time(), dt.UTC),
            office_areas=areas_on(f.as_of),
            alerts=markers[MARKER_COLUMNS] if len(markers) else None,
            lang=lang,
            demo=demo,
        )
    )


# The overview's "what changed, what needs a decision" (services/overview.py).
@st.cache_data(show_spinner=False, max_entries=32)
def _headline(url: str, version_key: tuple, f):
    from services.overview import headline

    return headline(get_engine(url), f, now=kpis(f))


def headline(f):
    """The KPI tiles' numbers with their change against the previous period of equal length."""
    return _headline(configured_url(), _key(("presence", "incidents", "crossings")), scoped(f))


@st.cache_data(show_spinner=False, max_entries=32)
def _decisions(url: str, version_key: tuple, f):
    from services.overview import decisions

    return decisions(get_engine(url), f)


def decisions(f):
    """Open alerts waiting for a decision, most severe and newest first."""
    return _decisions(configured_url(), _key(("alerts",)), scoped(f))


@st.cache_data(show_spinner=False, max_entries=32)
def _risers(url: str, version_key: tuple, f, election_id: str):
    from domain.calendar import elections
    from services.overview import risk_risers

    return risk_risers(get_engine(url), f, elections()[election_id])


def risers(f, election_id: str):
    """(the previous period's end, the regencies whose risk score rose most since, or None)."""
    return _risers(
        configured_url(), _key(("presence", "incidents", "alerts")), scoped(f), election_id
    )
