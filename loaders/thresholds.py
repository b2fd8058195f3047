"""The thresholds file in force (data/reference/alert_rules.toml, or an admin's edited copy):
where it is and reading it. The checks are domain.thresholds.parse_rules; this module keeps
files and environment variables out of the domain and hands `Rules` to whoever runs the rules.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from domain.paths import LOCAL, REFERENCE
from domain.thresholds import Rules, parse_rules

RULES_FILE = REFERENCE / "alert_rules.toml"
LOCAL_RULES_FILE = LOCAL / "alert_rules.toml"  # an admin's edited copy (admin page), git-ignored


def rules_path() -> Path:
    """The thresholds in force: NTB_ALERT_RULES, else the admin's edited copy, else the reference file."""
    env = os.environ.get("NTB_ALERT_RULES")
    if env:
        return Path(env)
    return LOCAL_RULES_FILE if LOCAL_RULES_FILE.exists() else RULES_FILE


def parse_text(text: str) -> Rules:
    """Thresholds from the file's text; ValueError (a TOML syntax error included) when not valid."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(str(exc)) from exc
    return parse_rules(raw)


def load_rules(path: Path | str | None = None) -> Rules:
    """Read and check the thresholds (default: rules_path())."""
    return parse_text(Path(path or rules_path()).read_text(encoding="utf-8"))
