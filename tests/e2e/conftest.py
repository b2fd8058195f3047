"""Real-browser fixtures: one seeded SQLite database and one Streamlit server per session, Debian's
chromium driven by Playwright, and a page whose every request outside the app is blocked and
recorded (the app must work offline: no CDN, no tile server, no font download).

Run alone with `pytest -m e2e`. Screenshots go to screenshots/ at the repo root (git-ignored).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import assert_no_exception, track_runs

ROOT = Path(__file__).resolve().parents[2]
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402,F401  (the one browser: tests/conftest.py)

SCREENSHOTS = ROOT / "screenshots"
STARTUP_TIMEOUT_S = 60
PSEUDONYM_KEY = "22" * 32  # a throw-away key: the e2e database holds demo data only


# --------------------------------------------------------------------------- database + server


@dataclass
class App:
    url: str  # http://127.0.0.1:<port>
    db_url: str  # sqlite:///<tmp>/e2e.sqlite
    log: Path  # the server's stdout+stderr
    user: str | None = None  # a local analyst account, when the app has a sign-in gate
    password: str | None = None

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc

    def engine(self):
        from storage.engine import get_engine

        return get_engine(self.db_url)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _analyst_account(db_url: str) -> tuple[str | None, str | None]:
    """An analyst account (may upload) when the app has local accounts; (None, None) otherwise."""
    try:
        from storage.users import add_user
    except ImportError:  # no local accounts in this version of the app: no sign-in gate
        return None, None
    from storage.engine import get_engine

    name, password = "e2e-analis", secrets.token_urlsafe(16)
    add_user(get_engine(db_url), name, password, "analyst", actor="e2e")
    return name, password


def _serve(tmp: Path, db_url: str, env: dict):
    """Generator: serve dashboard.py on a free port over `db_url` (as `make run` starts it) with
    an analyst account; yield the App, stop the server afterwards."""
    user, password = _analyst_account(db_url)
    port = _free_port()
    log = tmp / "streamlit.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ui.serve",
                "--server.port",
                str(port),  # as `make run` starts it
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"streamlit exited with {proc.returncode}:\n{log.read_text(errors='replace')}"
                )
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit did not answer /_stcore/health within {STARTUP_TIMEOUT_S} s:\n"
                    f"{log.read_text(errors='replace')}"
                )
            time.sleep(0.25)
        yield App(base, db_url, log, user, password)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _server_env(db_url: str) -> dict:
    env = {**os.environ, "NTB_DB_URL": db_url, "NTB_PSEUDONYM_KEY": PSEUDONYM_KEY}
    env.pop("NTB_MODE", None)
    return env


def _demo_database(tmp_path_factory, env: dict) -> Path:
    """The demo data seeded once per run into a SQLite file (a twentieth of the published
    volumes; the planted cases kept): pytest-xdist workers share the run's base directory, and
    the first to get here seeds while the others wait (a worker's own copy is what it serves)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's directory, above each worker's own
    seeded = shared / "e2e_demo.sqlite"
    with open(shared / "e2e_demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not seeded.exists():
            work = Path(tempfile.mkdtemp(prefix="e2e_seed_", dir=shared))
            seed = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "loaders.demo",
                    "--db",
                    f"sqlite:///{work / 'e2e.sqlite'}",
                    "--out",
                    str(work / "demo"),
                    "--scale",
                    "0.05",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert seed.returncode == 0, f"demo seeding failed:\n{seed.stdout}\n{seed.stderr}"
            # the seeding process closed its last connection: the WAL is in the file, copied alone
            assert not (work / "e2e.sqlite-wal").exists(), (
                "the seeded database's WAL was not checkpointed"
            )
            os.replace(work / "e2e.sqlite", seeded)
    return seeded


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> App:
    """A copy of the seeded demo database served by dashboard.py on a free port (one per worker).
    Tests upload into it: assert no figure of it that another test's upload could change."""
    tmp = tmp_path_factory.mktemp("e2e")
    db_url = f"sqlite:///{tmp / 'e2e.sqlite'}"
    env = _server_env(db_url)
    shutil.copyfile(_demo_database(tmp_path_factory, env), tmp / "e2e.sqlite")
    yield from _serve(tmp, db_url, env)


@pytest.fixture(scope="session")
def known_server(tmp_path_factory) -> App:
    """The small hand-built database (tests/fixture_db.py) served the same way: its figures are
    known, so tests assert literals. Nothing is uploaded into it (only accounts are added)."""
    from tests.fixture_db import build

    tmp = tmp_path_factory.mktemp("e2e_known")
    db_url = f"sqlite:///{tmp / 'known.sqlite'}"
    build(db_url)
    yield from _serve(tmp, db_url, _server_env(db_url))


# --------------------------------------------------------------------------- browser + page


@pytest.fixture
def page(browser, app_server, request):
    """A fresh browser context (so a fresh Streamlit session) at 1920×1080 on the demo server.
    Requests to the app's host:port go through; anything else is aborted and recorded, and the
    test fails if there was any. The test also fails if an exception box is on screen or the
    server logged a traceback."""
    yield from _page(browser, app_server, request)


@pytest.fixture
def known_page(browser, known_server, request):
    """As `page`, on the server of the small hand-built database (known_server)."""
    yield from _page(browser, known_server, request)


def _page(browser, app_server, request):
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080},
        locale="id-ID",
        timezone_id="Asia/Makassar",
        service_workers="block",
    )
    blocked: list[str] = []

    def route(r):
        url = r.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc == app_server.netloc:
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    context.route("**/*", route)
    track_runs(context)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    page_errors: list[str] = []
    pg.on("pageerror", lambda e: page_errors.append(str(e)))
    # Known plotly.js race, not ours: a geo chart whose async init is still running when the page
    # switches (and Streamlit unmounts it) reads the purged figure's context. Nothing is shown to
    # the user; every other page error fails the test.
    known = ("Cannot read properties of undefined (reading '_scrollZoom')",)
    log_start = app_server.log.stat().st_size
    yield pg
    try:
        problems = []
        if not request.node.stash.get(_FAILED, False) and not pg.is_closed():
            try:
                assert_no_exception(pg)
            except AssertionError as exc:
                problems.append(str(exc))
        if blocked:
            problems.append(
                f"the app asked for resources outside {app_server.netloc} (it must work offline): {blocked}"
            )
        with open(app_server.log, "rb") as f:
            f.seek(log_start)
            new_log = f.read().decode(errors="replace")
        if "Traceback" in new_log:
            problems.append(f"the server logged an exception during the test:\n{new_log[-4000:]}")
        page_errors = [e for e in page_errors if e not in known]
        if page_errors:
            problems.append(f"uncaught JavaScript errors in the page: {page_errors}")
        if problems:
            print("\n".join(problems), file=sys.stderr)
        assert not problems, "\n".join(problems)
    finally:
        context.close()


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    if rep.when == "call" and (rep.failed or hasattr(rep, "wasxfail")):
        item.stash[_FAILED] = True
    return rep


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
