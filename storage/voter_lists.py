"""Voter lists against foreign residents, in SQL: only hashes meet (the clear NIK is never stored).

`frame` gives the alert rule (domain/alert_rules/voters.py) what it reads: the lists each regency
has sent (from the voter_list_daily roll-up, nik_hash None) and the active voter-list rows whose
NIK hash is also an active presence row's, with that resident's latest nationality. The residents'
hashes (few) are read, and the voters looked up by nik_key (the hash's first 8 bytes as an
integer) through its index: a 4-million-row list is never read into Python. voter_list holds each
hash as its 32 bytes, presence as 64 hex characters (migration 0020); the frame gives the rule the
hex.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from domain.alert_rules.voters import RULE
from domain.vocabularies import CLOSED
from storage import copy_binary
from storage.engine import chunks, read_tx
from storage.models import Alert, Presence, VoterList, VoterListDaily

COLUMNS = [
    "id",
    "nik_hash",
    "regency_code",
    "tps",
    "list_name",
    "list_date",
    "kecamatan",
    "village",
    "nationality",
]


def frame(engine: Engine, as_of: dt.date) -> pd.DataFrame:
    v, p, d = VoterList, Presence, VoterListDaily
    with read_tx(engine) as conn:
        held = conn.execute(select(d.regency_code, d.list_name, d.day).where(d.day <= as_of)).all()
        # the foreign residents' hashes (few rows, through the partial index), latest report last
        who = conn.execute(
            select(p.nik_hash, p.nationality)
            .where(p.nik_hash.is_not(None), p.replaced_by_batch.is_(None), p.report_date <= as_of)
            .order_by(p.report_date, p.id)
        ).all()
        nationality = dict(who)  # the latest report wins
        # voter_list keeps the digest's 32 bytes, presence its hex: looked up by nik_key through
        # its index (ix_voter_list_nik_key; on PostgreSQL the primary key it leads), the full
        # hash compared here
        wanted = {bytes.fromhex(h): h for h in nationality}
        found = []
        for chunk in chunks(sorted({nik_key(k) for k in wanted})):
            found += [
                r
                for r in conn.execute(
                    select(
                        v.id,
                        v.nik_hash,
                        v.regency_code,
                        v.tps,
                        v.list_name,
                        v.list_date,
                        v.kecamatan,
                        v.village,
                    ).where(
                        v.nik_key.in_(chunk),
                        v.replaced_by_batch.is_(None),
                        v.list_date <= as_of,
                    )
                )
                if bytes(r.nik_hash) in wanted
            ]
    rows = [
        {
            "id": None,
            "nik_hash": None,
            "regency_code": r.regency_code,
            "tps": None,
            "list_name": r.list_name,
            "list_date": _day(r.day),
            "kecamatan": None,
            "village": None,
            "nationality": None,
        }
        for r in held
    ]
    for r in sorted(found, key=lambda r: r.id):
        hex_hash = wanted[bytes(r.nik_hash)]
        rows.append(
            {
                **r._asdict(),
                "nik_hash": hex_hash,
                "list_date": _day(r.list_date),
                "nationality": nationality[hex_hash],
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def last_list_date(engine: Engine) -> dt.date | None:
    with read_tx(engine) as conn:
        day = conn.scalar(select(func.max(VoterListDaily.day)))
    return None if day is None else _day(day)


def matches_by_regency(engine: Engine, end: dt.date) -> pd.DataFrame:
    """Open "foreigner on the voter list" alerts per regency dated up to `end` (persons still on a
    list, each station once): regency_code, matches. For leadership's map and overview: counts,
    never persons."""
    a = Alert
    with read_tx(engine) as conn:
        rows = conn.execute(
            select(a.regency_code, func.count().label("matches"))
            .where(a.rule == RULE, a.stale.is_(False), a.status != CLOSED, a.date <= end)
            .group_by(a.regency_code)
        ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["regency_code", "matches"])


def nik_key(digest: bytes) -> int:
    """voter_list.nik_key of a 32-byte NIK hash: its first 8 bytes as a signed big-endian integer
    (a BIGINT on both engines)."""
    return int.from_bytes(digest[:8], "big", signed=True)


def nik_keys(digests: np.ndarray) -> np.ndarray:
    """nik_key of many 32-byte hashes at once (4M: ~0.1 s)."""
    if not len(digests):
        return np.empty(0, dtype=np.int64)
    return np.frombuffer(b"".join(digests), dtype=">i8")[::4].astype(np.int64)


def with_nik_key(rows: pd.DataFrame) -> pd.DataFrame:
    """A voter list's rows as stored: with the lookup key made from each NIK hash (the importer's
    hashes are one block of bytes: their keys are read from it without a copy)."""
    block = copy_binary.fixed_width(rows["nik_hash"])
    if block is not None:
        keys = np.ascontiguousarray(block[:, :8]).view(">i8").ravel().astype(np.int64)
    else:
        keys = nik_keys(rows["nik_hash"].to_numpy(dtype=object))
    return rows.assign(nik_key=keys)


def _day(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])
