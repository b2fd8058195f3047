"""Situation report packs (laporan situasi) as records: the earlier pack a new one compares with,
storing a pack together with its audit event, the latest pack for download, and the download's
audit event. What a pack shows is gathered by services/sitrep.py and drawn by viz/sitrep.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from sqlalchemy import Engine, insert, select

from domain.scope import Scope
from storage.audit import record
from storage.engine import read_tx, write_tx
from storage.models import AuditEvent, SitrepPack

_META = (
    SitrepPack.id,
    SitrepPack.name,
    SitrepPack.made_at,
    SitrepPack.made_by,
    SitrepPack.as_of,
    SitrepPack.period_start,
    SitrepPack.period_end,
    SitrepPack.office_id,
    SitrepPack.lang,
    SitrepPack.marking,
    SitrepPack.figures_sha256,
    SitrepPack.compared_with,
    SitrepPack.pages,
    SitrepPack.pdf_sha256,
    SitrepPack.audit_event_id,
)


def _office_is(office: str | None):
    return SitrepPack.office_id.is_(None) if office is None else SitrepPack.office_id == office


def previous(engine: Engine, office: str | None, as_of: dt.date) -> dict | None:
    """The last pack made for the same area with data up to `as_of` or earlier (a pack made
    again later the same day compares with the morning's), with its figures decoded."""
    with read_tx(engine) as conn:
        row = (
            conn.execute(
                select(*_META, SitrepPack.figures)
                .where(_office_is(office), SitrepPack.as_of <= as_of)
                .order_by(SitrepPack.made_at.desc(), SitrepPack.id.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
    if row is None:
        return None
    out = dict(row)
    out["figures"] = json.loads(out["figures"])
    return out


def latest(engine: Engine, office: str | None) -> dict | None:
    """The newest pack for this area (None = all of NTB), without the PDF."""
    with read_tx(engine) as conn:
        row = (
            conn.execute(
                select(*_META)
                .where(_office_is(office))
                .order_by(SitrepPack.made_at.desc(), SitrepPack.id.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None


def pdf(engine: Engine, pack_id: int) -> bytes:
    with read_tx(engine) as conn:
        return conn.scalar(select(SitrepPack.pdf).where(SitrepPack.id == pack_id))


def store(
    engine: Engine,
    values: dict,
    actor: str,
    render: Callable[[int], tuple[bytes, int]],
    scope: Scope | None = None,
) -> tuple[int, int]:
    """Record a pack and its audit event in one transaction: the event first (its id is printed in
    every footer), then `render(audit_event_id)` -> (PDF bytes, pages), then the pack's row. If the
    rendering fails nothing is kept. `values`: name, made_at, as_of, period_start, period_end,
    office_id, lang, marking, figures (JSON text), figures_sha256, compared_with, baseline (JSON).
    `scope`: the acting account's, for the audit event. Returns (pack id, audit event id)."""
    with write_tx(engine) as conn:
        record(
            conn,
            actor,
            "sitrep",
            values["name"],
            {
                "figures_sha256": values["figures_sha256"],
                "as_of": values["as_of"],
                "office": values["office_id"],
                "marking": values["marking"],
                "lang": values["lang"],
                "compared_with": values["compared_with"],
            },
            scope=scope,
        )
        # the target (the pack's unique name) finds the event just written, whoever else writes
        event = conn.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action == "sitrep", AuditEvent.target == values["name"]
            )
        )
        data, pages = render(event)
        pack = conn.execute(
            insert(SitrepPack).values(
                **values,
                made_by=actor,
                pages=pages,
                pdf=data,
                pdf_sha256=hashlib.sha256(data).hexdigest(),
                audit_event_id=event,
            )
        ).inserted_primary_key[0]
    return pack, event


def audit_download(
    engine: Engine, actor: str, pack: dict, file_name: str, scope: Scope | None = None
) -> None:
    """A pack's PDF handed out (the overview's download): an export event with the file's SHA-256."""
    with write_tx(engine) as conn:
        record(
            conn,
            actor,
            "export",
            file_name,
            {
                "sha256": pack["pdf_sha256"],
                "marking": pack["marking"],
                "kind": "sitrep",
                "pack": pack["id"],
            },
            scope=scope,
        )
