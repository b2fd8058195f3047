"""ui.warm fills the map page's caches for every phase shortcut, keyed by the account's scope, on
the small hand-built database (tests/fixture_db.py: data from 20/11/2024 to 27/11/2024)."""

import datetime as dt

import pytest

from domain.calendar import elections
from domain.filters import Filters
from domain.scope import PROVINCE, Scope
from tests.app.conftest import sqlite_copy
from ui import data, warm
from ui.briefing import map_slide
from viz import maps

D = dt.date
# The 13 shortcuts of Pilkada 2024 kept inside 20/11/2024 .. today (ui.sidebar.shortcut_periods)
# are 9 periods: the five phases that end before the data begins all become 20/11/2024; then
# Kampanye 20/11-23/11, Masa tenang 24/11-26/11, Rekapitulasi 27/11-16/12, voting day 27/11,
# Sengketa 05/12-18/12, Pelantikan 20/02/2025, the sensitive stretch 20/11-18/12 and the last
# 7 days 21/11-27/11.
PERIODS = 9
QUIET = (D(2024, 11, 24), D(2024, 11, 26))  # Masa tenang


@pytest.fixture
def db(known_db, tmp_path, monkeypatch):
    """A copy of its own: its URL is part of every cache key, so nothing another test cached
    answers here."""
    url = sqlite_copy(known_db, tmp_path / "known.sqlite")
    monkeypatch.setenv("NTB_DB_URL", url)
    return url


def page_figure(scope: Scope, start: dt.date, end: dt.date):
    """What the map page asks ui.data for after a shortcut sets the period (as of its end)."""
    view = warm.default_view()
    f = Filters(start, end, end, scope=scope)
    election = elections()[view.election_id]
    with data.acting_for(scope):
        slide = map_slide(f, view.metric, election, view.lang, view.marking)
        return data.map_figure(
            f, view.metric, view.lang, None, maps.MAP_HEIGHT, view.election_id, slide
        )


def count_builds(monkeypatch) -> list:
    built = []
    real = maps.regency_map
    monkeypatch.setattr(maps, "regency_map", lambda *a, **k: built.append(1) or real(*a, **k))
    return built


def test_every_shortcut_is_warmed_and_a_page_builds_nothing(db, monkeypatch):
    built = count_builds(monkeypatch)
    assert warm.warm(warm.default_view(), quiet=lambda: None) == PERIODS
    assert len(built) == PERIODS
    fig = page_figure(PROVINCE, *QUIET)
    assert len(built) == PERIODS  # found, not built again
    (title,) = [a.text for a in fig.layout.annotations if a.name == "title"]
    assert (
        title == "<b>Orang asing hadir (orang) · 24/11/2024–26/11/2024 · Tahapan: Masa tenang</b>"
    )


def test_what_is_warmed_for_one_office_is_not_found_by_another_scope(db, monkeypatch):
    bima = Scope("kanim_bima")
    province = warm.default_view()
    view = warm.View.of(
        Filters(D(2024, 1, 1), D(2024, 1, 1), D(2024, 1, 1), scope=bima),
        province.lang,
        province.metric,
        province.marking,
        province.election_id,
    )
    built = count_builds(monkeypatch)
    assert warm.warm(view, quiet=lambda: None) == PERIODS
    page_figure(bima, *QUIET)
    assert len(built) == PERIODS  # Bima's own: found
    page_figure(PROVINCE, *QUIET)
    assert len(built) == PERIODS + 1  # the province's: built for it, not taken from Bima's


def test_a_view_is_the_same_whatever_its_period():
    a = Filters(D(2024, 11, 20), D(2024, 11, 27), D(2024, 11, 27))
    b = Filters(D(2024, 11, 24), D(2024, 11, 26), D(2024, 11, 25))
    assert warm.View.of(a, "id", "present", "TERBATAS", "pilkada_2024") == warm.View.of(
        b, "id", "present", "TERBATAS", "pilkada_2024"
    )


def test_without_the_servers_thread_a_request_does_nothing(monkeypatch):
    monkeypatch.setattr(warm, "_thread", None)
    warm.request(warm.default_view())
    assert warm._todo.empty()
