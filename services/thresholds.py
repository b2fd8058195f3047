"""An admin's edit of the thresholds: checked in full before it replaces the ones in force, saved
as the local copy (loaders/thresholds.py finds it), and audited."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import Engine

from loaders import thresholds
from storage.audit import log


def save_rules(engine: Engine, text: str, actor: str) -> Path:
    """Save `text` as the thresholds in force and return where; ValueError, nothing written, when
    it is not a valid thresholds file."""
    thresholds.parse_text(text)
    path = thresholds.LOCAL_RULES_FILE  # read now: tests point it elsewhere
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    log(
        engine,
        actor,
        "rules_edit",
        str(path),
        {"sha256": hashlib.sha256(text.encode()).hexdigest()},
    )
    return path
