"""The first visitor of a freshly started server goes through the sign-in like everyone else.

Streamlit runs a fresh process's first session in its old `pages/`-folder mode until a script calls
st.navigation: /map ran pages/map.py directly, with no sign-in, and a link to a page of the app
(/peringatan?alert=1) showed "Page not found" over the sign-in form. `python -m ui.serve` (what
`make run` starts) switches that mode off before serving."""

from __future__ import annotations

import subprocess

import pytest

from tests.security.conftest import ROOT, app_env, free_port, serve_cmd, stop, wait_healthy
from ui.preload import KEY as PRELOAD

CHART = '[data-testid="stPlotlyChart"]'

pytestmark = pytest.mark.e2e


@pytest.fixture
def fresh_server(app, tmp_path):
    """A server of its own (the shared one has had sessions already), on the same database."""
    port = free_port()
    log = tmp_path / "streamlit.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            serve_cmd(port), cwd=ROOT, env=app_env(app.db_url), stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log)
        yield base
    finally:
        stop(proc)


@pytest.mark.parametrize(
    "path, exists",
    [
        (
            "peringatan?alert=1&from=2024-11-24&to=2024-11-26",
            True,
        ),  # a link to an alert: the app's URL
        ("peta", True),
        ("overview", True),  # the overview's own URL path (ui/nav.py)
        ("map", False),  # pages/map.py's file name, which the old mode served without the sign-in
        ("records", False),
    ],
)
def test_the_first_session_of_a_fresh_server_meets_the_sign_in(fresh_server, path, exists, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{fresh_server}/{path}")
        page.locator(".st-key-signin_user input").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)  # a dialog or a page's content would have come by now
        dialogs = page.locator('[role="dialog"]').all_inner_texts()
        # an app URL opens the sign-in form; a file name is no page of the app, and says so
        assert (
            dialogs == [] if exists else [d.startswith("Page not found") for d in dialogs] == [True]
        )
        assert page.locator('[data-testid="stMetric"]').count() == 0
        # the one chart is ui/preload.py's invisible, empty one (plotly.js loads while the user
        # types): inside its container, and without a point
        charts = page.locator('[data-testid="stPlotlyChart"]')
        assert charts.count() == page.locator(f".st-key-{PRELOAD} {CHART}").count() <= 1
        page.locator(f".st-key-{PRELOAD} {CHART} .main-svg").first.wait_for(state="attached")
        traces = page.evaluate(
            f"() => document.querySelector('.st-key-{PRELOAD} .js-plotly-plot').data"
            ".map(t => [t.type, t.x.length, t.y.length, t.text, t.hovertext])"
        )
        assert traces == [["scatter", 0, 0, None, None]], traces
        assert page.locator(".st-key-signin_user input").count() == 1
    finally:
        context.close()
