"""Append-only audit trail. Callers pass their open transaction so the event commits (or rolls
back) together with what it records."""
from __future__ import annotations

import json

from sqlalchemy import Connection, insert

from storage.models import AuditEvent, utcnow


def record(conn: Connection, actor: str, action: str, target: str = "", detail: dict | None = None) -> None:
    conn.execute(insert(AuditEvent).values(at=utcnow(), actor=actor or "", action=action, target=target,
                                           detail=json.dumps(detail or {}, default=str, sort_keys=True)))
