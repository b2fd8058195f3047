"""What the journeys share: signing in, waiting for Streamlit, reading nav links, metrics, tables
and the map out of the DOM (Streamlit 1.67's data-testids; pinned in requirements.txt)."""

from __future__ import annotations

import io
import re
from collections import Counter
from contextlib import contextmanager

import numpy as np
from PIL import Image
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from i18n import catalogue, t

EXCEPTION = '[data-testid="stException"]'
APP = '[data-testid="stApp"]'
# What Streamlit shows in an element's place while the code that draws it is still being loaded
SKELETON = '[data-testid="stSkeleton"]'
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


# Installed in every browser context before the app's own scripts (track_runs): counts the
# script runs the page asks for (BackMsg.rerun_script, field 11) and marks them answered when a
# run ends for good (ForwardMsg.script_finished, field 6, with any status but
# FINISHED_EARLY_FOR_RERUN = 2: a run that st.rerun() or a newer request cut short is followed by
# another). Streamlit's protobuf messages are read here field by field, top level only.
RUN_TRACKER = """(() => {
  if (window.__ntbRuns) return;
  const runs = (window.__ntbRuns = { requested: 0, answered: 0 });
  const fields = (data) => {
    const b = new Uint8Array(data); const out = []; let i = 0;
    const varint = () => { let v = 0, s = 0, c;
      do { c = b[i++]; v += (c & 0x7f) * 2 ** s; s += 7; } while (c & 0x80 && i < b.length);
      return v; };
    while (i < b.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) out.push([field, varint()]);
      else if (wire === 2) { const n = varint(); out.push([field, null]); i += n; }
      else if (wire === 1 || wire === 5) { out.push([field, null]); i += wire === 1 ? 8 : 4; }
      else break;
    }
    return out;
  };
  const Native = window.WebSocket;
  const send = Native.prototype.send;
  Native.prototype.send = function (data) {
    if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
      const bytes = ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data;
      if (fields(bytes).some(([f]) => f === 11)) runs.requested += 1;
    }
    return send.call(this, data);
  };
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (!(e.data instanceof ArrayBuffer)) return;
        for (const [f, v] of fields(e.data)) if (f === 6 && v !== 2) runs.answered = runs.requested;
      });
    }
  };
})();"""


def track_runs(context) -> None:
    """Let wait_idle see the app's script runs in every page of this browser context."""
    context.add_init_script(RUN_TRACKER)


def wait_idle(page: Page, timeout: float = 60_000) -> None:
    """Until every script run the page asked for has ended for good (not cut short for a rerun)
    and Streamlit shows no run going, connected, and no element still waiting for its code (a
    widget's first appearance loads its script chunk: the sign-in form came ~0.2 s after the run
    that drew it). A run not yet asked for (an action whose request is sent a moment later,
    e.g. an upload) is not seen: wrap such actions in `rerun(page)`."""
    page.wait_for_function(
        f"""() => {{ const r = window.__ntbRuns, a = document.querySelector('{APP}');
                    if (!r) throw new Error('no run tracker in this page: track_runs(context)');
                    return r.answered === r.requested && r.requested > 0 && a
                           && a.dataset.testScriptState === 'notRunning'
                           && a.dataset.testConnectionState === 'CONNECTED'
                           && !document.querySelector('{SKELETON}'); }}""",
        timeout=timeout,
    )


# Until the page holds still: no CSS animation or transition running (Streamlit's fade-ins) and
# the main area, every chart and every picture at the same place and size for 5 frames in a row.
HOLDS_STILL = """async () => {
  const frame = () => new Promise(r => requestAnimationFrame(r));
  const moving = () => document.getAnimations().some(a => a.playState === 'running'
      && a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  const boxes = () => JSON.stringify([...document.querySelectorAll(
      '[data-testid="stMain"], [data-testid="stPlotlyChart"] svg.main-svg, [data-testid="stApp"] img')]
      .map(e => { const b = e.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; }));
  let last = null, still = 0;
  for (let n = 0; still < 5; n++) {
    if (n > 600) throw new Error('the page kept moving for 600 frames');
    await frame();
    const now = boxes();
    still = now === last && !moving() ? still + 1 : 0;
    last = now;
  }
}"""


def wait_still(page: Page) -> None:
    """Until the page holds still (HOLDS_STILL): before measuring where things are drawn or
    taking a picture; a finished script run can still be followed by a chart's resize."""
    page.evaluate(HOLDS_STILL)


@contextmanager
def rerun(page: Page, timeout: float = 60_000):
    """Around an action that makes the app run again (a widget changed, a file uploaded): after
    it, wait until the page has asked for a new run and that run is over."""
    before = page.evaluate("() => window.__ntbRuns.requested")
    yield
    page.wait_for_function("n => window.__ntbRuns.requested > n", arg=before, timeout=timeout)
    wait_idle(page, timeout)


def choose_radio(page: Page, text: str) -> None:
    """Choose the radio option labelled `text` and wait for the run that choice asks for (none when it
    was already the one chosen: clicking it again changes nothing)."""
    option = page.locator('[data-testid="stRadioOption"]').filter(has_text=text)
    if option.locator("input").is_checked():
        return
    with rerun(page):
        option.click()
    expect(option.locator("input")).to_be_checked()


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
