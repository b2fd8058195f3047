"""The view a head of office chose stays: set the quiet period with the phase shortcut on the
overview, then the map, the alerts and the timeline all show it; a reload keeps it; the link opened
in another browser shows the same view; the phase line names the quiet period (issue 18, items 1-2)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import go_to, open_app, rerun, track_runs

pytestmark = pytest.mark.e2e
QUIET = "24/11/2024–26/11/2024"


def shown_date(page: Page, key: str) -> str:
    """What a date input shows (Streamlit 1.67 draws day, month and year as separate fields)."""
    text = page.locator(f'.st-key-{key} [data-testid="stDateInputField"]').inner_text()
    return re.sub(r"\s+", "", text)


def expect_dates(page: Page, period: str, as_of: str) -> None:
    page.wait_for_function(
        """([p, a]) => {
        const read = k => (document.querySelector(`.st-key-${k} [data-testid="stDateInputField"]`)?.innerText || '')
                          .replace(/\\s+/g, '');
        return read('period') === p && read('as_of') === a; }""",
        arg=[period, as_of],
        timeout=30_000,
    )


def pick(page: Page, key: str, option_start: str) -> None:
    page.locator(f'.st-key-{key} input[role="combobox"]').click()
    with rerun(page):
        page.locator('[role="option"]').filter(
            has_text=re.compile("^" + re.escape(option_start))
        ).first.click()


def test_the_quiet_period_chosen_once_stays_on_every_page_and_in_the_link(
    page: Page, app_server, browser
):
    open_app(page, app_server)
    pick(page, "phase_pick", "Masa tenang")
    expect_dates(page, QUIET, "26/11/2024")  # the as-of date follows the period's end
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="Tahapan")).to_contain_text(
        "Tahapan: Masa tenang"
    )  # the phase line describes the period chosen
    for key in ("map", "alerts", "timeline", "overview"):
        go_to(page, key)
        expect_dates(page, QUIET, "26/11/2024")
    assert "from=2024-11-24" in page.url and "to=2024-11-26" in page.url and "asof" not in page.url

    link = page.url[len(app_server.url) :]
    open_app(page, app_server, link)  # a reload: a new session, signed in again
    expect_dates(page, QUIET, "26/11/2024")

    other = browser.new_context(
        viewport={"width": 1440, "height": 900},
        locale="id-ID",
        timezone_id="Asia/Makassar",
        service_workers="block",
    )
    track_runs(other)
    try:
        colleague = other.new_page()
        open_app(colleague, app_server, link)
        expect_dates(colleague, QUIET, "26/11/2024")
        expect(
            colleague.locator('[data-testid="stAlert"]').filter(has_text="Tahapan")
        ).to_contain_text("Tahapan: Masa tenang")
    finally:
        other.close()


def test_an_as_of_date_set_apart_stays_apart_and_travels(page: Page, app_server):
    open_app(page, app_server)
    pick(page, "phase_pick", "Masa tenang")
    page.locator('.st-key-as_of [data-type="day"]').click()
    with rerun(page):
        page.keyboard.type("20")
        page.keyboard.press("Tab")
        page.locator("h1").first.click()
    expect_dates(page, QUIET, "20/11/2024")
    go_to(page, "map")
    expect_dates(page, QUIET, "20/11/2024")
    assert "asof=2024-11-20" in page.url


def test_a_phase_chosen_stays_chosen_after_switching_language(page: Page, app_server):
    """The shortcut's label changes with the language; the period and the choice must not."""
    open_app(page, app_server)
    pick(page, "phase_pick", "Masa tenang")
    with rerun(page):
        page.locator('[data-testid="stRadio"] label').filter(has_text="English").click()
    expect_dates(page, QUIET, "26/11/2024")
    expect(page.locator('.st-key-phase_pick input[role="combobox"]')).to_have_value(
        re.compile("^Quiet period")
    )
    expect(page.locator('.st-key-office input[role="combobox"]')).to_have_attribute(
        "placeholder", "All of NTB"
    )
    go_to(page, "map", "en")
    expect_dates(page, QUIET, "26/11/2024")
