"""Column-mapping profiles saved in the app (table mapping_profile, migration 0016). The text
stored is the profile's TOML (loaders/profiles.py), exactly what the download button gives and
`python -m loaders.ingest --profile` reads. Saving is audited; a name saved again is replaced."""
from __future__ import annotations

from sqlalchemy import Engine, delete, insert, select

from loaders.profiles import Profile, headers_signature, parse, to_toml
from storage.audit import record
from storage.engine import write_tx
from storage.models import MappingProfile, utcnow


def save(engine: Engine, profile: Profile, headers: list[str], user: str) -> None:
    body = to_toml(profile)
    with write_tx(engine) as conn:
        conn.execute(delete(MappingProfile).where(MappingProfile.name == profile.name))
        conn.execute(insert(MappingProfile).values(
            name=profile.name, kind=profile.kind, headers_sha=headers_signature(headers), body=body,
            saved_by=user or "", saved_at=utcnow()))
        record(conn, user, "profile_save", f"profile:{profile.name}"[:200],
               {"kind": profile.kind, "columns": len(profile.columns), "place": len(profile.place_from)})


def for_headers(engine: Engine, kind: str, headers: list[str]) -> list[Profile]:
    """Saved profiles of this kind made for a file with the same headers, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(MappingProfile.name, MappingProfile.body).where(
            MappingProfile.kind == kind, MappingProfile.headers_sha == headers_signature(headers))
            .order_by(MappingProfile.saved_at.desc(), MappingProfile.id.desc())).all()
    return [parse(body, name) for name, body in rows]
