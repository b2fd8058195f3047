"""The one place where caching lives. Every cached read is keyed by the database URL and its
data version (the newest audit event id, which every commit advances), so a commit is visible on
the next rerun and nothing stale is ever shown."""
from __future__ import annotations

import streamlit as st

from storage import queries
from storage.engine import configured_url, get_engine
from storage.schema import upgrade


@st.cache_resource(show_spinner=False)
def _ready(url: str) -> bool:
    upgrade(get_engine(url))  # idempotent; the schema is always Alembic's head
    return True


def engine():
    url = configured_url()
    _ready(url)
    return get_engine(url)


def version() -> int:
    return queries.data_version(engine())


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, url: str, data_version: int, args: tuple, kwargs: tuple):
    return getattr(queries, name)(get_engine(url), *args, **dict(kwargs))


def q(name: str, *args, **kwargs):
    """Cached call of storage.queries.<name>(engine, *args, **kwargs)."""
    eng = engine()
    return _cached(name, configured_url(), queries.data_version(eng), args, tuple(sorted(kwargs.items())))


@st.cache_data(show_spinner=False, max_entries=64)
def _alerts(url: str, data_version: int, f, statuses, severities, rules):
    from storage.alerts_store import alerts
    return alerts(get_engine(url), f, statuses, severities, rules)


def q_alerts(f, statuses=(), severities=(), rules=()):
    return _alerts(configured_url(), queries.data_version(engine()), f, statuses, severities, rules)


@st.cache_data(show_spinner=False, max_entries=32)
def _risk(url: str, data_version: int, f, election_id: str):
    from domain.calendar import elections
    from storage.alerts_store import risk_table
    return risk_table(get_engine(url), f, elections()[election_id])


def q_risk(f, election_id: str):
    return _risk(configured_url(), queries.data_version(engine()), f, election_id)
