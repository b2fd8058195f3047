"""What the journeys share: signing in, waiting for Streamlit, reading nav links, metrics, tables
and the map out of the DOM (Streamlit 1.67's data-testids; pinned in requirements.txt)."""

from __future__ import annotations

import io
import re
from collections import Counter

import numpy as np
from PIL import Image
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from i18n import catalogue, t

EXCEPTION = '[data-testid="stException"]'
APP = '[data-testid="stApp"]'
NAV_LINK = '[data-testid="stSidebarNavLink"]'
MAP = '[data-testid="stPlotlyChart"]'
# The office-area outlines are the last choropleth trace (viz/maps.py draws them above the regencies);
# a chosen regency's outline is a transparent choropleth just before them.
REGIONS = f'{MAP} g.trace.choropleth:not(:last-child) path.choroplethlocation:not([fill="rgba(0, 0, 0, 0)"])'
OFFICE_OUTLINES = f"{MAP} g.trace.choropleth:last-child path.choroplethlocation"
# The overview's map is a picture drawn on the server (viz.briefing.overview_png), not plotly.
OVERVIEW_MAP = '[data-testid="stImage"] img'
METRIC = '[data-testid="stMetric"]'
METRIC_LABEL = '[data-testid="stMetricLabel"]'
METRIC_VALUE = '[data-testid="stMetricValue"]'
SIGN_IN_USER = ".st-key-signin_user input"
SIGN_IN_PASSWORD = ".st-key-signin_password input"
PAGE_TITLES = {
    "overview": "overview.title",
    "map": "map.title",
    "alerts": "alertpage.title",
    "timeline": "timeline.title",
    "upload": "uploadpage.title",
    "records": "records.title",
    "about": "about.title",
}


def assert_no_exception(page: Page) -> None:
    boxes = page.locator(EXCEPTION)
    visible = [boxes.nth(i).inner_text() for i in range(boxes.count()) if boxes.nth(i).is_visible()]
    assert not visible, f"Streamlit exception on screen ({page.url}): {visible}"


def fmt_id(n: int) -> str:
    """33392 -> '33.392' (Indonesian thousands separator), written independently of the app's helper."""
    return f"{n:,}".replace(",", ".")


def wait_idle(page: Page, timeout: float = 60_000) -> None:
    """Until the script run is over (checked twice, a moment apart, so a rerun that is about to
    start is not mistaken for the end of the last one)."""
    js = f"""() => {{ const a = document.querySelector('{APP}');
                     return a && a.dataset.testScriptState === 'notRunning'
                              && a.dataset.testConnectionState === 'CONNECTED'; }}"""
    for _ in range(2):
        page.wait_for_function(js, timeout=timeout)
        page.wait_for_timeout(250)
    page.wait_for_function(js, timeout=timeout)


def open_app(page: Page, app, path: str = "") -> None:
    """Open the app (a new session) and sign in as the e2e analyst when the app asks for it."""
    page.goto(f"{app.url}/{path.lstrip('/')}")
    # Before the first run Streamlit shows a placeholder nav: wait for a page title instead, then
    # for the sign-in form or the signed-in nav itself (the sign-in page's title can be drawn
    # before its form: on a loaded machine the form was then taken as absent and never filled).
    page.locator(f"h1, {SIGN_IN_USER}").first.wait_for(timeout=60_000)
    wait_idle(page)
    page.locator(f'{SIGN_IN_USER}, [data-testid="stSidebarNav"]').first.wait_for(timeout=60_000)
    if page.locator(SIGN_IN_USER).count():
        assert app.user, (
            "the app asks for a sign-in but no local account could be created (storage.users)"
        )
        sign_in(page, app)
    page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=60_000)
    wait_idle(page)


# The signed-in app: its page list, or on a phone the button that opens it (the list is then in
# the page but hidden: wait for whichever is visible, not for the first in the page).
SIGNED_IN = (
    '[data-testid="stSidebarNav"], [data-testid="stSidebarCollapsedControl"], '
    '[data-testid="stExpandSidebarButton"]'
)


def sign_in(page: Page, app, user: str | None = None, password: str | None = None) -> None:
    """Fill and send the sign-in form (as `app`'s analyst unless another account is given); once
    more when the form is still there 20 s later. Two clean-clone CI runs with three workers each
    lost one sign-in (no attempt reached the server, no failure recorded): with the browser's main
    thread busy compiling plotly.js (the sign-in page's preload) the click can reach the form
    before the typed values do."""
    for attempt in range(2):
        page.locator(SIGN_IN_USER).fill(user or app.user)
        page.locator(SIGN_IN_PASSWORD).fill(password or app.password)
        page.locator('[data-testid="stFormSubmitButton"] button').click()
        try:
            page.locator(SIGNED_IN).filter(visible=True).first.wait_for(
                timeout=20_000 if attempt == 0 else 60_000
            )
            return
        except PlaywrightTimeout:
            if attempt or not page.locator(SIGN_IN_USER).count():
                raise


def nav_labels(page: Page) -> list[str]:
    """The sidebar page links' labels (without the material icon's ligature text)."""
    return page.locator(NAV_LINK).evaluate_all(
        "els => els.map(e => e.innerText.split('\\n').map(s => s.trim()).filter(Boolean).pop())"
    )


def nav_keys(page: Page, lang: str) -> list[str]:
    """The i18n keys (nav.*) of the links on screen, read in `lang`."""
    reverse = {v: k for k, v in catalogue(lang).items() if k.startswith("nav.")}
    labels = nav_labels(page)
    unknown = [s for s in labels if s not in reverse]
    assert not unknown, f"nav labels not in the {lang} catalogue: {unknown} (all: {labels})"
    return [reverse[s] for s in labels]


def go_to(page: Page, page_key: str, lang: str = "id") -> None:
    """Click the sidebar link to a page (same session) and wait for its title."""
    page.locator(NAV_LINK).filter(has_text=t(f"nav.{page_key}", lang)).first.click()
    title = t(PAGE_TITLES[page_key], lang).split("{")[
        0
    ]  # titles with a {name} match by their start
    expect(page.locator("h1").first).to_contain_text(title, timeout=60_000)
    wait_idle(page)


def metric(page: Page, label: str) -> Locator:
    """The value of the metric tile whose label is exactly `label`."""
    tile = page.locator(METRIC).filter(
        has=page.locator(METRIC_LABEL, has_text=re.compile(f"^{re.escape(label)}$"))
    )
    return tile.locator(METRIC_VALUE)


def wait_map(page: Page, n: int = 10) -> Locator:
    page.locator(REGIONS).first.wait_for(timeout=60_000)
    regions = page.locator(REGIONS)
    expect(regions).to_have_count(n)
    return regions


def dataframe_with_header(page: Page, header: str) -> Locator:
    """The st.dataframe whose column headers include `header` (glide grid: read its ARIA table)."""
    return page.locator('[data-testid="stDataFrame"]').filter(
        has=page.locator('[role="columnheader"]', has_text=re.compile(f"^{re.escape(header)}$"))
    )


def dataframe_rows(frame: Locator) -> list[list[str]]:
    """Body rows of a glide data grid as cell texts (only the rows rendered, i.e. in view)."""
    return frame.evaluate("""el => [...el.querySelectorAll('[role="row"]')]
        .map(r => [...r.querySelectorAll('[role="gridcell"]')].map(c => c.innerText.trim()))
        .filter(r => r.length)""")


def overview_map(page: Page) -> np.ndarray:
    """The overview's map picture as the browser shows it, once loaded: its PNG's RGB pixels."""
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }",
        arg=OVERVIEW_MAP,
        timeout=60_000,
    )
    got = page.request.get(page.locator(OVERVIEW_MAP).first.evaluate("i => i.src"))
    assert got.status == 200 and got.headers["content-type"] == "image/png", got.headers
    return np.asarray(Image.open(io.BytesIO(got.body())).convert("RGB")).astype(int)


def overview_fills(pixels: np.ndarray, codes) -> dict[str, tuple[int, int, int]]:
    """The fill of each regency in the overview's picture: the commonest colour within 20 px of
    its interior point (where an incident marker or the name's halo may sit on the point itself)."""
    from viz.briefing import interior_points, overview_pixel

    out = {}
    for code in codes:
        col, row = (int(round(v)) for v in overview_pixel(*interior_points()[code]))
        patch = pixels[row - 20 : row + 21, col - 20 : col + 21].reshape(-1, 3)
        out[code] = Counter(map(tuple, patch.tolist())).most_common(1)[0][0]
    return out
