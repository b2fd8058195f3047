"""Real-browser journeys: the overview map and numbers, the language switch, an upload with bad
rows, the map drill-down, and screenshots of every page at desktop and phone size.

The numbers are checked on the small hand-built database (tests/fixture_db.py, served by
known_server) against literals worked out from its rows, with the sidebar's defaults: period =
the data's span 20/11/2024-27/11/2024, as-of = 27/11/2024, office = all of NTB. The upload writes
into the demo server (app_server), whose other figures other tests may change.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from domain.changes import DECISION_LIMIT
from i18n import t
from tests.e2e.helpers import (
    MAP,
    OVERVIEW_MAP,
    REGIONS,
    assert_no_exception,
    choose_radio,
    dataframe_rows,
    dataframe_with_header,
    fmt_id,
    go_to,
    metric,
    nav_keys,
    open_app,
    overview_fills,
    overview_map,
    wait_idle,
    wait_map,
    wait_still,
)

pytestmark = pytest.mark.e2e

# The overview picture's regencies whose interior point no office marker covers (Kota Mataram's does).
CLEAR_OF_MARKERS = ["52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.72"]
MATARAM = "52.71"


# The headline of tests/fixture_db.py over 20/11/2024-27/11/2024 (its docstring has the table):
KPIS = {
    "present": "4.638",  # 640 + 420 + 150 + 530 + 60 + 310 + 220 + 960 + 1258 + 90
    "incidents": "10",  # I01-I10
    "election_incidents": "4",  # I02, I03, I06, I09
    "open_incidents": "7",  # all but I01, I05, I09 (selesai)
    "arrivals": "2.090",  # datang: 310 + 450 + 1200 + 35 + 95
}


# --------------------------------------------------------------------------- overview


def test_overview_map_and_kpis(known_page: Page, known_server):
    page = known_page
    open_app(page, known_server)
    expect(page.locator("h1").first).to_have_text(t("overview.title", "id"))

    # The map is a picture drawn on the server (no plotly.js on the first page after sign-in):
    # each regency filled with a value's blue, not the "no data" grey, and the fills vary.
    pixels = overview_map(page)
    assert pixels.shape == (747, 1440, 3)
    fills = overview_fills(pixels, CLEAR_OF_MARKERS)
    for code, (r, g, b) in fills.items():
        assert b - r >= 12, f"{code} drawn as 'no data' or not at all: {(r, g, b)}"
    assert len(set(fills.values())) >= 5, f"the choropleth hardly varies: {fills}"
    # the office working areas' thick outlines (and markers, labels) in viz.style.OFFICE
    assert (pixels == (28, 28, 40)).all(axis=2).sum() > 5000
    box = page.locator(OVERVIEW_MAP).bounding_box()
    width = page.viewport_size["width"]
    assert box["width"] > 900 and box["x"] + box["width"] <= width, (box, width)  # the main column
    # the interactive map is one click away
    expect(
        page.locator('[data-testid="stPageLink"]').filter(has_text=t("overview.open_map", "id"))
    ).to_be_visible()

    for key, value in KPIS.items():
        expect(metric(page, t(f"kpi.{key}", "id"))).to_have_text(value)

    # The tab icon is the app's own static file (served, not read and re-encoded on every run).
    icon = page.evaluate(
        "() => [...document.querySelectorAll('link[rel~=icon]')].map(l => l.href).pop()"
    )
    assert icon and icon.endswith("/app/static/favicon.png"), icon
    got = page.request.get(icon)
    assert (
        got.status == 200
        and got.headers["content-type"] == "image/png"
        and got.body()[:4] == b"\x89PNG"
    )


# --------------------------------------------------------------------------- language


def test_language_switch(known_page: Page, known_server):
    page = known_page
    open_app(page, known_server)
    h1 = page.locator("h1").first
    expect(h1).to_have_text(t("overview.title", "id"))
    keys = nav_keys(page, "id")
    assert {"nav.overview", "nav.map", "nav.upload", "nav.about"} <= set(keys), keys

    lang_option = page.locator('[data-testid="stSidebar"] [data-testid="stRadioOption"]')
    lang_option.filter(has_text="English").click()
    expect(h1).to_have_text(t("overview.title", "en"))
    wait_idle(page)
    assert nav_keys(page, "en") == keys
    assert "lang=en" in page.url
    expect(metric(page, t("kpi.present", "en"))).to_have_text("4,638")  # KPIS["present"]

    lang_option.filter(has_text="Bahasa Indonesia").click()
    expect(h1).to_have_text(t("overview.title", "id"))
    wait_idle(page)
    assert nav_keys(page, "id") == keys
    assert t("nav.overview", "en") not in page.locator('[data-testid="stSidebarNav"]').inner_text()


# --------------------------------------------------------------------------- upload

UPLOAD_CSV = """tanggal_laporan,kabupaten_kota,kewarganegaraan,jenis_izin,kegiatan,jumlah_orang
15/11/2024,52.71,AUS,VOA,wisata,3
31/02/2024,52.01,MYS,VOA,wisata,2
15/11/2024,Lombok Tengah,DEU,ITK,wisata,4
15/11/2024,Atlantis,GBR,VOA,wisata,5
16/11/2024,Kota Bima,JPN,VOA,wisata,6
"""
VALID_PERSONS = 3 + 4 + 6  # lines 2, 4 and 6; line 3 (31 February) and line 5 (Atlantis) are bad


def persons_stored(app) -> int:
    """Every person of every presence row in force, by plain SQL over the stored rows (not through
    storage.queries): the headline over the sidebar's default period, the data's whole span."""
    from sqlalchemy import text

    with app.engine().connect() as conn:
        return int(
            conn.scalar(
                text("SELECT sum(person_count) FROM presence WHERE replaced_by_batch IS NULL")
            )
        )


def test_upload_with_bad_rows(page: Page, app_server, tmp_path):
    path = tmp_path / "keberadaan_e2e.csv"
    path.write_text(UPLOAD_CSV, encoding="utf-8")

    open_app(page, app_server)
    before = persons_stored(app_server)  # other tests may have uploaded into this server before
    present = metric(page, t("kpi.present", "id"))
    expect(present).to_have_text(fmt_id(before))

    go_to(page, "upload")
    choose_radio(page, t("uploadpage.kind_presence", "id"))
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))

    expect(page.get_by_text(t("uploadpage.errors", "id", n=2), exact=True)).to_be_visible(
        timeout=60_000
    )
    wait_idle(page)
    summary = t("uploadpage.check_summary", "id", read=5, valid=3, rejected=2, warnings=0).replace(
        "**", ""
    )
    expect(page.get_by_text(summary, exact=True)).to_be_visible()
    errors = dataframe_with_header(page, t("uploadpage.err_line", "id"))
    expect(errors).to_have_count(1)
    rows = dataframe_rows(errors)
    assert [r[0] for r in rows] == ["3", "5"], rows
    # columns as the file named them (issue 19)
    assert rows[0][1:3] == ["tanggal_laporan", "31/02/2024"] and rows[1][1:3] == [
        "kabupaten_kota",
        "Atlantis",
    ], rows

    choose_radio(page, t("uploadpage.mode_partial", "id"))
    page.get_by_role("button", name=t("uploadpage.commit", "id"), exact=True).click()
    done = t("upload.summary", "id", imported=3, updated=0, rejected=2, duplicates=0, read=5)
    alert = page.locator(
        '[data-testid="stAlertContentWarning"], [data-testid="stAlertContentSuccess"]'
    )
    expect(alert.filter(has_text=done)).to_be_visible(timeout=60_000)
    wait_idle(page)

    go_to(page, "overview")
    expect(present).to_have_text(fmt_id(before + VALID_PERSONS))
    assert persons_stored(app_server) == before + VALID_PERSONS


# --------------------------------------------------------------------------- drill-down

# A point well inside a region's path (away from its border) and as far as possible from every
# marker and label drawn above it: plotly picks the closest point under the mouse, and on small
# Kota Mataram an incident marker or the neighbouring regency would otherwise win the click.
FREE_POINT = """([trace, index]) => {
  const chart = document.querySelector('[data-testid="stPlotlyChart"]');
  const path = chart.querySelectorAll('g.trace.choropleth')[trace].querySelectorAll('path.choroplethlocation')[index];
  const bb = path.getBoundingClientRect();
  const inv = path.getScreenCTM().inverse();
  const inside = (x, y) => path.isPointInFill(new DOMPoint(x, y).matrixTransform(inv));
  const others = [...chart.querySelectorAll('g.trace.scattergeo path.point, g.trace.scattergeo text')].map(m => {
      const r = m.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2, Math.max(r.width, r.height) / 2]; });
  const frame = (chart.querySelector('.geolayer g.bg rect') || chart).getBoundingClientRect();
  const border = (x, y) => {  // distance to the region's border, up to 24 px
    for (let r = 3; r <= 24; r += 3)
      for (let a = 0; a < 8; a++)
        if (!inside(x + r * Math.cos(a * Math.PI / 4), y + r * Math.sin(a * Math.PI / 4))) return r - 3;
    return 24;
  };
  let best = null;
  const step = Math.max(1, Math.min(bb.width, bb.height) / 30);
  for (let x = bb.left; x <= bb.right; x += step) for (let y = bb.top; y <= bb.bottom; y += step) {
    if (x < frame.left + 5 || x > frame.right - 5 || y < frame.top + 5 || y > frame.bottom - 5) continue;
    if (y < 0 || y > innerHeight || x < 0 || x > innerWidth || !inside(x, y)) continue;
    let clearance = Infinity;
    for (const [mx, my, r] of others) clearance = Math.min(clearance, Math.hypot(mx - x, my - y) - r);
    const score = Math.min(clearance, 2 * border(x, y));
    if (!best || score > best.score) best = {x, y, score, clearance};
  }
  return {box: [bb.left, bb.top, bb.width, bb.height], best};
}"""

# Where a regency's path is: the choropleth traces in order, each path in its trace's `locations` order.
PATH_OF = """(code) => {
  const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  const traces = gd._fullData.filter(t => t.type === 'choropleth' && t.visible === true);
  for (let i = 0; i < traces.length; i++) { const j = traces[i].locations.indexOf(code); if (j >= 0) return [i, j]; }
  return null;
}"""


def click_region(page: Page, code: str, hover_name: str) -> None:
    where = page.evaluate(PATH_OF, code)
    assert where, f"{code} is not on the map"
    page.locator(MAP).first.scroll_into_view_if_needed()
    found = page.evaluate(FREE_POINT, where)
    x, y, w, h = found["box"]
    # Zoom in on the region (scroll zoom is on) until markers leave room for a clean click.
    page.mouse.move(x + w / 2, y + h / 2)
    for _ in range(10):
        if found["best"] and found["best"]["score"] >= 30:
            break
        page.mouse.wheel(0, -200)
        page.wait_for_timeout(250)
        found = page.evaluate(FREE_POINT, where)
    best = found["best"]
    assert best, f"no clickable point inside {code}: {found}"
    page.mouse.move(best["x"], best["y"])
    expect(page.locator(f"{MAP} .hoverlayer .hovertext").first).to_contain_text(hover_name)
    page.mouse.click(best["x"], best["y"])


def test_map_drilldown_by_click(page: Page, app_server):
    from domain.regions import regency_name

    open_app(page, app_server)
    go_to(page, "map")
    wait_map(page, 10)
    name = regency_name(MATARAM)
    assert name == "Kota Mataram"
    page.evaluate("""() => { window.__selected = [];
        document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot')
          .on('plotly_selected', e => window.__selected.push(...((e && e.points) || []).map(p => p.location))); }""")
    click_region(page, MATARAM, name)
    # the click does select Kota Mataram in plotly (what Streamlit's on_select receives)...
    page.wait_for_function("() => window.__selected.length > 0", timeout=10_000)
    assert page.evaluate("() => window.__selected") == [MATARAM]
    # ...and the app must answer with the drill-down
    header = page.locator('[data-testid="stHeading"]').filter(
        has_text=t("mappage.drill_title", "id", regency=name)
    )
    expect(header).to_be_visible(timeout=10_000)
    wait_idle(page, timeout=10_000)
    expect(header).to_be_visible()
    # the selected regency is outlined (viz.style.SELECTED) by a trace of its own, drawn round its
    # larger islands only; its own path keeps the thin white edge, so its islets stay islands
    strokes = page.locator(f"{MAP} g.trace.choropleth path.choroplethlocation").evaluate_all(
        "els => els.map(e => getComputedStyle(e).stroke)"
    )
    assert strokes.count("rgb(194, 24, 91)") == 1, strokes
    where = page.evaluate(PATH_OF, MATARAM)
    own = (
        page.locator(f"{MAP} g.trace.choropleth")
        .nth(where[0])
        .locator("path.choroplethlocation")
        .nth(where[1])
    )
    assert own.evaluate("e => getComputedStyle(e).stroke") == "rgb(255, 255, 255)"


def drill_down_by_selectbox(page: Page, app_server, code: str) -> None:
    """Open the map page, choose a regency in the selectbox under the map."""
    from domain.regions import regency_name

    open_app(page, app_server)
    go_to(page, "map")
    wait_map(page, 10)
    name = regency_name(code)
    page.locator('.st-key-drill_select [role="combobox"]').click()
    page.get_by_role("option", name=name, exact=True).click()
    header = page.locator('[data-testid="stHeading"]').filter(
        has_text=t("mappage.drill_title", "id", regency=name)
    )
    expect(header).to_be_visible(timeout=30_000)
    wait_idle(page)
    expect(header).to_be_visible()
    expect(page.locator('.st-key-drill_select [role="combobox"]')).to_have_value(name)


# The drill-down's tiles over 20/11/2024-27/11/2024 (tests/fixture_db.py); voters: DPT 2024
# (data/reference/regencies.csv).
DRILL = {
    "52.08": {  # Lombok Utara, 185,461 voters
        "present": "960",  # F09 700 + F10 260
        "per_1000_voters": "5,2",  # 960 / 185461 * 1000 = 5.176
        "incidents": "3",  # I03, I04, I05
        "election_incidents": "1",  # I03
    },
    MATARAM: {  # 320,604 voters
        "present": "1.258",  # F11 1008 + F12 250: a thousands point
        "per_1000_voters": "3,9",  # 1258 / 320604 * 1000 = 3.924: a decimal comma
        "incidents": "2",  # I06, I07
        "election_incidents": "1",  # I06
    },
}


def test_map_drilldown_by_selectbox(known_page: Page, known_server):
    drill_down_by_selectbox(known_page, known_server, "52.08")
    for key, value in DRILL["52.08"].items():
        expect(metric(known_page, t(f"metric.{key}", "id")).last).to_have_text(value)


def test_map_drilldown_numbers_in_indonesian_format(known_page: Page, known_server):
    drill_down_by_selectbox(known_page, known_server, MATARAM)
    for key, value in DRILL[MATARAM].items():
        expect(metric(known_page, t(f"metric.{key}", "id")).last).to_have_text(value)


# --------------------------------------------------------------------------- screenshots

SIZES = ((1920, 1080), (390, 844))
READY = {  # what shows a page has finished drawing
    "overview": OVERVIEW_MAP,
    "map": REGIONS,
    "alerts": '[data-testid="stDataFrame"]',
    "timeline": '[data-testid="stPlotlyChart"]',
    "upload": '[data-testid="stFileUploader"]',
    "records": '[data-testid="stDataFrame"]',
    "about": '[data-testid="stDataFrame"]',
}
LAYOUT = """() => {
  const box = e => { if (!e) return null; const b = e.getBoundingClientRect();
                     return {left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width, height: b.height}; };
  const chart = document.querySelector('[data-testid="stPlotlyChart"]');
  return {
    viewport: {width: innerWidth, height: innerHeight},
    chart: box(chart),
    map_area: box(chart && chart.querySelector('.geolayer g.bg rect')),
    regions: box(chart && chart.querySelector('g.choroplethlayer')),
    legend: box(chart && chart.querySelector('g.legend')),
    colorbar: box(chart && chart.querySelector('g.colorbar')),
    sidebar_expanded: document.querySelector('[data-testid="stSidebar"]')?.getAttribute('aria-expanded'),
    main_scroll_width: document.querySelector('[data-testid="stMain"]')?.scrollWidth,
  };
}"""


def _shoot(page: Page, path, full_path=None) -> None:
    """The viewport as the user sees it; with full_path also the whole page (Streamlit scrolls inside
    stMain, so a Playwright full-page shot would only repeat the viewport: grow the window instead).
    Each shot once the page holds still (wait_still), not after a fixed pause."""
    wait_still(page)
    page.screenshot(path=str(path), animations="disabled")
    if full_path is None:
        return
    size = page.viewport_size
    main = page.locator('[data-testid="stMain"]')
    full = main.evaluate("e => e.scrollHeight")
    if full > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(full, 8000)})
        wait_still(page)
        page.screenshot(path=str(full_path), animations="disabled")
        page.set_viewport_size(size)
        wait_still(page)


def test_screenshots_every_page(page: Page, app_server, screenshot_dir):
    open_app(page, app_server)
    layout = {}
    for key in ("overview", "map", "alerts", "timeline", "upload", "records", "about"):
        width, height = SIZES[0]
        page.set_viewport_size({"width": width, "height": height})
        go_to(page, key)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.locator(READY[key]).first.wait_for(timeout=60_000)
            if key == "map":
                wait_map(page, 10)
                page.wait_for_function(f"""() => {{ const s = document.querySelector('{MAP} svg.main-svg');
                                                    return s && s.getBoundingClientRect().width <= {width}; }}""")
            wait_idle(page)
            page.locator('[data-testid="stMain"]').evaluate("e => e.scrollTo(0, 0)")
            assert_no_exception(page)
            if key == "map":
                wait_still(page)
                layout[f"{width}x{height}"] = page.evaluate(LAYOUT)
            _shoot(
                page,
                screenshot_dir / f"{key}_{width}x{height}.png",
                screenshot_dir / f"{key}_{width}x{height}_full.png",
            )
            assert_no_exception(page)
    (screenshot_dir / "map_layout.json").write_text(json.dumps(layout, indent=2))
    print("\nmap page layout:", json.dumps(layout))
    desk, phone = layout["1920x1080"], layout["390x844"]
    # desktop: the whole map with its colour bar and legend is on screen without scrolling
    assert desk["chart"]["bottom"] <= desk["viewport"]["height"], desk
    assert desk["legend"]["bottom"] <= desk["viewport"]["height"], desk
    # phone: nothing wider than the screen, and the legend under the map, not over it
    assert phone["chart"]["right"] <= phone["viewport"]["width"], phone
    assert phone["legend"]["top"] >= phone["map_area"]["bottom"] - 1, phone


CUT_TEXT = """() => [...document.querySelectorAll('.st-key-decisions [data-testid="stPageLink"]')]
  .map(link => [link.innerText, [...link.querySelectorAll('span, div, p')]
                                  .some(e => e.scrollWidth > e.clientWidth + 1)])"""


@pytest.mark.parametrize("width", [1440, 390])
def test_needs_a_decision_shows_each_line_whole(page: Page, app_server, width):
    """Streamlit cut a page link's label at the column's edge ("Election-sensitive incide" in
    English at 1440 px): the overview's alerts waiting for a decision wrap instead."""
    open_app(page, app_server)
    lang_option = page.locator('[data-testid="stSidebar"] [data-testid="stRadioOption"]')
    lang_option.filter(has_text="English").click()
    expect(page.locator("h1").first).to_have_text(t("overview.title", "en"))
    page.set_viewport_size({"width": width, "height": 900})
    wait_idle(page)
    links = page.evaluate(CUT_TEXT)
    assert len(links) == DECISION_LIMIT, links  # the demo has more open alerts than that
    assert [text for text, cut in links if cut] == []
    assert all(t("alerts.election_sensitive_incident", "en") in text for text, _ in links), links


PERIOD_FITS = """() => { const k = document.querySelector('.st-key-rec_period');
  const years = [...k.querySelectorAll('[data-type="year"]')];
  return {end_year: years.at(-1).getBoundingClientRect().right,
          icon: k.querySelector('svg').getBoundingClientRect().left}; }"""


def test_records_period_shows_both_dates_whole(page: Page, app_server):
    """At 1440 px the records page's period field had a fifth of the row: the calendar icon
    covered the end date's year ("28/02/202"). In Indonesian, then in English (one session)."""
    page.set_viewport_size({"width": 1440, "height": 900})
    open_app(page, app_server)
    go_to(page, "records")
    for lang in ("id", "en"):
        if lang == "en":
            lang_option = page.locator('[data-testid="stSidebar"] [data-testid="stRadioOption"]')
            lang_option.filter(has_text="English").click()
            expect(page.locator("h1").first).to_have_text(t("records.title", "en"))
        page.locator(".st-key-rec_period [data-type='year']").last.wait_for()
        wait_idle(page)
        fits = page.evaluate(PERIOD_FITS)
        assert fits["end_year"] <= fits["icon"], (lang, fits)
