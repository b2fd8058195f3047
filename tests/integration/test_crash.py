"""Kill the importer with SIGKILL in the middle of a commit: after restart the database passes
its integrity check and the batch is wholly absent (SQLite and PostgreSQL)."""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from loaders.pipeline import import_file
from storage.engine import make_engine
from storage.models import Presence, PresenceDaily, UploadBatch
from storage.schema import upgrade
from tests.conftest import ROOT
from tests.integration.test_concurrency import big_file


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def crash_url(request, tmp_path, pg_database):
    return f"sqlite:///{tmp_path / 'crash.sqlite'}" if request.param == "sqlite" else pg_database()


def test_kill_9_mid_commit_leaves_all_or_nothing(crash_url, tmp_path):
    engine = make_engine(crash_url)
    upgrade(engine)
    first = import_file(engine, big_file("A")[:200_000], "first.csv", "presence", mode="partial")
    before = first.rows_imported
    engine.dispose()
    src = tmp_path / "second.csv"
    src.write_bytes(big_file("B"))
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests/integration/crash_importer.py"),
            crash_url,
            str(src),
            str(marker),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.time() + 240
    while not marker.exists() and child.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the importer never reached the middle of its commit"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)

    engine = make_engine(crash_url)  # "restart"
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        rows = conn.scalar(select(func.count()).select_from(Presence))
        batches = conn.scalar(select(func.count()).select_from(UploadBatch))
        rolled = conn.scalar(select(func.sum(PresenceDaily.reports)))
    assert (rows, batches, rolled) == (before, 1, before)
    # and the database still takes the same file afterwards
    again = import_file(engine, src.read_bytes(), src.name, "presence")
    assert again.rows_imported == 50_000
    engine.dispose()
