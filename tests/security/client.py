"""What an attacker (or a browser) does, on loopback: open a real Streamlit session over the
websocket protocol (scripts/loadlib.py, the load test's client), sign in or not, and PUT files to
the upload endpoint as the frontend does (multipart body, XSRF cookie + header)."""

from __future__ import annotations

import socket
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from loadlib import Session as _Session  # noqa: E402
from loadlib import text_state, trigger_state

MiB = 1024 * 1024
CHUNK = MiB
BOUNDARY = "----timporaSecurityTest"


class Session(_Session):
    """A loadlib session that also keeps the server's id for it (from the first new_session)."""

    session_id = ""

    def _handle(self, msg, size):
        if msg.WhichOneof("type") == "new_session" and msg.new_session.initialize.session_id:
            self.session_id = msg.new_session.initialize.session_id
        super()._handle(msg, size)


async def open_session(base: str, user: str | None = None, password: str | None = None) -> Session:
    """A session whose script has run once (the sign-in page); signed in when user is given."""
    s = Session(base, timeout=60)
    await s.open()
    _, status, _ = await s.rerun()
    assert status == "ok", status
    assert s.session_id, "no session id in new_session"
    if user:
        inputs = s.find("text_input")
        submit = s.find("button", lambda p: p.is_form_submitter)
        assert len(inputs) == 2 and submit, "no sign-in form"
        _, status, run = await s.rerun(
            [
                text_state(inputs[0][0], user),
                text_state(inputs[1][0], password),
                trigger_state(submit[0][0]),
            ]
        )
        # Signed in when the form is gone (the landing page's own content is not under test here).
        assert status == "ok" and not run.error_alerts and not s.find("text_input"), (
            status,
            run.error_alerts,
        )
    return s


def put_file(
    port: int,
    session_id: str,
    xsrf: str,
    size: int,
    file_id: str | None = None,
    name: str = "banjir.csv",
    timeout: float = 120,
) -> int:
    """PUT one file of `size` bytes (generated as it is sent, never held whole) to
    /_stcore/upload_file/<session>/<file_id> on 127.0.0.1:port; returns the HTTP status.

    Sends `Expect: 100-continue` and waits for the server's go-ahead before the body, as HTTP
    intends: a server (or nginx) that refuses on the headers answers at once, and the refusal is
    read reliably instead of racing a connection reset."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    length = len(head) + size + len(tail)
    request = (
        f"PUT /_stcore/upload_file/{session_id}/{file_id or uuid.uuid4()} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
        f"Cookie: _streamlit_xsrf={xsrf}\r\nX-Xsrftoken: {xsrf}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        reader = sock.makefile("rb")
        status = _status(reader)
        if status != 100:
            return status
        while reader.readline() not in (b"\r\n", b""):  # rest of the interim response
            pass
        sock.sendall(head)
        block = b"x" * CHUNK
        left = size
        while left:
            n = min(left, CHUNK)
            sock.sendall(block[:n])
            left -= n
        sock.sendall(tail)
        return _status(reader)


def _status(reader) -> int:
    line = reader.readline()
    if not line:
        raise ConnectionError("the server closed the connection without a response")
    return int(line.split()[1])


def delete_file(port: int, session_id: str, xsrf: str, file_id: str) -> int:
    """What the uploader's x does: DELETE the file from the server's manager."""
    request = (
        f"DELETE /_stcore/upload_file/{session_id}/{file_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: _streamlit_xsrf={xsrf}\r\nX-Xsrftoken: {xsrf}\r\nContent-Length: 0\r\n"
        f"Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        return _status(sock.makefile("rb"))
