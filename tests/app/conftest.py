import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> str:
    """The demo dataset loaded through the real import path into a fresh SQLite file."""
    d = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{d / 'demo.sqlite'}"
    # a twentieth of the published volumes (~30,000 presence rows; every planted case is kept)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "loaders.demo",
            "--db",
            url,
            "--out",
            str(d / "files"),
            "--scale",
            "0.05",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "NTB_PSEUDONYM_KEY": "11" * 32},
    )
    return url


@pytest.fixture(scope="session")
def known_db(tmp_path_factory) -> str:
    """The small hand-built database (tests/fixture_db.py): tests assert literals worked out from
    its rows. Tests that write copy it first (as the alert queue's tests copy the demo)."""
    from tests.fixture_db import build

    url = f"sqlite:///{tmp_path_factory.mktemp('known') / 'known.sqlite'}"
    build(url)
    return url


def sqlite_copy(url: str, path: Path) -> str:
    """A copy of a SQLite database made with SQLite's backup API, not as a file: what is still in
    its WAL is included, and opening and closing the file in this process would drop the locks
    other tests' connections hold on it (POSIX locks are per process), after which another process
    may remove its shared-memory index under them ("disk I/O error" in test_roles, seen twice)."""
    with (
        contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as src,
        contextlib.closing(sqlite3.connect(path)) as dst,
    ):
        src.backup(dst)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_copy(app, demo_db, tmp_path, monkeypatch) -> str:
    """A copy of the demo database for a test that writes, and the app pointed at it (after `app`
    pointed it at the shared one)."""
    url = sqlite_copy(demo_db, tmp_path / "demo-copy.sqlite")
    monkeypatch.setenv("NTB_DB_URL", url)
    return url


@pytest.fixture
def app(demo_db, monkeypatch):
    """AppTest factory: app(page, lang, role) -> an AppTest signed in with that role (None = signed out)."""
    return _factory(demo_db, monkeypatch)


@pytest.fixture
def known_app(known_db, monkeypatch):
    """As `app`, on the small hand-built database."""
    return _factory(known_db, monkeypatch)


def _factory(db_url: str, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NTB_DB_URL", db_url)

    def make(
        page: str | None = None,
        lang: str = "id",
        role: str | None = "analyst",
        last_seen: float | None = None,
    ):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.session_state["lang"] = lang
        if role:
            at.session_state["auth"] = {
                "name": f"test-{role}",
                "role": role,
                "method": "local",
                "last_seen": last_seen or time.time(),
            }
        if page:
            at.switch_page(page)
        return at

    return make
