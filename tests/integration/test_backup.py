"""Backup and restore on both engines restore identical row counts."""

import subprocess
import sys

import pytest
from sqlalchemy import text

from loaders.pipeline import import_file
from storage.engine import make_engine
from storage.schema import upgrade
from tests.conftest import ROOT
from tests.unit.test_import import presence_file
from tests.unit.test_import_in_parts import voters

TABLES = [
    "upload_batch",
    "batch_error",
    "presence",
    "incident",
    "crossing",
    "presence_daily",
    "voter_list",
    "voter_list_daily",
    "incident_daily",
    "crossing_daily",
    "audit_event",
    "app_user",
]


def counts(url):
    eng = make_engine(url)
    with eng.connect() as conn:
        out = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
    eng.dispose()
    return out


def cli(*args):
    r = subprocess.run(
        [sys.executable, "-m", "storage.backup", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    return r


@pytest.mark.parametrize(
    "engine_kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]
)
def test_backup_then_restore_gives_identical_counts(engine_kind, tmp_path, pg_database):
    if engine_kind == "sqlite":
        src, dst = f"sqlite:///{tmp_path / 'a.sqlite'}", f"sqlite:///{tmp_path / 'b.sqlite'}"
    else:
        src, dst = pg_database(), pg_database()
    eng = make_engine(src)
    upgrade(eng)
    import_file(eng, presence_file(300), "a.csv", "presence")
    import_file(eng, presence_file(300, changed={3, 5}), "b.csv", "presence")
    import_file(eng, voters(40), "dps.csv", "voters")  # on PostgreSQL a partition each (0022)
    import_file(eng, voters(25, day="12/08/2024"), "dpt.csv", "voters")
    eng.dispose()
    want = counts(src)
    assert want["presence"] == 302 and want["audit_event"] >= 4
    assert (want["voter_list"], want["voter_list_daily"]) == (65, 4)
    dump = tmp_path / ("backup.sqlite" if engine_kind == "sqlite" else "backup.dump")
    cli("backup", str(dump), "--db", src)
    if engine_kind == "postgresql":
        upgrade(make_engine(dst))  # restore --clean into an existing schema, as an operator would
    cli("restore", str(dump), "--db", dst)
    assert counts(dst) == want
