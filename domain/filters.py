"""What the user chose in the sidebar and on the map page, as one value passed to every query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from domain.scope import PROVINCE, Scope

METRICS = (
    "present",
    "per_1000_voters",
    "incidents",
    "election_incidents",
    "risk_score",
    "voter_matches",
)


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    as_of: dt.date  # office areas in force and "days to voting" use this date
    office: str | None = None  # office id, None = all of NTB
    nationalities: tuple[str, ...] = ()  # ISO alpha-3; empty = all
    permits: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    severities: tuple[int, ...] = ()
    regencies: tuple[str, ...] = field(default=())  # derived from office when empty
    # What the signed-in account may see (domain/scope.py): set by ui/data.py from the account,
    # never by a page; every query intersects its rows with it, each row on its own date.
    scope: Scope = PROVINCE
