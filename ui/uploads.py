"""Bounds on what uploads can hold in the server's memory.

Streamlit keeps every file PUT to /_stcore/upload_file/<session>/<id> in memory until its session
ends, with no total cap, and a session id plus the XSRF cookie are free to any visitor. So:

- only a session whose user is signed in with a role that may upload can PUT a file (403
  otherwise): the app script notes each session's right on every run (`note_session`), and the
  right ends with the idle sign-out time;
- all uploads held or arriving in this process share one budget (NTB_UPLOAD_BUDGET_MB, default
  2 × server.maxUploadSize): an upload that would pass it is refused with 413 before its body is
  read (its Content-Length is reserved; a body without one reserves the largest allowed);
- the upload page drops a file from Streamlit's manager as soon as it has copied it (`release`).

`install()` wraps Streamlit's upload route; it must run before the server builds its routes, so
`python -m ui.serve` (what `make run` starts) calls it first.
"""

from __future__ import annotations

import logging
import os
import threading
import time

BUDGET_ENV = "NTB_UPLOAD_BUDGET_MB"
# Streamlit's own allowance for the multipart framing around a file (boundary, part headers).
MULTIPART_OVERHEAD = 1024 * 1024

log = logging.getLogger("ntb.uploads")

_lock = threading.Lock()
_reserved = 0  # bytes of uploads being received now
_may_upload: dict[str, float] = {}  # session id -> time until which it may upload
_installed = False


def budget_bytes() -> int:
    from streamlit import config

    mb = os.environ.get(BUDGET_ENV) or 2 * int(config.get_option("server.maxUploadSize"))
    return int(mb) * 1024 * 1024


def note_session(allowed: bool, idle_seconds: int) -> None:
    """Called by the app script on each run of a session: may this session upload, and for how
    long without another run (the idle sign-out time)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    now = time.time()
    with _lock:
        for sid in [s for s, until in _may_upload.items() if until < now]:  # stale: ended or idle
            del _may_upload[sid]
        if allowed:
            _may_upload[ctx.session_id] = now + idle_seconds
        else:
            _may_upload.pop(ctx.session_id, None)


def release(uploaded) -> None:
    """Drop an uploaded file from Streamlit's manager once the app holds its bytes."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return
    Runtime.instance().uploaded_file_mgr.remove_file(ctx.session_id, uploaded.file_id)


def _held(manager) -> int:
    # MemoryUploadedFileManager's running total (Streamlit is pinned; see requirements.txt).
    return int(getattr(manager, "_total_bytes", 0))


def _guard(put, manager, budget: int, largest: int):
    from starlette.responses import PlainTextResponse

    async def guarded_put(request):
        global _reserved
        sid = request.path_params.get("session_id", "")
        with _lock:
            allowed = _may_upload.get(sid, 0) >= time.time()
        if not allowed:
            return PlainTextResponse("Sign in with a role that may upload first.", status_code=403)
        try:
            need = int(request.headers.get("content-length") or largest)
        except ValueError:
            need = largest
        with _lock:
            fits = _held(manager) + _reserved + need <= budget
            if fits:
                _reserved += need
        if not fits:
            log.warning(
                "upload refused: the server's upload budget (%d MiB) is used up", budget >> 20
            )
            return PlainTextResponse(
                "The server's upload budget is used up; try again later.", status_code=413
            )
        try:
            return await put(request)
        finally:
            with _lock:
                _reserved -= need

    return guarded_put


def install() -> None:
    """Wrap the PUT route Streamlit builds for uploads (idempotent)."""
    global _installed
    if _installed:
        return
    from starlette.routing import Route
    from streamlit import config
    from streamlit.web.server.starlette import starlette_app

    original = starlette_app.create_upload_routes

    def create_upload_routes(runtime, upload_mgr, base_url):
        largest = int(config.get_option("server.maxUploadSize")) * 1024 * 1024 + MULTIPART_OVERHEAD
        return [
            Route(r.path, _guard(r.endpoint, upload_mgr, budget_bytes(), largest), methods=["PUT"])
            if "PUT" in (r.methods or ())
            else r
            for r in original(runtime, upload_mgr, base_url)
        ]

    starlette_app.create_upload_routes = create_upload_routes
    _installed = True
