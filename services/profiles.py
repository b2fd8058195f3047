"""Column-mapping profiles saved in the app: a profile goes in as the TOML the download button
gives and `python -m loaders.ingest --profile` reads (loaders/profiles.py), and comes back parsed;
storage/profiles.py keeps the text."""

from __future__ import annotations

from sqlalchemy import Engine

from loaders.profiles import Profile, headers_signature, parse, to_toml
from storage import profiles as stored


def save(engine: Engine, profile: Profile, headers: list[str], user: str) -> None:
    stored.save(
        engine,
        profile.name,
        profile.kind,
        headers_signature(headers),
        to_toml(profile),
        user,
        {"columns": len(profile.columns), "place": len(profile.place_from)},
    )


def for_headers(engine: Engine, kind: str, headers: list[str]) -> list[Profile]:
    """Saved profiles of this kind made for a file with the same headers, newest first."""
    return [
        parse(body, name) for name, body in stored.bodies(engine, kind, headers_signature(headers))
    ]
