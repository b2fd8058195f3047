"""An account scoped to the Sumbawa Besar office (issue 24), in Chromium against the real server
(`python -m ui.serve`): the map draws the whole province but carries values only for 52.04 and
52.07 (the others grey, no number in their hover text), the headline equals the sum over those two
regencies, and a link to an alert of 52.01 opens nothing; a province-wide account opens it. On the
small hand-built database (tests/fixture_db.py, known_server), so the figures are literals."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from domain.scope import Scope
from i18n import t
from storage.models import Alert
from storage.users import add_user
from tests.e2e import helpers
from tests.e2e.helpers import (
    SIGN_IN_USER,
    go_to,
    metric,
    overview_fills,
    overview_map,
    wait_idle,
    wait_map,
)

pytestmark = pytest.mark.e2e
SUMBAWA = Scope("kanim_sumbawa_besar")

CHOROPLETHS = """() => {
  const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  return gd.data.filter(t => t.type === 'choropleth')
    .map(t => ({name: t.name, locations: t.locations, z: t.z, hover: t.hovertext || []}));
}"""


@pytest.fixture(scope="module")
def sumbawa_viewer(known_server) -> tuple[str, str]:
    name, password = "e2e-sumbawa", secrets.token_urlsafe(16)
    add_user(known_server.engine(), name, password, "viewer", actor="e2e", office=SUMBAWA.office)
    return name, password


def sign_in(page, app, path: str, user: str, password: str) -> None:
    page.goto(f"{app.url}/{path.lstrip('/')}")
    page.locator(SIGN_IN_USER).wait_for(timeout=60_000)
    wait_idle(page)
    helpers.sign_in(page, app, user, password)  # sent once more if the first was lost
    wait_idle(page)


def alert_of(app, regency: str) -> int:
    with app.engine().connect() as conn:
        found = conn.scalar(
            select(Alert.id)
            .where(Alert.regency_code == regency, Alert.stale.is_(False))
            .order_by(Alert.id)
            .limit(1)
        )
    assert found is not None, f"the database has no alert of {regency}"
    return int(found)


def test_a_sumbawa_viewer_sees_values_only_for_its_two_regencies(
    known_page, known_server, sumbawa_viewer
):
    page = known_page
    sign_in(page, known_server, "", *sumbawa_viewer)
    expect(page.locator("h1").first).to_contain_text(t("overview.title", "id"))
    # the headline over the data's whole span: 530 + 220 persons, I08 the one incident, and the
    # arrivals through the office's ports (swq_sumbawa_airport 35; 2,055 elsewhere left out)
    for key, value in (("present", "750"), ("incidents", "1"), ("arrivals", "35")):
        expect(metric(page, t(f"kpi.{key}", "id"))).to_have_text(value)
    # the overview's picture: the two regencies in a value's blue, the others "no data" grey
    fills = overview_fills(overview_map(page), ["52.01", "52.02", "52.04", "52.06", "52.07"])
    assert {c: b - r >= 12 for c, (r, g, b) in fills.items()} == {
        "52.01": False,
        "52.02": False,
        "52.04": True,
        "52.06": False,
        "52.07": True,
    }, fills
    assert all(
        abs(r - b) <= 6 and r < 240 for c, (r, g, b) in fills.items() if c not in ("52.04", "52.07")
    )

    go_to(page, "map")  # the interactive map: its values and hover texts
    wait_map(page)  # the whole province is drawn
    traces = {tr["name"]: tr for tr in page.evaluate(CHOROPLETHS)}
    values, grey = traces[t("metric.present", "id")], traces[t("map.no_data", "id")]
    # persons present 20/11/2024-27/11/2024: Sumbawa F05 530, Sumbawa Barat F08 220
    assert dict(zip(values["locations"], values["z"])) == {"52.04": 530, "52.07": 220}
    assert sorted(grey["locations"]) == [
        "52.01",
        "52.02",
        "52.03",
        "52.05",
        "52.06",
        "52.08",
        "52.71",
        "52.72",
    ]
    assert all(t("map.no_data", "id") in h and not re.search(r"\d", h) for h in grey["hover"]), (
        grey["hover"]
    )


def test_an_alert_of_another_area_opened_by_url_shows_nothing(
    known_page, known_server, sumbawa_viewer
):
    page = known_page
    alert = alert_of(known_server, "52.01")  # I02's election-sensitive incident
    sign_in(page, known_server, f"peringatan?alert={alert}", *sumbawa_viewer)
    expect(page.locator("h1").first).to_contain_text(t("alertpage.title", "id"))
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert f"#{alert} " not in main
    assert f"{t('alertpage.status', 'id')}: " not in main  # no detail block (its status line)
    assert (
        page.locator('[data-testid="stForm"]').count() == 0
    )  # no follow-up form (a viewer, and not its alert)


def test_a_province_wide_account_opens_the_same_link(known_page, known_server):
    page = known_page
    alert = alert_of(known_server, "52.01")
    sign_in(
        page, known_server, f"peringatan?alert={alert}", known_server.user, known_server.password
    )
    expect(page.locator('[data-testid="stMain"]')).to_contain_text(f"#{alert} ", timeout=60_000)
