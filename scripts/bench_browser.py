"""Browser benchmark: the speed a person feels (prints figures; never asserted in tests).

    python scripts/bench_browser.py [--repeat 5] [--scale 1] [--presence-rows 1000000] [--db URL] [--json]

Seeds a fresh SQLite database with the demo data (`loaders.demo --scale`, and with
`--presence-rows N` N more presence rows from scripts/bench_ingest.make_file), adds an analyst,
serves the app as `make run` does (`python -m ui.serve`), and drives Debian's chromium with
Playwright (every request outside the app aborted, as in tests/e2e/conftest.py). Each repeat is a
new browser context (a new Streamlit session) at 1440x900 and times:

  sign-in      click "Masuk" -> the overview drawn (its map, a picture, loaded)
  page switch  overview -> map page (sidebar link) -> the map drawn
  period       on the map page, a new start day typed into the period field -> rerun drawn
  phase        on the map page, a phase chosen in the open "phase_pick" list -> rerun drawn (the
               list is opened first, untimed, as the day is typed before the period step)

Every round types the same start day (15) and picks the same phase, so after the warm-up the
server answers those two steps from its caches (shared between sessions), as it would for the
second person to look at a period. With `--cold` each round types another start day (10, 11, ...)
and picks another shortcut (the first, second, ... in the list), so nothing the period and phase
steps ask for was computed before: the first person to look at a period.

"Drawn" = the last plotly redraw (plotly_afterplot), image load or websocket message after the action, once
the app is idle and nothing has come for 1.5 s (that wait is not counted; the next step starts on
a settled page). Times are taken by the page's clock, from the person's press: the `mousedown`
that Playwright's click dispatches. Playwright spends 30-60 ms before that press finding the
element and waiting until it is visible and stable for two frames; a person's click has no such
wait, so it is not counted (column "driver": earlier rounds of this benchmark counted it, and
their figures are that much higher). For each step it also records the bytes the
server sent over the websocket (Streamlit's deltas: figure JSON, tables), the map geometry,
images and JavaScript fetched over HTTP, how long the browser drew after the last message
(plotly, an image) and how many times plotly drew a chart (plotly_afterplot). Prints medians and maxima.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PY = sys.executable
KEY = "44" * 32  # throw-away pseudonym key: the benchmark database holds synthetic data only
APP = '[data-testid="stApp"]'
REGIONS = '[data-testid="stPlotlyChart"] path.choroplethlocation'
OVERVIEW_MAP = '[data-testid="stImage"] img'  # the overview's map: a picture drawn on the server

# Installed before any page script: records, by the page's own clock (performance.now()), every
# websocket message from the server (time, bytes: Streamlit's deltas and script_finished) and
# every plotly redraw (plotly_afterplot) and image load.
PROBE = """
window.__bench = {msgs: [], plots: [], imgs: [], presses: []};
document.addEventListener('mousedown', e => window.__bench.presses.push(e.timeStamp), true);
document.addEventListener('load', e => e.target.tagName === 'IMG' && window.__bench.imgs.push(performance.now()), true);
const NativeWS = window.WebSocket;
window.WebSocket = function (...args) {
  const ws = new NativeWS(...args);
  ws.addEventListener('message', e => window.__bench.msgs.push(
      [performance.now(), e.data.byteLength ?? e.data.size ?? e.data.length ?? 0]));
  return ws;
};
window.WebSocket.prototype = NativeWS.prototype;
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
new MutationObserver(() => document.querySelectorAll('.js-plotly-plot').forEach(gd => {
  if (gd.__benchHooked || !gd.on) return;
  gd.__benchHooked = true;
  gd.on('plotly_afterplot', () => window.__bench.plots.push(performance.now()));
})).observe(document, {subtree: true, childList: true});
"""

# Drawn: the server has sent something since t0, the app is idle, the awaited element is there,
# and neither a message nor a redraw has come for QUIET ms (that wait is not counted).
QUIET = 1500
DONE = """([t0, sel]) => {
  const b = window.__bench, app = document.querySelector('%s');
  if (!app || app.dataset.testScriptState === 'running' || app.dataset.testConnectionState !== 'CONNECTED') return false;
  const msgs = b.msgs.filter(m => m[0] > t0);
  const el = sel && document.querySelector(sel);
  if (!msgs.length || (sel && (!el || (el.tagName === 'IMG' && !(el.complete && el.naturalWidth))))) return false;
  const lastMsg = msgs[msgs.length - 1][0],
        last = Math.max(lastMsg, ...b.plots.filter(t => t > t0), ...b.imgs.filter(t => t > t0));
  const press = b.presses.find(t => t > t0);
  return performance.now() - last > %d ? {finished: lastMsg, plotted: last, pressed: press ?? t0,
                                          draws: b.plots.filter(t => t > t0).length,
                                          bytes: msgs.reduce((n, m) => n + m[1], 0)} : false;
}""" % (APP, QUIET)  # noqa: UP031 - braces are JavaScript's


# --------------------------------------------------------------------------- data + server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(db_url: str, folder: Path, scale: float, presence_rows: int) -> dict:
    env = {**os.environ, "NTB_PSEUDONYM_KEY": KEY}
    t0 = time.perf_counter()
    subprocess.run(
        [
            PY,
            "-m",
            "loaders.demo",
            "--db",
            db_url,
            "--out",
            str(folder / "demo"),
            "--scale",
            str(scale),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    out = {"seed_s": round(time.perf_counter() - t0, 1)}
    if presence_rows:
        os.environ["NTB_PSEUDONYM_KEY"] = KEY
        from bench_ingest import bench_limits, make_file

        from loaders.pipeline import import_file
        from storage.engine import get_engine

        path = folder / "presence_extra.csv"
        make_file(path, presence_rows, first_day="2024-06-01")
        r = import_file(
            get_engine(db_url), path.read_bytes(), path.name, "presence", limits=bench_limits()
        )
        assert r.rows_imported == presence_rows, r.summary("en")
        out["extra_presence_rows"] = presence_rows
    return out


def presence_rows(db_url: str) -> int:
    from sqlalchemy import text

    from storage.engine import get_engine

    with get_engine(db_url).connect() as c:
        return c.execute(text("select count(*) from presence")).scalar_one()


def add_analyst(db_url: str) -> tuple[str, str]:
    from storage.engine import get_engine
    from storage.users import add_user

    name, password = f"bench-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    add_user(get_engine(db_url), name, password, "analyst", actor="bench")
    return name, password


def serve(db_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "NTB_DB_URL": db_url, "NTB_PSEUDONYM_KEY": KEY, "MALLOC_ARENA_MAX": "2"}
    env.pop("NTB_MODE", None)
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "ui.serve",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(log, "wb"),  # noqa: SIM115 - the server's log, open as long as it runs
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(
                f"the app exited with {proc.returncode}:\n{log.read_text(errors='replace')}"
            )
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, base
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise SystemExit(f"the app did not answer within 90 s:\n{log.read_text(errors='replace')}")


# --------------------------------------------------------------------------- browser steps


class Meter:
    """Bytes fetched over HTTP since `mark()`: map geometry (/app/static/geo/), images (Streamlit's
    /media/) and JavaScript."""

    def __init__(self, page):
        self.geo = self.js = self.img = 0
        page.on("response", self._response)

    def _response(self, resp):
        from playwright.sync_api import Error as PlaywrightError

        url = resp.url
        kind = (
            "geo"
            if "/app/static/geo/" in url
            else "img"
            if "/media/" in url
            else "js"
            if url.endswith(".js")
            else None
        )
        if kind:
            with contextlib.suppress(
                PlaywrightError
            ):  # a body gone with a closed page counts for nothing
                setattr(self, kind, getattr(self, kind) + len(resp.body()))

    def mark(self) -> tuple[int, int, int]:
        return self.geo, self.js, self.img


def step(page, meter: Meter, action, selector: str | None = None) -> dict:
    """Run `action` and wait until its rerun is drawn; times by the page's clock."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    geo0, js0, img0 = meter.mark()
    for attempt in range(
        3
    ):  # a click that lands while plotly redraws can be lost: try again, timed afresh
        t0 = page.evaluate("performance.now()")
        action()
        try:
            page.wait_for_function(
                "t0 => window.__bench.msgs.some(m => m[0] > t0)", arg=t0, timeout=5_000
            )
            break
        except PlaywrightTimeout:
            print(f"no rerun started (attempt {attempt + 1}); again", file=sys.stderr)
            page.keyboard.press("Escape")
    try:
        done = page.wait_for_function(
            DONE, arg=[t0, selector], timeout=60_000, polling="raf"
        ).json_value()
    except Exception:
        page.screenshot(path="/tmp/bench_browser_timeout.png")
        print(
            "timed out:",
            page.evaluate("""() => ({b: window.__bench, now: performance.now(),
              state: document.querySelector('[data-testid="stApp"]').dataset})"""),
            t0,
            file=sys.stderr,
        )
        raise
    page.wait_for_timeout(300)  # late frames still count towards the bytes
    return {
        "s": (done["plotted"] - done["pressed"]) / 1000,
        "script_s": (done["finished"] - done["pressed"]) / 1000,
        "driver_s": (done["pressed"] - t0) / 1000,
        "redraw_s": (done["plotted"] - done["finished"]) / 1000,
        "draws": done["draws"],
        "ws_kb": done["bytes"] / 1024,
        "geo_kb": (meter.geo - geo0) / 1024,
        "js_kb": (meter.js - js0) / 1024,
        "img_kb": (meter.img - img0) / 1024,
    }


def one_round(
    browser, base: str, user: str, password: str, phase_label: str, cold: int | None = None
) -> dict:
    """One session. `cold` = the round's number: a start day and a shortcut of its own."""
    netloc = urlsplit(base).netloc
    ctx = browser.new_context(
        viewport={"width": 1440, "height": 900},
        locale="id-ID",
        timezone_id="Asia/Makassar",
        service_workers="block",
    )
    blocked = []

    def route(r):
        parts = urlsplit(r.request.url)
        if parts.netloc == netloc:
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    ctx.route("**/*", route)
    ctx.add_init_script(PROBE)
    page = ctx.new_page()
    meter = Meter(page)
    out = {}
    try:
        page.goto(base)
        page.locator(".st-key-signin_user input").wait_for(timeout=60_000)
        # The sign-in page preloads plotly.js (ui/preload.py) while a person types their name and
        # password (seconds): the rounds start once it has drawn, as a person's sign-in would.
        page.locator(".st-key-chart_preload .main-svg").first.wait_for(
            state="attached", timeout=60_000
        )
        page.wait_for_function(DONE, arg=[0, None], timeout=60_000)
        page.locator(".st-key-signin_user input").fill(user)
        page.locator(".st-key-signin_password input").fill(password)
        out["sign-in"] = step(
            page,
            meter,
            lambda: page.locator('[data-testid="stFormSubmitButton"] button').click(),
            OVERVIEW_MAP,
        )
        out["page switch"] = step(
            page,
            meter,
            lambda: (
                page.locator('[data-testid="stSidebarNavLink"]')
                .filter(has_text=re.compile("^.*Peta"))
                .first.click()
            ),
            REGIONS,
        )

        day = "15" if cold is None else f"{10 + cold:02d}"

        def new_start_day():
            field = page.locator('.st-key-period [data-type="day"]').first
            for _ in range(
                5
            ):  # a click while the sidebar redraws can miss the field: type until it shows
                field.click()
                page.keyboard.type(day)
                page.keyboard.press("Tab")
                if field.inner_text().strip() == day:
                    return
            raise SystemExit("could not type a new start day into the period field")

        # Typing alone commits nothing; leaving the field does: time from the blur.
        new_start_day()
        out["period"] = step(page, meter, lambda: page.locator("h1").first.click(), REGIONS)

        options = page.locator('[role="option"]')
        if cold is None:
            option = options.filter(has_text=re.compile("^" + re.escape(phase_label))).first
        else:  # option 0 is the placeholder ("choose a phase"), no shortcut
            option = options.nth(cold + 1)

        def open_phases():
            page.locator('.st-key-phase_pick input[role="combobox"]').click()
            option.wait_for()

        def phase():
            if not option.is_visible():  # a retry: the list closed
                open_phases()
            option.click()

        # Opening the list is the person's own step (as typing the day is for the period):
        # time from choosing the phase.
        open_phases()
        out["phase"] = step(page, meter, phase, REGIONS)
    finally:
        ctx.close()
    if blocked:
        raise SystemExit(f"the app asked for outside resources: {blocked}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--scale", type=float, default=1.0, help="demo scale (1 = the published volumes)"
    )
    ap.add_argument(
        "--presence-rows", type=int, default=0, help="add N synthetic presence rows (e.g. 1000000)"
    )
    ap.add_argument(
        "--db", help="use this existing database instead of seeding one (SQLAlchemy URL)"
    )
    ap.add_argument("--phase", default="Masa tenang", help="the phase shortcut's label (its start)")
    ap.add_argument(
        "--cold",
        action="store_true",
        help="a new start day and another phase in every round (nothing cached for them)",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db_url, info = args.db, {}
        if not db_url:
            db_url = f"sqlite:///{tmp / 'bench.sqlite'}"
            info = seed(db_url, tmp, args.scale, args.presence_rows)
        info["presence_rows"] = presence_rows(db_url)
        user, password = add_analyst(db_url)
        proc, base = serve(db_url, tmp / "app.log")
        rounds, load = [], [os.getloadavg()[0]]
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                cold = (lambda i: i) if args.cold else (lambda i: None)
                # warm-up: caches, first imports
                one_round(browser, base, user, password, args.phase, cold(0))
                for i in range(1, args.repeat + 1):
                    rounds.append(one_round(browser, base, user, password, args.phase, cold(i)))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=15)
            load.append(os.getloadavg()[0])

    summary = {}
    for name in rounds[0]:
        col = {k: [r[name][k] for r in rounds] for k in rounds[0][name]}
        summary[name] = {
            f"{k}_{agg.__name__}": round(agg(v), 3)
            for k, v in col.items()
            for agg in (statistics.median, max)
        }
    if args.json:
        print(
            json.dumps(
                {**info, "repeat": args.repeat, "load": load, "steps": summary, "rounds": rounds},
                indent=1,
            )
        )
        return
    print(
        f"presence rows {info['presence_rows']:,}; {args.repeat} rounds after one warm-up"
        f"{' (cold: a new period and phase each round)' if args.cold else ''}; seconds, KiB; "
        f"load average {load[0]:.1f} -> {load[1]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"{'step':12} {'median':>7} {'max':>6} {'server':>7} {'redraw':>7} {'draws':>6} {'driver':>7} {'ws KiB':>8} {'geo KiB':>8} {'JS KiB':>8} {'img KiB':>8}"
    )
    for name, s in summary.items():
        print(
            f"{name:12} {s['s_median']:7.2f} {s['s_max']:6.2f} {s['script_s_median']:7.2f} "
            f"{s['redraw_s_median']:7.2f} {s['draws_median']:6.0f} {s['driver_s_median']:7.2f} {s['ws_kb_median']:8.0f} {s['geo_kb_median']:8.0f} {s['js_kb_median']:8.0f} {s['img_kb_median']:8.0f}"
        )


if __name__ == "__main__":
    main()
