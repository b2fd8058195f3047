"""Issue 21 item 1: anyone could fill the server's memory through Streamlit's upload endpoint
(8 x 100 MB took it from 299 to 1,099 MiB). The attack again, on loopback, with exact outcomes:
directly against the Streamlit server (ui/uploads.py: sign-in required, a per-process budget)
and through the shipped nginx front (deploy/nginx/: body size, rate and connection limits)."""

from __future__ import annotations

import asyncio
import re
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.security.client import MiB, delete_file, open_session, put_file
from tests.security.conftest import rss_mib

FILE = 100 * MiB
FLOOD = 8
BUDGET = 400 * MiB  # the default: 2 x server.maxUploadSize (200 MiB)
MARGIN_MIB = 64  # beyond the budget: multipart parsing, the request objects, allocator slack


def _run(coro):
    """asyncio.run in a thread of its own: the session's browser (Playwright's sync API) keeps an
    event loop in this one, and asyncio.run refuses to start inside a running loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


METRICS_TTL_S = 5.0  # Streamlit computes the cache_memory_bytes metric at most every 5 s
_last_read: dict[str, float] = {}  # server URL -> when this process last read its metrics


def held_bytes(app) -> int:
    """Bytes in Streamlit's uploaded-file manager now, from its own metrics (loopback only).
    Streamlit keeps a computed value for METRICS_TTL_S after computing it; only this module
    reads the metrics, so a value older than that, or none, exists only if this process read
    it: wait out the rest of the window since the last read (not a timing assertion)."""
    if app.url in _last_read:
        time.sleep(max(0.0, _last_read[app.url] + METRICS_TTL_S + 0.5 - time.monotonic()))
    with urllib.request.urlopen(app.url + "/_stcore/metrics", timeout=10) as r:
        text = r.read().decode()
    _last_read[app.url] = time.monotonic()
    found = re.findall(
        r'^cache_memory_bytes\{cache_type="UploadedFileManager"[^}]*\} (\d+)', text, re.M
    )
    return sum(int(n) for n in found)


def hwm_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:"))


def flood(port: int, sid: str, xsrf: str, ids: list[str], size: int) -> list[int]:
    """All uploads at once, as the attacker sent them; statuses in the order of `ids`."""
    with ThreadPoolExecutor(len(ids)) as pool:
        return list(pool.map(lambda fid: put_file(port, sid, xsrf, size, fid), ids))


async def _in_session(app, user, password, work):
    """Run blocking `work(session)` while the session's websocket stays open (uploads need it)."""
    s = await open_session(app.url, user, password)
    try:
        return await asyncio.get_running_loop().run_in_executor(None, work, s)
    finally:
        await s.close()


def test_a_session_not_signed_in_cannot_upload(app):
    status = _run(
        _in_session(
            app,
            None,
            None,
            lambda s: put_file(app.port, s.session_id, s.cookies["_streamlit_xsrf"], 1024),
        )
    )
    assert status == 403


def test_a_viewer_cannot_upload(app):
    status = _run(
        _in_session(
            app,
            app.viewer,
            app.viewer_password,
            lambda s: put_file(app.port, s.session_id, s.cookies["_streamlit_xsrf"], 1024),
        )
    )
    assert status == 403


def test_flood_direct_to_streamlit_stops_at_the_budget(app):
    """8 x 100 MiB at once from a signed-in analyst: 3 fit the 400 MiB budget (each body is
    100 MiB plus its multipart framing), 5 are refused with 413 before their bodies are read."""

    def attack(s):
        xsrf = s.cookies["_streamlit_xsrf"]
        ids = [str(uuid.uuid4()) for _ in range(FLOOD)]
        before, t0 = rss_mib(app.pid), time.perf_counter()
        statuses = flood(app.port, s.session_id, xsrf, ids, FILE)
        seconds = time.perf_counter() - t0
        after, peak, held = rss_mib(app.pid), hwm_mib(app.pid), held_bytes(app)
        accepted = [fid for fid, st in zip(ids, statuses) if st == 204]
        deleted = [
            delete_file(app.port, s.session_id, xsrf, fid) for fid in accepted
        ]  # leave the budget free
        released = rss_mib(app.pid)
        print(
            f"\ndirect flood {FLOOD} x {FILE // MiB} MiB: {seconds:.1f} s; statuses {sorted(statuses)}; "
            f"server RSS {before:.0f} -> {after:.0f} MiB (peak {peak:.0f}), held {held / MiB:.0f} MiB; "
            f"after the attacker deleted its files {released:.0f} MiB"
        )
        return statuses, before, after, peak, held, deleted, held_bytes(app)

    statuses, before, after, peak, held, deleted, held_after = _run(
        _in_session(app, app.user, app.password, attack)
    )
    assert sorted(statuses) == [204] * 3 + [413] * 5
    assert held == 3 * FILE
    assert after - before <= BUDGET / MiB + MARGIN_MIB
    assert peak - before <= BUDGET / MiB + MARGIN_MIB
    assert deleted == [204] * 3 and held_after == 0


def test_upload_page_drops_the_file_once_read(app):
    """The page copies the file into the session and removes it from Streamlit's manager: an
    analyst's 5 MiB upload is not held twice."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    async def scenario():
        s = await open_session(app.url, app.user, app.password)
        try:
            s.page_script_hash = ""  # go by the page's URL path, as a browser opening /unggah
            _, status, _ = await s.rerun(page_name="unggah")
            assert status == "ok"
            uploader = s.find("file_uploader")
            assert len(uploader) == 1
            fid = str(uuid.uuid4())
            size = 5 * MiB
            put = await asyncio.get_running_loop().run_in_executor(
                None, put_file, app.port, s.session_id, s.cookies["_streamlit_xsrf"], size, fid
            )
            held_before = held_bytes(app)
            state = WidgetState(id=uploader[0][0])
            info = state.file_uploader_state_value.uploaded_file_info.add()
            info.file_id, info.name, info.size = fid, "banjir.csv", size
            s.page_script_hash = ""
            _, status, run = await s.rerun([state], page_name="unggah")
            assert [k for k, _ in run.widgets.values()].count(
                "file_uploader"
            ) == 1  # the upload page ran
            return put, held_before, status, held_bytes(app)
        finally:
            await s.close()

    put, held_before, status, held_after = _run(scenario())
    assert (put, held_before, status, held_after) == (204, 5 * MiB, "ok", 0)


def test_flood_through_nginx(app, nginx):
    """Through the shipped nginx: 8 x 100 MiB at once -> 2 reach the app (2 uploads at a time per
    address), 6 are answered 429 on their headers; a body over 201 MiB is refused with 413 before
    it is read, even past the rate limit."""
    port = int(nginx.url.rsplit(":", 1)[1])

    def attack(s):
        xsrf = s.cookies["_streamlit_xsrf"]
        ids = [str(uuid.uuid4()) for _ in range(FLOOD)]
        before, t0 = rss_mib(app.pid), time.perf_counter()
        statuses = flood(port, s.session_id, xsrf, ids, FILE)
        seconds = time.perf_counter() - t0
        after = rss_mib(app.pid)
        too_big = put_file(port, s.session_id, xsrf, 202 * MiB)
        for fid, st in zip(ids, statuses):
            if st == 204:
                delete_file(app.port, s.session_id, xsrf, fid)
        print(
            f"\nnginx flood {FLOOD} x {FILE // MiB} MiB: {seconds:.1f} s; statuses {sorted(statuses)}; "
            f"server RSS {before:.0f} -> {after:.0f} MiB; 202 MiB body: {too_big}"
        )
        return statuses, too_big

    statuses, too_big = _run(_in_session(app, app.user, app.password, attack))
    assert sorted(statuses) == [204] * 2 + [429] * 6
    assert too_big == 413
