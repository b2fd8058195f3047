"""Append-only audit trail. `log(engine, ...)` writes one event in its own transaction: the one way
for the rest of the app. Inside storage/, a change and its event commit (or roll back) together:
there `record(conn, ...)` adds the event to the change's open transaction.

Every text is cut to its column before it is written: the trail can never be cleaned up, so a
stranger's megabyte-long "user name" must not grow it by a megabyte per attempt (and PostgreSQL
refused a name longer than the column, so the attempt went unaudited)."""

from __future__ import annotations

import json

from sqlalchemy import Connection, Engine, insert

from domain.scope import Scope
from storage.engine import write_tx
from storage.models import AuditEvent, utcnow

ACTOR_MAX = AuditEvent.__table__.c.actor.type.length
TARGET_MAX = AuditEvent.__table__.c.target.type.length
DETAIL_MAX = 2000  # characters of JSON; real details are a few dozen


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` characters; a cut text ends in "…[+N]", N the characters left out."""
    text = str(text)
    keep = limit
    while len(text) > limit and keep > 0:
        keep -= 1
        cut = f"{text[:keep]}…[+{len(text) - keep}]"
        if len(cut) <= limit:
            return cut
    return text[:limit]


def _detail(detail: dict | None) -> str:
    text = json.dumps(detail or {}, default=str, sort_keys=True)
    if len(text) <= DETAIL_MAX:
        return text
    # JSON may write one character as six (\uXXXX): a head of an eighth always fits.
    return json.dumps({"cut": True, "chars": len(text), "head": text[: DETAIL_MAX // 8]})


def record(
    conn: Connection,
    actor: str,
    action: str,
    target: str = "",
    detail: dict | None = None,
    scope: Scope | None = None,
) -> None:
    """`scope`: the acting account's (domain/scope.py), kept as its office id or "ntb"; None when
    no account acted (the system, a command line)."""
    conn.execute(
        insert(AuditEvent).values(
            at=utcnow(),
            actor=clip(actor or "", ACTOR_MAX),
            action=action,
            target=clip(target, TARGET_MAX),
            detail=_detail(detail),
            scope=None if scope is None else scope.key,
        )
    )


def log(
    engine: Engine,
    actor: str,
    action: str,
    target: str = "",
    detail: dict | None = None,
    scope: Scope | None = None,
) -> None:
    """One audit event on its own (an export, a sign-out, a file written): its own transaction."""
    with write_tx(engine) as conn:
        record(conn, actor, action, target, detail, scope)
