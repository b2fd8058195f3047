"""Load test (not a unit test): N real Streamlit sessions over the websocket protocol.

    python scripts/load_test.py [--sessions 20] [--rerun-concurrency 20] [--rerun-rounds 3]
                                [--ramp SECONDS] [--json]
    python scripts/load_test.py --url http://127.0.0.1:8501 --user NAME --password-env VAR [--server-pid PID]

By default it builds a throw-away demo database (python -m loaders.demo into a temporary SQLite
file), adds a viewer account `loadtest` with a random password, starts its own server
(`streamlit run dashboard.py` on a free 127.0.0.1 port, the repository's .streamlit/config.toml,
so XSRF protection is on), and stops it and deletes the temporary files at the end.
`--db URL` starts the server on an existing database instead (a temporary viewer account is
added there and disabled at the end unless --user is given); `--url` targets a running server.

Each session does what a browser tab does (see scripts/loadlib.py): GET /_stcore/health for the
XSRF cookie, open /_stcore/stream, send rerun_script, receive ForwardMsgs until script_finished.
Phases:
  1. warm-up: one session signs in and renders the overview (caches filled); it stays open.
  2. baseline: server RSS.
  3. N sessions arrive (all at once, or spread over --ramp seconds). Each measures
       first render   = ws open + first rerun_script -> script_finished of the sign-in page
       sign-in        = form submit (user, password, submit trigger) -> overview finished
                        (includes argon2 verification and the st.rerun to the overview)
       open->overview = the two together, i.e. what a person waits for the dashboard.
  4. idle: server RSS with N sessions connected; (after - before) / N = MiB per idle session.
  5. reruns: --rerun-concurrency of the open sessions change the overview's metric control at
     the same moment; time from send to script_finished, --rerun-rounds times.
Errors: failed connects, runs that did not finish successfully in --timeout, Exception elements
in any delta, st.error alerts on the page, a sign-in that did not land on the overview, dropped
websockets, and Traceback/"database is locked" lines in the started server's log.
Percentiles are nearest-rank (p95 of 20 samples is the 19th fastest).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadlib import Session, choice_state, text_state, trigger_state  # noqa: E402

MAX_SESSIONS = 500
OVERVIEW_METRIC_KEY = "overview_metric"


# --------------------------------------------------------------------------- measurements
def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "max": max(values) if values else None,
        "mean": statistics.fmean(values) if values else None,
    }


def rss_mib(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


async def settled_rss(pid: int | None, seconds: float = 3.0) -> float | None:
    """Median RSS over a few samples after letting the server go quiet."""
    if pid is None:
        return None
    samples = []
    for _ in range(int(seconds / 0.25)):
        await asyncio.sleep(0.25)
        v = rss_mib(pid)
        if v is not None:
            samples.append(v)
    return statistics.median(samples) if samples else None


async def wait_quiet(pid: int | None, max_s: float = 180.0) -> float:
    """Wait until the server has finished the work still queued (runs of sessions whose client
    gave up keep going on the server): < 5 % of a core over one second. Returns seconds waited."""
    t = time.perf_counter()
    if pid is None:
        await asyncio.sleep(2)
        return 2.0
    while time.perf_counter() - t < max_s:
        c0 = cpu_seconds(pid)
        await asyncio.sleep(1.0)
        c1 = cpu_seconds(pid)
        if c0 is None or c1 is None or c1 - c0 < 0.05:
            break
    return round(time.perf_counter() - t, 1)


class PeakSampler:
    def __init__(self, pid: int | None):
        self.pid, self.peak, self._task = pid, None, None

    async def _run(self):
        while True:
            v = rss_mib(self.pid)
            if v is not None:
                self.peak = v if self.peak is None else max(self.peak, v)
            await asyncio.sleep(0.1)

    def __enter__(self):
        if self.pid is not None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc):
        if self._task:
            self._task.cancel()


# --------------------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"server exited with code {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server at {base} not healthy after {timeout:.0f} s")


class Target:
    """The server under test: started here (and stopped here), or a running one."""

    def __init__(self, args):
        self.args = args
        self.tmp: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.log: Path | None = None
        self.pid: int | None = args.server_pid
        self.base = args.url.rstrip("/") if args.url else None
        self.user = args.user
        self.password = os.environ.get(args.password_env) if args.password_env else args.password
        self.db_url: str | None = args.db
        self.made_user: str | None = None
        self.setup_seconds: dict = {}

    def _env(self) -> dict:
        env = dict(os.environ)
        env.setdefault("NTB_PSEUDONYM_KEY", self._key)
        env.setdefault(
            "MALLOC_ARENA_MAX", "2"
        )  # as `make run` and the systemd unit in docs/operations.md
        env["NTB_DB_URL"] = self.db_url
        env.pop(
            "NTB_MODE", None
        )  # the demo database carries demo batches; production mode is not the subject
        return env

    def __enter__(self):
        try:
            return self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def _start(self):
        a = self.args
        self._key = secrets.token_hex(32)
        if not self.base or self.db_url:
            self.tmp = Path(tempfile.mkdtemp(prefix="ntb-load-"))
        if not self.base and not self.db_url:
            self.db_url = f"sqlite:///{self.tmp / 'demo.sqlite'}"
            t = time.perf_counter()
            say(a, f"building the demo database {self.db_url}")
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "loaders.demo",
                    "--db",
                    self.db_url,
                    "--out",
                    str(self.tmp / "demo"),
                ],
                cwd=ROOT,
                env=self._env(),
                check=True,
                stdout=subprocess.DEVNULL,
                timeout=600,
            )
            self.setup_seconds["demo_load"] = round(time.perf_counter() - t, 1)
        if self.db_url and not self.user:
            self._add_account()
        if not self.user or self.password is None:
            raise SystemExit(
                "with --url give --user and --password-env/--password (or --db URL to create an account there)"
            )
        if not self.base:
            port = free_port()
            self.base = f"http://127.0.0.1:{port}"
            self.log = self.tmp / "server.log"
            cmd = [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ]
            say(a, f"starting the server on {self.base}")
            t = time.perf_counter()
            self._log_fh = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=self._env(),
                stdout=self._log_fh,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            self.pid = self.proc.pid
            wait_healthy(self.base, self.proc, 90)
            self.setup_seconds["server_start"] = round(time.perf_counter() - t, 1)
        else:
            wait_healthy(self.base, None, 10)
        return self

    def _add_account(self):
        from storage.engine import get_engine
        from storage.schema import upgrade
        from storage.users import add_user

        engine = get_engine(self.db_url)
        upgrade(engine)
        self.user = "loadtest" if not self.args.db else f"loadtest-{secrets.token_hex(3)}"
        self.password = secrets.token_urlsafe(18)
        add_user(engine, self.user, self.password, "viewer", actor="load_test")
        self.made_user = self.user
        engine.dispose()

    def server_log_problems(self) -> dict:
        if not self.log or not self.log.exists():
            return {}
        text = re.sub(r"\x1b\[[0-9;]*m", "", self.log.read_text(errors="replace"))  # rich colours
        exited = self.proc.poll() if self.proc is not None else None
        return {
            "server_exited_during_test": exited,
            "log_tail": text.splitlines()[-5:] if exited is not None else None,
            "tracebacks": len(re.findall(r"Traceback\s*\(most recent call last\)", text)),
            "database_is_locked": len(
                re.findall(
                    r"OperationalError: \(sqlite3\.OperationalError\) database is locked", text
                )
            ),
            "pool_timeouts": len(
                re.findall(r"TimeoutError: QueuePool limit of size \d+ overflow \d+ reached", text)
            ),
            "error_lines": sum(
                1 for line in text.splitlines() if re.search(r"\b(ERROR|CRITICAL)\b", line)
            ),
        }

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "_log_fh", None):
            self._log_fh.close()
        if self.made_user and self.args.db:
            from storage.engine import get_engine
            from storage.users import set_active

            set_active(get_engine(self.db_url), self.made_user, False, actor="load_test")
        if self.tmp is not None:
            if self.args.keep:
                say(self.args, f"kept {self.tmp}")
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)


def say(args, text: str) -> None:
    if not args.json:
        print(text, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- one tab
class Tab:
    def __init__(self, base: str, user: str, password: str, timeout: float):
        self.s = Session(base, timeout=timeout)
        self.user, self.password = user, password
        self.errors: list[str] = []
        self.connect = self.first = self.signin = self.total = None
        self.metric_id: str | None = None
        self.metric_options: list[str] = []
        self.metric_at = 0

    def _check(self, what: str, status: str, run) -> bool:
        ok = status == "ok"
        if not ok:
            self.errors.append(
                f"{what}: {status}" + (f" ({self.s.closed_reason})" if status == "closed" else "")
            )
        for e in run.exceptions:
            self.errors.append(f"{what}: exception element: {e}")
        for e in run.error_alerts:
            self.errors.append(f"{what}: st.error: {e}")
        return ok and not run.exceptions and not run.error_alerts

    async def arrive(self) -> None:
        t0 = time.perf_counter()
        try:
            await self.s.open()
        except Exception as exc:
            self.errors.append(f"connect: {exc!r}")
            return
        self.connect = time.perf_counter() - t0
        dt, status, run = await self.s.rerun()
        if not self._check("first render", status, run):
            return
        self.first = time.perf_counter() - t0
        inputs = self.s.find("text_input")
        user = [w for w, p in inputs if p.type == p.DEFAULT]
        pw = [w for w, p in inputs if p.type == p.PASSWORD]
        submit = self.s.find("button", lambda p: p.is_form_submitter)
        if not (user and pw and submit):
            self.errors.append(
                "first render: no sign-in form (text inputs + form submit button) found"
            )
            return
        dt, status, run = await self.s.rerun(
            [
                text_state(user[0], self.user),
                text_state(pw[0], self.password),
                trigger_state(submit[0][0]),
            ]
        )
        if not self._check("sign-in", status, run):
            return
        metric = self.s.find("button_group", lambda p: p.id.endswith(OVERVIEW_METRIC_KEY))
        if not metric:
            self.errors.append("sign-in: did not land on the overview (no metric control)")
            return
        self.signin = dt
        self.total = time.perf_counter() - t0
        self.metric_id, proto = metric[0]
        self.metric_options = [o.content for o in proto.options]

    def adopt_late(self) -> bool:
        """A sign-in the client gave up on may still have landed on the overview later: such a
        session is open on the overview now and can take part in the rerun phase (its arrival
        stays counted as an error)."""
        if (
            self.metric_id is None
            and self.s.last_finished
            and not self.s.last_finished.exceptions
            and not self.s.pending
            and not self.s.closed_reason
        ):
            metric = self.s.find("button_group", lambda p: p.id.endswith(OVERVIEW_METRIC_KEY))
            if metric:
                self.metric_id, proto = metric[0]
                self.metric_options = [o.content for o in proto.options]
        return self.metric_id is not None

    async def change_metric(self) -> float | None:
        self.metric_at = (self.metric_at + 1) % len(self.metric_options)
        dt, status, run = await self.s.rerun(
            [choice_state(self.metric_id, self.metric_options[self.metric_at])]
        )
        return dt if self._check("rerun", status, run) else None


# --------------------------------------------------------------------------- the test
async def run_test(args, target: Target) -> dict:
    pid = target.pid
    report: dict = {"target": target.base, "sessions": args.sessions, "ramp_s": args.ramp}
    started_here = target.proc is not None

    say(args, "warm-up session")
    warm = Tab(target.base, target.user, target.password, args.timeout)
    await warm.arrive()
    if warm.total is None:
        raise SystemExit(f"warm-up failed: {warm.errors}")
    await warm.change_metric()
    await warm.change_metric()
    report["warmup_s"] = {
        "first_render": round(warm.first, 3),
        "open_to_overview": round(warm.total, 3),
    }

    rss_before = await settled_rss(pid)
    cpu0 = cpu_seconds(pid)
    say(
        args,
        f"baseline RSS {rss_before and round(rss_before)} MiB; {args.sessions} sessions arriving"
        + (f" over {args.ramp:g} s" if args.ramp else " at once"),
    )

    tabs = [
        Tab(target.base, target.user, target.password, args.timeout) for _ in range(args.sessions)
    ]

    async def arrive(i: int, tab: Tab):
        if args.ramp:
            await asyncio.sleep(args.ramp * i / args.sessions)
        await tab.arrive()

    t = time.perf_counter()
    with PeakSampler(pid) as peak:
        await asyncio.gather(*(arrive(i, tab) for i, tab in enumerate(tabs)))
    arrival_wall = time.perf_counter() - t
    cpu1 = cpu_seconds(pid)
    ok = [tab for tab in tabs if tab.total is not None]
    report["arrival"] = {
        "wall_s": round(arrival_wall, 2),
        "connect_s": summary(
            [tab.connect for tab in tabs if tab.connect is not None]
        ),  # health GET + websocket open
        "first_render_s": summary([tab.first for tab in tabs if tab.first is not None]),
        "signin_to_overview_s": summary([tab.signin for tab in ok]),
        "open_to_overview_s": summary([tab.total for tab in ok]),
        "sessions_on_overview": len(ok),
        "server_cpu_s": round(cpu1 - cpu0, 1) if cpu0 is not None and cpu1 is not None else None,
        "server_rss_peak_mib": round(peak.peak, 1) if peak.peak else None,
    }

    # Runs whose client gave up (timeout) go on in the server: wait for them, then for a quiet CPU.
    t = time.perf_counter()
    while (
        any(tab.s.pending and not tab.s.closed_reason for tab in tabs)
        and time.perf_counter() - t < 180
    ):
        await asyncio.sleep(0.5)
    late = [tab for tab in tabs if tab.total is None and tab.s.last_end > tab.s.last_sent > 0]
    # failed arrivals (timeout or exception): when their last run really ended on the server
    report["arrival"]["given_up_runs_finished_later"] = {
        "n": len(late),
        "with_exception": sum(
            1 for tab in late if tab.s.last_finished and tab.s.last_finished.exceptions
        ),
        "seconds": summary([tab.s.last_end - tab.s.last_sent for tab in late]),
        "still_running": sum(1 for tab in tabs if tab.s.pending and not tab.s.closed_reason),
    }
    report["arrival"]["server_busy_after_s"] = round(time.perf_counter() - t, 1) + await wait_quiet(
        pid
    )
    rss_after = await settled_rss(pid)
    report["memory"] = {
        "rss_before_mib": round(rss_before, 1) if rss_before else None,
        "rss_with_sessions_mib": round(rss_after, 1) if rss_after else None,
        "mib_per_idle_session": round((rss_after - rss_before) / args.sessions, 2)
        if rss_before and rss_after
        else None,
        "note": None if pid else "no server pid (--server-pid) given: memory not measured",
    }

    ready = [tab for tab in tabs if tab.adopt_late()]
    report["reruns_pool"] = {
        "on_overview": len(ready),
        "of_which_late_signins": len(ready) - len(ok),
    }
    rerun_times, rounds = [], []
    k = min(args.rerun_concurrency, len(ready))
    rng = random.Random(7)
    cpu2 = cpu_seconds(pid)
    for r in range(args.rerun_rounds if k else 0):
        chosen = rng.sample(ready, k)
        say(args, f"rerun round {r + 1}: {k} sessions at once")
        t = time.perf_counter()
        got = await asyncio.gather(*(tab.change_metric() for tab in chosen))
        wall = time.perf_counter() - t
        good = [g for g in got if g is not None]
        rerun_times += good
        rounds.append(
            {
                "ok": len(good),
                "wall_s": round(wall, 2),
                "max_s": round(max(good), 3) if good else None,
            }
        )
        await asyncio.sleep(1.0)
    cpu3 = cpu_seconds(pid)
    rerun_cpu = cpu3 - cpu2 if cpu2 is not None and cpu3 is not None else None
    report["reruns"] = {
        "concurrency": k,
        "rounds": rounds,
        "seconds": summary(rerun_times),
        "server_cpu_s": round(rerun_cpu, 1) if rerun_cpu is not None else None,
        "server_cpu_per_rerun_s": round(rerun_cpu / len(rerun_times), 3)
        if rerun_cpu is not None and rerun_times
        else None,
    }

    dropped = sum(1 for tab in tabs if tab.s.closed_reason)
    errors = [e for tab in tabs for e in tab.errors]
    log = target.server_log_problems() if started_here else None
    if log and log.get("server_exited_during_test") is not None:
        errors.append(f"server exited during the test with code {log['server_exited_during_test']}")
    await asyncio.gather(*(tab.s.close() for tab in tabs + [warm]), return_exceptions=True)
    await asyncio.sleep(0.5)
    kinds: dict = {}
    for e in errors:
        key = re.sub(r"\s+", " ", e)[:160]
        kinds[key] = kinds.get(key, 0) + 1
    report["errors"] = {
        "count": len(errors),
        "sessions_with_errors": sum(1 for tab in tabs if tab.errors),
        "dropped_websockets": dropped,
        "kinds": kinds,
        "server_log": log,
    }
    report["bytes_per_overview_render"] = (
        warm.s.last_finished.bytes if warm.s.last_finished else None
    )
    return report


def git_head() -> str | None:
    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
            or None
        )
    except (OSError, subprocess.SubprocessError):
        return None


def machine() -> dict:
    mem = Path("/proc/meminfo").read_text().splitlines()
    total = next((int(line.split()[1]) for line in mem if line.startswith("MemTotal:")), 0)
    load = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "mem_total_gib": round(total / 1024 / 1024, 1),
        "python": platform.python_version(),
        "loadavg_1m_before": round(load[0], 2),
    }


def fmt_s(x):
    return "—" if x is None else f"{x:.2f}"


def print_text(r: dict) -> None:
    a, m, rr, e = r["arrival"], r["memory"], r["reruns"], r["errors"]
    mach = r["machine"]
    print(
        f"target {r['target']}  ·  {mach['nproc']} CPUs, {mach['mem_total_gib']} GiB  ·  "
        f"load avg before/after {mach['loadavg_1m_before']}/{mach['loadavg_1m_after']}"
    )
    print(
        f"{r['sessions']} sessions arriving {'over {:g} s'.format(r['ramp_s']) if r['ramp_s'] else 'at once'}; "
        f"{a['sessions_on_overview']} reached the overview in {a['wall_s']} s "
        f"(server CPU {a['server_cpu_s']} s, peak RSS {a['server_rss_peak_mib']} MiB; "
        f"server still busy {a['server_busy_after_s']} s after)"
    )
    for name, key in (
        ("first render (sign-in page)", "first_render_s"),
        ("sign-in -> overview rendered", "signin_to_overview_s"),
        ("ws open -> overview rendered", "open_to_overview_s"),
    ):
        s = a[key]
        print(
            f"  {name:30} p50 {fmt_s(s['p50'])} s   p95 {fmt_s(s['p95'])} s   max {fmt_s(s['max'])} s   (n={s['n']})"
        )
    s = rr["seconds"]
    pool = r.get("reruns_pool") or {}
    if pool.get("of_which_late_signins"):
        print(
            f"  ({pool['on_overview']} sessions on the overview for the rerun phase, "
            f"{pool['of_which_late_signins']} of them signed in after the client's timeout)"
        )
    print(
        f"reruns, {rr['concurrency']} at once x {len(rr['rounds'])} rounds: p50 {fmt_s(s['p50'])} s   "
        f"p95 {fmt_s(s['p95'])} s   max {fmt_s(s['max'])} s   (n={s['n']}, server CPU {rr['server_cpu_s']} s"
        f" = {rr['server_cpu_per_rerun_s']} s per rerun)"
    )
    print(
        f"memory: RSS {m['rss_before_mib']} MiB before -> {m['rss_with_sessions_mib']} MiB with the sessions idle = "
        f"{m['mib_per_idle_session']} MiB per idle session"
        + (f" ({m['note']})" if m["note"] else "")
    )
    log = e["server_log"] or {}
    log_text = (
        (
            f"; server log: {log.get('tracebacks', 0)} tracebacks, {log.get('database_is_locked', 0)} 'database is "
            f"locked', {log.get('pool_timeouts', 0)} pool time-outs"
        )
        if log
        else ""
    )
    print(
        f"errors: {e['count']} in {e['sessions_with_errors']} sessions, dropped websockets {e['dropped_websockets']}"
        + log_text
    )
    late = a.get("given_up_runs_finished_later") or {}
    if late.get("n") or late.get("still_running"):
        print(
            f"  failed arrivals (timeout or exception, {late['n']}): their runs ended on the server after "
            f"p50 {fmt_s(late['seconds']['p50'])} s, max {fmt_s(late['seconds']['max'])} s; "
            f"{late['with_exception']} of them with an exception; {late['still_running']} still running"
        )
    if e["server_log"] and e["server_log"].get("server_exited_during_test") is not None:
        print(
            "  THE SERVER EXITED DURING THE TEST (code {}); last log lines:".format(
                e["server_log"]["server_exited_during_test"]
            )
        )
        for line in e["server_log"]["log_tail"]:
            print("   ", line)
    for k, n in sorted(e["kinds"].items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {n:4} x {k}")
    print(
        f"bytes per overview render: {r['bytes_per_overview_render']:,}; load-test client CPU {r['client_cpu_s']} s"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2],
    )
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--rerun-concurrency", type=int, default=20)
    ap.add_argument("--rerun-rounds", type=int, default=3)
    ap.add_argument(
        "--ramp",
        type=float,
        default=0.0,
        help="spread arrivals over this many seconds (default: all at once)",
    )
    ap.add_argument("--timeout", type=float, default=60.0, help="per connect / per script run (s)")
    ap.add_argument(
        "--max-seconds", type=float, default=900.0, help="hard limit for the whole test"
    )
    ap.add_argument("--url", help="a running server (default: start one)")
    ap.add_argument("--server-pid", type=int, help="pid of the server at --url, for memory figures")
    ap.add_argument(
        "--db", help="start the server on this database instead of a fresh demo SQLite file"
    )
    ap.add_argument("--user")
    ap.add_argument(
        "--password-env",
        help="name of the environment variable holding --user's password (preferred)",
    )
    ap.add_argument(
        "--password", help="--user's password (visible in the process list; prefer --password-env)"
    )
    ap.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (server log, demo database)"
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        ap.error(f"--sessions must be 1..{MAX_SESSIONS}")
    if (
        args.url
        and not args.url.startswith(("http://127.", "http://localhost", "http://[::1]"))
        and not os.environ.get("LOAD_TEST_REMOTE_OK")
    ):
        ap.error(
            "--url must be a loopback address (set LOAD_TEST_REMOTE_OK=1 to load-test another host on purpose)"
        )
    if bool(args.user) != bool(args.password_env or args.password):
        ap.error("--user goes with --password-env or --password")

    mach = machine()
    with Target(args) as target:
        report = asyncio.run(asyncio.wait_for(run_test(args, target), args.max_seconds))
        report["setup_s"] = target.setup_seconds
    report["machine"] = mach
    report["git_head"] = git_head()
    mach["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    report["client_cpu_s"] = round(ru.ru_utime + ru.ru_stime, 1)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_text(report)
    return 1 if report["errors"]["count"] else 0


if __name__ == "__main__":
    sys.exit(main())
