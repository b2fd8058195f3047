"""A headless Streamlit browser client for load tests: speaks the same websocket protocol as the
Streamlit frontend (Streamlit 1.67, Starlette/uvicorn server), so the app script really runs.

Handshake, as the frontend does it and as streamlit/web/server/starlette/starlette_websocket.py
checks it:
  1. GET /_stcore/health -> 200 "ok" and a `_streamlit_xsrf` cookie ("2|mask|token|timestamp").
  2. Open ws://HOST:PORT/_stcore/stream with `Sec-WebSocket-Protocol: streamlit, <xsrf cookie
     value>[, <session id to resume>]`, the cookie, and a same-origin `Origin` header. The server
     rejects (1008) a disallowed Origin/Host, selects the first entry ("streamlit"), and uses the
     second only to trust the signed st.login cookie; the connection itself is accepted without it.
  3. Nothing runs until the client sends a BackMsg `rerun_script` carrying a ClientState
     (query_string, page_script_hash, page_name, widget_states, context_info).
  4. The server streams ForwardMsgs: new_session (start of every full run, with the page hash),
     navigation, deltas (elements; widgets carry their `id`), script_finished (status) and
     session_status_changed.

Every widget interaction is another `rerun_script` with the widget's new state; a form's values
travel only with its submit button's trigger.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlparse

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

FINISHED = {
    ForwardMsg.FINISHED_SUCCESSFULLY: "ok",
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile_error",
    ForwardMsg.FINISHED_EARLY_FOR_RERUN: "early_for_rerun",
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "fragment_ok",
}


class ProtocolError(RuntimeError):
    pass


@dataclass
class Run:
    """What one full script run drew."""

    page_script_hash: str = ""
    widgets: dict = field(default_factory=dict)  # id -> (kind, proto)
    exceptions: list = field(default_factory=list)
    error_alerts: list = field(default_factory=list)
    elements: int = 0
    bytes: int = 0


# The health GETs of all tabs at once: asyncio's default pool has min(32, CPUs + 4) threads, which
# made a crowd of tabs queue behind each other in this client before reaching the server.
_HTTP = ThreadPoolExecutor(max_workers=512, thread_name_prefix="health")


def _health_cookies(base: str, timeout: float) -> dict[str, str]:
    """GET /_stcore/health as the frontend does before every (re)connect; returns the cookies it
    set: `_streamlit_xsrf`, and whatever a proxy in front adds (e.g. a stickiness cookie)."""
    jar: dict[str, str] = {}
    with urllib.request.urlopen(base + "/_stcore/health", timeout=timeout) as resp:
        if resp.status != 200:
            raise ProtocolError(f"health: HTTP {resp.status}")
        for header in resp.headers.get_all("Set-Cookie") or []:
            c = SimpleCookie()
            c.load(header)
            jar.update({k: m.value for k, m in c.items()})
    return jar


class Session:
    """One browser tab. Use `await s.open()`, then `await s.rerun(...)`, then `await s.close()`."""

    def __init__(self, base_url: str, timeout: float = 60.0, context: ContextInfo | None = None):
        self.base = base_url.rstrip("/")
        u = urlparse(self.base)
        self.ws_url = (
            "wss" if u.scheme == "https" else "ws"
        ) + f"://{u.netloc}{u.path}/_stcore/stream"
        self.timeout = timeout
        self.context = context or ContextInfo(
            timezone="Asia/Makassar",
            timezone_offset=-480,
            locale="id-ID",
            url=self.base + "/",
            is_embedded=False,
            color_scheme="light",
        )
        self.ws = None
        self.cookies: dict[str, str] = {}
        self.page_script_hash = ""
        self.run = Run()  # the current (or last) full run
        self.last_finished: Run | None = None
        self.exceptions = 0  # Exception elements seen over the session's life
        self.page_not_found = 0
        self.bytes_in = 0
        self._finished: asyncio.Queue = asyncio.Queue()
        self._reader: asyncio.Task | None = None
        self.closed_reason: str | None = None
        self.pending = False  # a rerun was sent and its run has not ended yet
        self.last_sent = self.last_end = 0.0  # perf_counter of the last rerun sent / run ended

    async def open(self) -> None:
        self.cookies.update(
            await asyncio.get_running_loop().run_in_executor(
                _HTTP, _health_cookies, self.base, self.timeout
            )
        )
        xsrf = self.cookies.get("_streamlit_xsrf")
        protocols = ["streamlit"] + ([xsrf] if xsrf else [])
        headers = {"Origin": self.base}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.ws = await asyncio.wait_for(
            ws_connect(
                self.ws_url,
                subprotocols=protocols,
                additional_headers=headers,
                max_size=None,
                open_timeout=self.timeout,
                ping_interval=None,
            ),
            self.timeout,
        )
        if self.ws.subprotocol != "streamlit":
            raise ProtocolError(f"server selected subprotocol {self.ws.subprotocol!r}")
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 10)
            except (TimeoutError, asyncio.CancelledError):
                self._reader.cancel()

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                self.bytes_in += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg, len(data))
        except ConnectionClosed as exc:
            self.closed_reason = f"closed {exc.rcvd.code if exc.rcvd else ''} {exc.rcvd.reason if exc.rcvd else ''}".strip()
        except Exception as exc:  # a parse error is a protocol problem: surface it to waiters
            self.closed_reason = f"reader: {exc!r}"
        finally:
            self.closed_reason = self.closed_reason or "closed"
            self._finished.put_nowait(None)

    def _handle(self, msg: ForwardMsg, size: int) -> None:
        kind = msg.WhichOneof("type")
        self.run.bytes += size
        if kind == "new_session":
            self.run = Run(page_script_hash=msg.new_session.page_script_hash)
            self.page_script_hash = msg.new_session.page_script_hash
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            self.run.elements += 1
            ek = el.WhichOneof("type")
            if ek == "exception":
                self.run.exceptions.append(f"{el.exception.type}: {el.exception.message}"[:300])
                self.exceptions += 1
            elif ek == "alert" and el.alert.format == el.alert.ERROR:
                self.run.error_alerts.append(el.alert.body[:300])
            else:
                proto = getattr(el, ek) if ek else None
                wid = (
                    getattr(proto, "id", "")
                    if proto is not None and "id" in proto.DESCRIPTOR.fields_by_name
                    else ""
                )
                if wid:
                    self.run.widgets[wid] = (ek, proto)
        elif kind == "page_not_found":
            self.page_not_found += 1
        elif kind == "script_finished":
            status = FINISHED.get(msg.script_finished, str(msg.script_finished))
            if status != "early_for_rerun":
                self.last_finished = self.run
                self.pending = False
                self.last_end = time.perf_counter()
            self._finished.put_nowait(status)

    async def rerun(
        self,
        widgets: list[WidgetState] | None = None,
        *,
        query_string: str = "",
        page_name: str = "",
    ) -> tuple[float, str, Run]:
        """Send rerun_script and wait for the run to end (st.rerun inside it continues the wait).
        Returns (seconds, status, run). status: ok | compile_error | closed | timeout."""
        while not self._finished.empty():  # stale ends of earlier runs
            self._finished.get_nowait()
        back = BackMsg()
        cs = back.rerun_script
        cs.query_string = query_string
        cs.page_script_hash = self.page_script_hash
        cs.page_name = page_name
        cs.context_info.CopyFrom(self.context)
        for w in widgets or []:
            cs.widget_states.widgets.append(w)
        t0 = self.last_sent = time.perf_counter()
        self.pending = True
        try:
            await self.ws.send(back.SerializeToString())
        except ConnectionClosed as exc:
            self.closed_reason = (
                self.closed_reason or f"closed {exc.rcvd.code if exc.rcvd else ''}".strip()
            )
            return time.perf_counter() - t0, "closed", self.run
        deadline = t0 + self.timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                return time.perf_counter() - t0, "timeout", self.run
            try:
                status = await asyncio.wait_for(self._finished.get(), left)
            except TimeoutError:
                return time.perf_counter() - t0, "timeout", self.run
            if status is None:
                return time.perf_counter() - t0, "closed", self.run
            if status == "early_for_rerun":
                continue
            return time.perf_counter() - t0, status, self.last_finished or self.run

    # --- widgets of the last finished run ---------------------------------------------------
    def find(self, kind: str, pred=lambda p: True):
        run = self.last_finished or self.run
        return [(wid, p) for wid, (k, p) in run.widgets.items() if k == kind and pred(p)]


def text_state(wid: str, value: str) -> WidgetState:
    return WidgetState(id=wid, string_value=value)


def trigger_state(wid: str) -> WidgetState:
    return WidgetState(id=wid, trigger_value=True)


def choice_state(wid: str, formatted: str) -> WidgetState:
    w = WidgetState(id=wid)
    w.string_array_value.data.append(formatted)
    return w
