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

import hashlib
import os
import secrets
from functools import lru_cache

import numpy as np
import pandas as pd

from domain.paths import LOCAL

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


def pseudonymise(passports: pd.Series, purpose: str = "passport") -> pd.Series:
    """HMAC-SHA256 hex of each normalised passport number or NIK (None stays None). Each distinct
    number is hashed once (a group file repeats numbers)."""
    codes, uniques = pd.factorize(passports.to_numpy(dtype=object), use_na_sentinel=False)
    return pd.Series(pseudonyms(uniques, purpose)[codes], index=passports.index, dtype=object)


def pseudonyms(numbers: np.ndarray, purpose: str = "passport") -> np.ndarray:
    """HMAC-SHA256 hex of each of these (distinct) numbers; anything but text (None) gives None.
    `purpose`: "passport" or "nik" (the NIK's label goes before the digits)."""
    mac = _Hmac(key())
    label = PURPOSES[purpose]
    out = np.empty(len(numbers), dtype=object)
    out[:] = [mac.hexdigest(label + p.encode()) if isinstance(p, str) else None for p in numbers]
    return out


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
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in secret))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in secret))

    def hexdigest(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()
