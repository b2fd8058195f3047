"""Passport numbers become HMAC-SHA256 pseudonyms at import; the clear number is never stored.

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


def pseudonymise(passports: pd.Series) -> pd.Series:
    """HMAC-SHA256 hex of each normalised passport number (None stays None). Each distinct number
    is hashed once (a group file repeats numbers)."""
    codes, uniques = pd.factorize(passports.to_numpy(dtype=object), use_na_sentinel=False)
    return pd.Series(pseudonyms(uniques)[codes], index=passports.index, dtype=object)


def pseudonyms(numbers: np.ndarray) -> np.ndarray:
    """HMAC-SHA256 hex of each of these (distinct) numbers; anything but text (None) gives None."""
    mac = _Hmac(key())
    out = np.empty(len(numbers), dtype=object)
    out[:] = [mac.hexdigest(p.encode()) if isinstance(p, str) else None for p in numbers]
    return out


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
