"""The browser map is a slide (issue 18 item 4): at 1440x900 the map page's figure carries the
title with the period, the marking and its legends, all inside the viewport without scrolling;
every metric pill is visible; on a 390 px phone the map fills the width and the office
labels do not overlap. Screenshots go to screenshots/ (map_slide_*.png)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from domain.filters import METRICS as ALL_METRICS
from i18n import t
from tests.e2e.conftest import CHROMIUM_ARGS  # noqa: F401 - the same browser flags
from tests.e2e.helpers import (
    MAP,
    SIGN_IN_USER,
    SIGNED_IN,
    go_to,
    sign_in,
    track_runs,
    wait_idle,
    wait_map,
    wait_still,
)

pytestmark = pytest.mark.e2e
QUIET = "peta?from=2024-11-24&to=2024-11-26"
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36"
)
METRICS = list(ALL_METRICS)  # every pill the map page offers (domain.filters.METRICS)


def open_map(page: Page, app, link: str, lang: str = "id") -> None:
    """Open the map page through a link. On a cold server Streamlit's client may first say "Page
    not found" over the sign-in form (a deep link before the page list is known): close it."""
    page.goto(f"{app.url}/{link}")
    page.locator(f"h1, {SIGN_IN_USER}").first.wait_for(timeout=60_000)
    wait_idle(page)
    dialog = page.locator('[role="dialog"]')
    if dialog.count() and dialog.first.is_visible():
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
    if page.locator(SIGN_IN_USER).count():
        sign_in(page, app)
    page.locator(SIGNED_IN).filter(visible=True).first.wait_for(timeout=60_000)
    wait_idle(page)
    if t("map.title", lang) not in page.locator("h1").first.inner_text():
        go_to(page, "map", lang)


def boxes(page: Page, selector: str) -> list[dict]:
    return page.locator(selector).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); "
        "return {text: e.textContent, x: r.x, y: r.y, right: r.right, bottom: r.bottom}; })"
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_map_figure_is_a_slide_inside_1440x900(page: Page, app_server, screenshot_dir, lang):
    page.set_viewport_size({"width": 1440, "height": 900})
    open_map(page, app_server, f"{QUIET}&lang={lang}", lang)
    wait_map(page, 10)
    wait_still(page)
    svg = page.locator(f"{MAP} .main-svg").last  # plotly's top SVG holds annotations and legends
    text = " ".join(page.locator(f"{MAP} .main-svg").all_text_contents())
    period = "24/11/2024–26/11/2024"
    expect(page.locator(f"{MAP} .annotation-text").filter(has_text=period)).to_have_count(1)
    title = page.locator(f"{MAP} .annotation-text").filter(has_text=period).text_content()
    phase = "Tahapan: Masa tenang" if lang == "id" else "Phase: Quiet period"
    assert title == f"{t('metric.present', lang)} · {period} · {phase}", title
    assert text.count("TERBATAS") == 6, text  # three words on each banner, top and bottom
    for word in (
        t("map.office_area", lang),
        t("map.incidents_by_severity", lang),
        t("map.port_yes", lang),
        t("briefing.watermark", lang),
        "50 km",
    ):
        assert word in text, word
    assert svg.is_visible()

    chart = page.locator(MAP).bounding_box()
    assert (
        chart["y"] >= 0
        and chart["y"] + chart["height"] <= 900
        and chart["x"] + chart["width"] <= 1440
    ), chart
    legends = boxes(page, f"{MAP} g.legend, {MAP} g.legend2, {MAP} g.legend3")
    assert len(legends) == 3
    for b in legends + boxes(page, f"{MAP} .colorbar"):
        assert b["y"] >= 0 and b["bottom"] <= 900 and b["right"] <= 1440, b
    # the bottom banner is the figure's last row: inside the viewport too
    banners = boxes(page, f"{MAP} .shapelayer path")
    assert banners and max(b["bottom"] for b in banners) <= 900, banners

    # the north arrow's word sits above its head, clear of it (it touched the tip before)
    gap = page.evaluate(
        """(word) => {
      const chart = document.querySelector('[data-testid="stPlotlyChart"]');
      const label = [...chart.querySelectorAll('g.trace.scattergeo text')]
          .find(e => e.textContent === word).getBoundingClientRect();
      const heads = [...chart.querySelectorAll('g.trace.scattergeo path.point')]
          .map(p => p.getBoundingClientRect())
          .filter(r => r.width > 8 && r.left < label.right && r.right > label.left && r.top >= label.top);
      return Math.min(...heads.map(r => r.top)) - label.bottom;
    }""",
        t("briefing.north", lang),
    )
    assert 0 < gap < 12, gap

    # every metric pill is on screen, none cut off by its row
    row = page.locator(".st-key-map_metric").bounding_box()
    for m in METRICS:
        pill = page.locator(".st-key-map_metric").get_by_role(
            "radio", name=t(f"metric.{m}", lang), exact=True
        )
        expect(pill).to_be_visible()
        box = pill.bounding_box()
        assert box["x"] >= row["x"] and box["x"] + box["width"] <= row["x"] + row["width"] + 0.5, (
            m,
            box,
            row,
        )
    page.screenshot(path=str(screenshot_dir / f"map_slide_{lang}_1440.png"))


def test_map_on_a_phone_fills_the_width_and_office_labels_do_not_overlap(
    browser, app_server, screenshot_dir
):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        user_agent=PHONE_UA,
        locale="id-ID",
        timezone_id="Asia/Makassar",
        service_workers="block",
    )
    context.route(
        "**/*", lambda r: r.continue_() if app_server.netloc in r.request.url else r.abort()
    )
    track_runs(context)
    try:
        page = context.new_page()
        open_map(page, app_server, QUIET)
        wait_map(page, 10)
        wait_idle(page)
        wait_still(page)
        geo = (
            page.locator(f"{MAP} .geolayer .bg").first.bounding_box()
            or page.locator(f"{MAP} .geo").first.bounding_box()
        )
        chart = page.locator(MAP).bounding_box()
        assert chart["width"] >= 390 - 2 * 24, chart  # the chart spans the column
        assert geo["width"] >= chart["width"] - 2, (geo, chart)  # and the map spans the chart
        labels = [
            b
            for b in boxes(page, f"{MAP} .scattergeo text, {MAP} g.trace text")
            if b["text"] in ("Mataram", "Sumbawa Besar", "Bima")
        ]
        labels = sorted(
            {
                (b["text"], round(b["x"]), round(b["right"]), round(b["y"]), round(b["bottom"]))
                for b in labels
            },
            key=lambda b: b[1],
        )
        assert [b[0] for b in labels] == ["Mataram", "Sumbawa Besar", "Bima"], labels
        for a, b in zip(labels, labels[1:]):
            assert a[2] <= b[1] or a[4] <= b[3] or b[4] <= a[3], (
                a,
                b,
            )  # apart side by side or one above the other
        page.locator(MAP).scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / "map_slide_id_phone.png"))
    finally:
        context.close()
