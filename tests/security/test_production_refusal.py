"""Issue 21 item 9: production mode refused only inside the page (the process kept serving and
/_stcore/health said ok), and the import command printed a traceback and exited 1, the code for
"some rows rejected". Now `make run`'s server (python -m ui.serve) refuses before it listens, and
the import command exits 2 with one line."""

from __future__ import annotations

import socket
import subprocess
import sys

from i18n import t
from storage.engine import get_engine
from storage.schema import upgrade
from storage.users import add_user
from tests.security.conftest import PSEUDONYM_KEY, ROOT, free_port, serve_cmd, stop, wait_healthy

MISSING_KEY = (
    "NTB_MODE=production: refusing to start: NTB_PSEUDONYM_KEY is not set. In production the "
    "pseudonymisation key must come from the environment or Streamlit secrets (pseudonym_key); "
    "see README 'Personal data'."
)
DEMO_ACCOUNTS = (
    "NTB_MODE=production: refusing to start: Demo accounts exist. Disable them "
    "(python -m ui.users disable NAME) before production."
)


def production_env(tmp_path, db_url: str, key: str | None) -> dict:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),  # no ~/.streamlit/secrets.toml
        "NTB_MODE": "production",
        "NTB_DB_URL": db_url,
    }
    if key:
        env["NTB_PSEUDONYM_KEY"] = key
    return env


def nothing_listens(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def run_server(tmp_path, env) -> tuple[subprocess.CompletedProcess, int]:
    port = free_port()
    done = subprocess.run(
        serve_cmd(port), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    return done, port


def test_server_without_the_key_does_not_start(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    done, port = run_server(tmp_path, production_env(tmp_path, db_url, None))
    assert (done.returncode, done.stderr.splitlines(), done.stdout) == (2, [MISSING_KEY], "")
    assert nothing_listens(port)


def test_server_with_demo_accounts_does_not_start(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    engine = get_engine(db_url)
    upgrade(engine)
    add_user(engine, "analis", "demo", "analyst", actor="tests", is_demo=True)
    engine.dispose()
    done, port = run_server(tmp_path, production_env(tmp_path, db_url, PSEUDONYM_KEY))
    assert (done.returncode, done.stderr.splitlines(), done.stdout) == (2, [DEMO_ACCOUNTS], "")
    assert nothing_listens(port)


def test_server_in_good_order_serves(tmp_path):
    """The refusal is not a refusal of production itself: key set, no demo accounts -> health ok."""
    db_url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            serve_cmd(port),
            cwd=ROOT,
            env=production_env(tmp_path, db_url, PSEUDONYM_KEY),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, log)
    finally:
        stop(proc)


def test_import_without_the_key_exits_2_with_one_line(tmp_path):
    csv = tmp_path / "kiriman.csv"
    csv.write_text(
        "no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;no_paspor\n"
        "P1;15/11/2024;Lobar;AUS;VOA;wisata;A1234567\n"
    )
    db = tmp_path / "i.sqlite"
    env = production_env(tmp_path, f"sqlite:///{db}", None)
    for lang in ("id", "en"):
        done = subprocess.run(
            [sys.executable, "-m", "loaders.ingest", "presence", str(csv), "--lang", lang],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        expected = t("errors.production_no_key", lang, env="NTB_PSEUDONYM_KEY")
        assert (done.returncode, done.stderr.splitlines(), done.stdout) == (2, [expected], "")
    assert not db.exists()  # nothing was opened, let alone written
    assert t("errors.production_no_key", "en", env="NTB_PSEUDONYM_KEY") == (
        "NTB_MODE=production: NTB_PSEUDONYM_KEY is not set; nothing imported (the pseudonymisation key must "
        "come from the environment or Streamlit secrets)."
    )
