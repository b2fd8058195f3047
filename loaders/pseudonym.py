"""Passport numbers and NIKs become HMAC-SHA256 pseudonyms at import; the clear number is never stored.

One key, a purpose label per kind of number (domain separation): a passport number is keyed as it
is, a NIK as b"nik\0" + its 16 digits. A passport number holds no NUL byte, so a NIK's hash can
never equal a passport's, and the same NIK gives the same hash in a presence file and a voter list.

The key comes from the environment (NTB_PSEUDONYM_KEY, hex or text) — the Streamlit layer copies
it there from st.secrets — never from the database. In production mode (NTB_MODE=production) a
missing key stops the app at start-up with a clear message; otherwise a random key is generated
once in data/local/pseudonym.key (mode 0600) so the demo works out of the box.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import secrets
import subprocess
import sys
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from domain.paths import LOCAL

log = logging.getLogger(__name__)

KEY_ENV = "NTB_PSEUDONYM_KEY"
KEY_FILE = LOCAL / "pseudonym.key"


class MissingKey(RuntimeError):
    pass


def production_mode() -> bool:
    return os.environ.get("NTB_MODE", "").lower() == "production"


@lru_cache(maxsize=4)
def _key_from(env_value: str | None, production: bool) -> bytes:
    if env_value:
        try:
            return bytes.fromhex(env_value)
        except ValueError:
            return env_value.encode()
    if production:
        raise MissingKey(
            f"{KEY_ENV} is not set. In production the pseudonymisation key must come from the "
            "environment or Streamlit secrets (pseudonym_key); see README 'Personal data'."
        )
    if not KEY_FILE.exists():
        KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return bytes.fromhex(KEY_FILE.read_text().strip())


def key() -> bytes:
    return _key_from(os.environ.get(KEY_ENV), production_mode())


def pseudonymise(passports: pd.Series, purpose: str = "passport", raw: bool = False) -> pd.Series:
    """HMAC-SHA256 hex (`raw`: 32 bytes) of each normalised passport number or NIK (None stays
    None). Each distinct number is hashed once (a group file repeats numbers)."""
    codes, uniques = pd.factorize(passports.to_numpy(dtype=object), use_na_sentinel=False)
    return pd.Series(
        pseudonyms(uniques, purpose, raw)[codes], index=passports.index, dtype=object, copy=False
    )


def pseudonyms(numbers: np.ndarray, purpose: str = "passport", raw: bool = False) -> np.ndarray:
    """HMAC-SHA256 hex of each of these (distinct) numbers; anything but text (None) gives None.
    `purpose`: "passport" or "nik" (the NIK's label goes before the digits). `raw`: the 32 bytes
    of each digest instead of its 64 hex characters (a voter list stores them so). Many numbers
    (a voter list's NIKs, all distinct) are made by the compiled loop on a thread of their own,
    or where it is not built shared with a helper process on a second core (Hashing)."""
    hashes = Hashing(numbers, purpose, raw=raw).result()
    if raw:  # bytes, as callers keep and compare them (the importer takes Hashing.arrow())
        there = np.flatnonzero(np.not_equal(hashes, None))
        hashes[there] = np.fromiter(map(bytes, hashes[there]), dtype=object, count=len(there))
    return hashes


# At least this many numbers to hash: a helper process takes part (below it, starting one costs
# more than it saves). A second core must be there.
PARALLEL_FROM = 200_000

# Numbers per piece: the helper answers the last piece first, then the one before, and so on;
# this process hashes pieces from the first on until it reaches what the helper has answered.
PIECE = 32_768


class Hashing:
    """The keyed hashes of many numbers, started at once (the validator starts them as soon as a
    NIK or passport column is parsed) and taken when `result()` or `arrow()` asks, so that they are
    made while the other columns are validated. `raw`: digests as 32 bytes (bytearrays), not 64
    hex characters. Same values whichever way they are made (tests compare with hmac.digest).

    Where the compiled loop is built (`make install`: loaders/native/hmac_many.c), a thread of this
    process hashes every number with it, holding no interpreter lock meanwhile (4M NIKs: ~1.2
    CPU-s with Arrow's layout of them, against 5-6 for the two processes below).

    Otherwise, for many numbers, two processes meet in the middle. A helper process hashes them
    from the last piece backwards; when the hashes are asked for, this process hashes from the
    first piece forwards until it reaches a piece the helper has answered, then stops the helper.
    On an idle second core it has answered most or all of them by then; on a busy one, or when it
    is stopped or fails, this process simply hashes more of them itself (never waits on it). The
    helper is the interpreter running _WORKER (standard library only); the key goes to it through
    its pipe, never its command line or environment."""

    def __init__(self, numbers, purpose: str = "passport", raw: bool = False):
        self._mac, self._label, self._raw = _Hmac(key()), PURPOSES[purpose], raw
        numbers = np.asarray(numbers, dtype=object)
        self._total, self._done, self._blob = len(numbers), None, None
        if pd.api.types.infer_dtype(numbers, skipna=False) == "string":  # all text: one C pass
            self._where = None
        else:  # None (and anything not text) stays None
            self._where = np.flatnonzero([isinstance(p, str) for p in numbers])
            numbers = numbers[self._where]
        self._numbers, n = numbers, len(numbers)
        # The compiled loop, when built, makes them all on a thread of this process (it holds no
        # interpreter lock while it hashes): no helper process then.
        self._compiled, self._digested = None, None
        if n and _compiled_hmac() is not None:
            self._compiled = threading.Thread(target=self._compile, daemon=True)
            self._compiled.start()
        self._helper = (
            _helper(self._mac, self._label, numbers, raw)
            if self._compiled is None and n >= PARALLEL_FROM and _cores() > 1
            else None
        )
        self._answers = _Answers(self._helper, n) if self._helper is not None else None
        self.by_helper = 0  # how many of the hashes the helper made (once result() has run)

    def result(self) -> np.ndarray:
        """Each number's hash (hex text, or with `raw` a bytearray of 32 bytes); None for None."""
        if self._done is not None:
            return self._done
        if self._raw:
            blob = bytearray(self._digests())  # one copy; each value a slice of it
            hashes = [blob[i : i + 32] for i in range(0, len(blob), 32)]
        else:
            hashes = self._digests()
        out = np.empty(self._total, dtype=object)
        # made an object array first: given a list of bytearrays, NumPy looks into each (a buffer)
        # as a possible sequence (4M: 8.5 s)
        hashes = np.fromiter(hashes, dtype=object, count=len(hashes))
        out[slice(None) if self._where is None else self._where] = hashes
        self._done = out
        return out

    def arrow(self) -> pa.FixedSizeBinaryArray:
        """`raw` only: the 32-byte digests as one Arrow array (null for None), no Python object
        per number: the importer keeps a voter list's hashes so (4M: the bytearrays made of the
        helper's answers cost ~1 s of this process's time, and COPY read them back one by one)."""
        blob = self._digests()
        if self._where is None:
            return pa.FixedSizeBinaryArray.from_buffers(
                pa.binary(32), self._total, [None, pa.py_buffer(blob)]
            )
        there = np.zeros(self._total, dtype=bool)
        there[self._where] = True
        block = np.zeros((self._total, 32), dtype=np.uint8)
        block[self._where] = np.frombuffer(blob, dtype=np.uint8).reshape(-1, 32)
        valid = pa.py_buffer(np.packbits(there, bitorder="little"))
        return pa.FixedSizeBinaryArray.from_buffers(
            pa.binary(32), self._total, [valid, pa.py_buffer(block)]
        )

    def _compile(self) -> None:
        """On its thread: the compiled loop's digests of all numbers (32 bytes each, one block),
        or none when anything fails (text UTF-8 cannot encode, say): they are then made in Python,
        which fails or not as it always has. The log names the error's type only (its message
        could quote a number)."""
        try:
            self._digested = self._compiled_digests()
        except Exception as e:  # noqa: BLE001 - any failure: the plain path decides
            log.warning("compiled keyed hashes failed (%s): made in Python", type(e).__name__)

    def _compiled_digests(self) -> np.ndarray:
        """The numbers' UTF-8 bytes laid end to end by Arrow, which says where each begins."""
        numbers = pa.array(self._numbers, pa.large_string())
        _, offsets, data = numbers.buffers()
        at = np.frombuffer(offsets, dtype=np.int64)[
            numbers.offset : numbers.offset + len(numbers) + 1
        ]
        out = np.empty(len(numbers) * 32, dtype=np.uint8)
        _compiled_hmac()(
            self._mac.padded,
            self._label,
            len(self._label),
            at.ctypes.data if data is None else data.address,  # no text at all: any address
            at.ctypes.data,  # where each number starts ...
            at.ctypes.data + at.itemsize,  # ... and ends
            len(numbers),
            out.ctypes.data,
        )
        return out

    def _digests(self):
        """The hashes of the numbers that are text, in order: a list of hex texts, or with `raw`
        their digests' bytes one after the other. Made once."""
        if self._blob is not None:
            return self._blob
        if self._compiled is not None:
            self._compiled.join()
            if self._digested is not None:  # else it failed: hashed here below
                self._blob = memoryview(self._digested)
                if not self._raw:
                    text = self._blob.hex()
                    self._blob = [text[i : i + 64] for i in range(0, len(text), 64)]
                self._numbers = None
                return self._blob
        numbers, n, answers = self._numbers, len(self._numbers), self._answers
        if self._raw:
            digests = lambda label, piece: b"".join(self._mac.digests(label, piece))  # noqa: E731
        else:
            digests = self._mac.hexdigests
        parts, start = [], 0
        try:
            while start < n and (answers is None or start < answers.low):
                parts.append(digests(self._label, numbers[start : start + PIECE]))
                start += PIECE
        finally:
            self.close()
        if start < n:  # the rest the helper had answered (a piece both made is taken from it)
            self.by_helper = n - start
            parts += [answers.pieces[first] for first in range(start, n, PIECE)]
        self._blob = b"".join(parts) if self._raw else [h for p in parts for h in p]
        self._numbers = None
        return self._blob

    def close(self) -> None:
        """Stop the helper if it still runs (done, or the hashes were not asked for)."""
        if getattr(self, "_helper", None) is not None:
            self._helper.kill()
            self._helper.wait()
            self._answers.join()
            self._helper.stdout.close()
            self._helper = None

    __del__ = close


class _Answers(threading.Thread):
    """Reads the helper's answers as they come, the last piece first: `pieces` {first index:
    digests}, `low` the first index from which on every number is answered."""

    def __init__(self, proc, n: int):
        super().__init__(daemon=True)
        self._proc, self._n = proc, n
        self.pieces: dict[int, list] = {}
        self.low = n
        self.start()

    def run(self) -> None:
        out, width, n = self._proc.stdout, self._proc.width, self._n
        for first in reversed(range(0, n, PIECE)):
            size = (min(first + PIECE, n) - first) * width
            try:
                blob = out.read(size)
            except (OSError, ValueError):  # stopped and closed meanwhile
                return
            if len(blob) != size:  # the helper ended (stopped or failed): nothing more from it
                return
            if width == 32:  # the digests' bytes as they came (Hashing._digests)
                piece = blob
            else:
                text = blob.decode("ascii")
                piece = [text[i : i + 64] for i in range(0, size, 64)]
            self.pieces[first] = piece
            self.low = first  # after the piece is there: the hashing loop may take it at once


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# The helper: reads the 64-byte padded key, the label's length and the label, the form (b"x":
# hex, b"r": raw), the piece size (4 bytes), then the numbers (UTF-8, one a line) up to the end of
# its input; writes their HMACs, 64 hex characters or 32 bytes each, a piece at a time from the
# last piece back to the first.
_WORKER = """
import hashlib, sys
r, w = sys.stdin.buffer, sys.stdout.buffer
k = r.read(64)
label = r.read(r.read(1)[0])
raw = r.read(1) == b"r"
piece = int.from_bytes(r.read(4), "big")
data = r.read().split(b"\\n")
ic = hashlib.sha256(bytes(b ^ 0x36 for b in k)).copy
oc = hashlib.sha256(bytes(b ^ 0x5C for b in k)).copy
for first in reversed(range(0, len(data), piece)):
    out = []
    for m in data[first : first + piece]:
        i = ic()
        i.update(label + m)
        o = oc()
        o.update(i.digest())
        out.append(o.digest() if raw else o.hexdigest().encode())
    w.write(b"".join(out))
    w.flush()
"""


def _helper(mac: _Hmac, label: bytes, numbers, raw: bool = False):
    """A started helper process fed `numbers`, or None (a number holding a line break, or no
    process could be started: the caller hashes them itself). `raw`: it answers 32-byte digests
    (`proc.width` bytes each)."""
    lines = "\n".join(numbers).encode()
    if lines.count(b"\n") != len(numbers) - 1:
        return None
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None
    try:  # it reads all of its input before it writes anything: no deadlock
        proc.stdin.write(
            mac.padded
            + bytes([len(label)])
            + label
            + (b"r" if raw else b"x")
            + PIECE.to_bytes(4, "big")
            + lines
        )
        proc.stdin.close()
    except OSError:
        proc.kill()
        proc.wait()
        return None
    proc.width = 32 if raw else 64
    _widen(proc.stdout)
    return proc


def _widen(pipe) -> None:
    """Make the helper's answer pipe hold a whole piece (Linux: up to 1 MiB unprivileged). With
    the default 64 KiB, reading a piece took many reads, each waiting for this process's GIL
    while it validates (up to 5 ms each): the helper sat blocked on its full pipe (measured: at
    1M NIKs it hashed 0.4 of them instead of most)."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # not Linux, or a lower limit: as it is
        pass


PIPE_BYTES = 1 << 20  # a piece of raw digests (32,768 x 32 bytes); hex pieces take two reads


# The compiled loop (loaders/native/hmac_many.c), built by `make install`.
COMPILED = Path(__file__).resolve().parent / "native" / "hmac_many.so"


@lru_cache(maxsize=1)
def _compiled_hmac():
    """The compiled loop's function, or None when it is not built (then the hashes are made in
    Python, with the helper process for many numbers): ntb_hmac_sha256_many(padded key, label,
    label length, data, starts, ends, count, out), out receiving 32 bytes a number. ctypes lets go
    of the interpreter lock for the call."""
    try:
        function = ctypes.CDLL(str(COMPILED)).ntb_hmac_sha256_many
    except (OSError, AttributeError):
        return None
    function.restype = None
    function.argtypes = [
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_void_p,
    ]
    return function


# Purpose label -> the bytes keyed before the number. Passports keep the empty label they were
# keyed with from the start (their stored pseudonyms stay valid).
PURPOSES = {"passport": b"", "nik": b"nik\0"}


class _Hmac:
    """HMAC-SHA256 (RFC 2104) with the keyed inner and outer states computed once: each message
    then costs two hash copies. Same output as hmac.digest(key, msg, "sha256") (tested), in
    half the time of copying an hmac object (its copy() is Python code)."""

    _BLOCK = 64  # SHA-256 block size in bytes

    def __init__(self, secret: bytes):
        if len(secret) > self._BLOCK:
            secret = hashlib.sha256(secret).digest()
        secret = secret.ljust(self._BLOCK, b"\0")
        self.padded = secret  # the key as both pads are made from it (the helper process's input)
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in secret))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in secret))

    def hexdigest(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def hexdigests(self, label: bytes, numbers) -> list[str]:
        """hexdigest(label + number) of each number (text)."""
        return [d.hex() for d in self.digests(label, numbers)]

    def digests(self, label: bytes, numbers) -> list[bytes]:
        """The 32 bytes of the keyed hash of label + number for each number (text), in one loop
        with no call per number."""
        ic, oc, out = self._inner.copy, self._outer.copy, []
        for p in numbers:
            inner = ic()
            inner.update(label + p.encode())
            outer = oc()
            outer.update(inner.digest())
            out.append(outer.digest())
        return out
