"""Fixtures for attacks on the running app: a small seeded SQLite database, the real Streamlit
server started as `make run` starts it (`python -m ui.serve`, on a free 127.0.0.1 port), and a
real Debian nginx in front of it running the shipped deploy/nginx/ files verbatim (as the current
user, every path in a temporary directory, on another free port). Everything stays on loopback.

No nginx on this machine: the nginx tests are skipped with the reason; in CI (CI=true) they fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX_DIR = ROOT / "deploy" / "nginx"
STARTUP_TIMEOUT_S = 60
PSEUDONYM_KEY = "33" * 32  # throw-away: the database holds a few synthetic rows only
SEED_CSV = (
    "no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;no_paspor;jumlah_orang\n"
    "SEC1;15/11/2024;Lobar;NA;VOA;wisata;0012345;2\n"
    "SEC2;16/11/2024;KLU;AUS;ITAS;bekerja;B1234567;3\n"
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"no 'ok' from {base}/_stcore/health within {STARTUP_TIMEOUT_S} s:\n"
                f"{log.read_text(errors='replace')}"
            )
        time.sleep(0.25)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def rss_mib(pid: int) -> float:
    """Resident memory of a process now (VmRSS), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


@dataclass
class App:
    url: str  # http://127.0.0.1:<port>, Streamlit itself
    port: int
    pid: int
    db_url: str
    log: Path
    user: str  # an analyst (may upload)
    password: str
    viewer: str  # a viewer (may not upload)
    viewer_password: str


def app_env(db_url: str) -> dict:
    env = {
        **os.environ,
        "NTB_DB_URL": db_url,
        "NTB_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "MALLOC_ARENA_MAX": "2",
    }
    for name in ("NTB_MODE", "NTB_UPLOAD_BUDGET_MB"):  # the defaults are under test
        env.pop(name, None)
    return env


def serve_cmd(port: int) -> list[str]:
    """What `make run` runs, on another port."""
    return [
        sys.executable,
        "-m",
        "ui.serve",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
    ]


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> App:
    tmp = tmp_path_factory.mktemp("security")
    db_url = f"sqlite:///{tmp / 'sec.sqlite'}"
    env = app_env(db_url)
    seed = tmp / "seed.csv"
    seed.write_text(SEED_CSV)
    done = subprocess.run(
        [sys.executable, "-m", "loaders.ingest", "presence", str(seed), "--db", db_url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    from storage.engine import get_engine
    from storage.users import add_user

    accounts = {}
    for name, role in (("sec-analis", "analyst"), ("sec-pimpinan", "viewer")):
        accounts[name] = secrets.token_urlsafe(16)
        add_user(get_engine(db_url), name, accounts[name], role, actor="tests")
    get_engine(db_url).dispose()

    port = free_port()
    log = tmp / "streamlit.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            serve_cmd(port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log)
        yield App(
            base,
            port,
            proc.pid,
            db_url,
            log,
            "sec-analis",
            accounts["sec-analis"],
            "sec-pimpinan",
            accounts["sec-pimpinan"],
        )
    finally:
        stop(proc)


# --------------------------------------------------------------------------- nginx in front


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )
    if not found:
        msg = "nginx is not installed (`apt-get install nginx`, Debian's package): the reverse-proxy tests cannot run"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return found


def nginx_conf(tmp: Path, listen: int, upstream: int) -> str:
    """A whole nginx.conf around the shipped files: they are included as they are; only what a
    site decides (listen address, TLS, the backend's port) is written here, plain HTTP on loopback."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root the workers would become nobody
    temps = "\n".join(
        f"    {kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} notice;
events {{ worker_connections 256; }}
http {{
    access_log {tmp / "access.log"};
{temps}
    include {NGINX_DIR / "timpora-http.conf"};
    upstream timpora {{ server 127.0.0.1:{upstream}; }}
    server {{
        listen 127.0.0.1:{listen};
        include {NGINX_DIR / "timpora-app.conf"};
    }}
}}
"""


@dataclass
class Proxy:
    url: str
    port: int
    conf: Path
    error_log: Path


@pytest.fixture
def nginx(app, tmp_path) -> Proxy:
    """A fresh nginx per test (its rate-limit zones start empty), in front of the session's app."""
    binary = nginx_binary()
    tmp = tmp_path / "nginx"
    tmp.mkdir()
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(nginx_conf(tmp, port, app.port))
    checked = subprocess.run(
        [binary, "-t", "-c", str(conf), "-p", str(tmp)], capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen(
        [binary, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"nginx did not serve {base}: {(tmp / 'error.log').read_text(errors='replace') if (tmp / 'error.log').exists() else ''}"
                )
            time.sleep(0.1)
        yield Proxy(base, port, conf, tmp / "error.log")
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful stop of master and worker
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
