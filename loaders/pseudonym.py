"""Passport numbers become HMAC-SHA256 pseudonyms at import; the clear number is never stored.

The key comes from the environment (NTB_PSEUDONYM_KEY, hex or text) — the Streamlit layer copies
it there from st.secrets — never from the database. In production mode (NTB_MODE=production) a
missing key stops the app at start-up with a clear message; otherwise a random key is generated
once in data/local/pseudonym.key (mode 0600) so the demo works out of the box.
"""
from __future__ import annotations

import hmac
import os
import secrets
from functools import lru_cache

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
    """HMAC-SHA256 hex of each normalised passport number (None stays None).
    Each distinct number is hashed once (a group file repeats numbers)."""
    k = key()
    uniques = pd.unique(passports.dropna().to_numpy())
    table = {p: hmac.digest(k, p.encode(), "sha256").hex() for p in uniques}
    return passports.map(table)
