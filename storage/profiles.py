"""Column-mapping profiles saved in the app (table mapping_profile, migration 0016). The store
keeps each profile as the text it is given (its TOML, written and read by loaders/profiles.py
through services/profiles.py): the store knows no file format. Saving is audited; a name saved
again is replaced."""

from __future__ import annotations

from sqlalchemy import Engine, delete, insert, select

from storage.audit import record
from storage.engine import write_tx
from storage.models import MappingProfile, utcnow


def save(
    engine: Engine, name: str, kind: str, headers_sha: str, body: str, user: str, detail: dict
) -> None:
    """Store `body` under `name` (replacing one of that name) and audit it with `detail`."""
    with write_tx(engine) as conn:
        conn.execute(delete(MappingProfile).where(MappingProfile.name == name))
        conn.execute(
            insert(MappingProfile).values(
                name=name,
                kind=kind,
                headers_sha=headers_sha,
                body=body,
                saved_by=user or "",
                saved_at=utcnow(),
            )
        )
        record(conn, user, "profile_save", f"profile:{name}"[:200], {"kind": kind, **detail})


def bodies(engine: Engine, kind: str, headers_sha: str) -> list[tuple[str, str]]:
    """(name, body) of the saved profiles of this kind for these headers, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(MappingProfile.name, MappingProfile.body)
            .where(MappingProfile.kind == kind, MappingProfile.headers_sha == headers_sha)
            .order_by(MappingProfile.saved_at.desc(), MappingProfile.id.desc())
        ).all()
    return [(name, body) for name, body in rows]
