"""What an account may see: one immigration office's working area, or the whole province.

Office areas are dated (data/reference/office_areas.csv), so the area is asked for a date: a row
is in scope when its regency belonged to the office ON THE ROW'S OWN DATE (a Lombok Timur row of
1 Feb 2026 is Lombok Timur's, one of 1 Jan 2026 is Mataram's). For a period the scope is a few
spans, each with the regencies of that stretch (`spans`); storage/ turns them into SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from domain.regions import office_areas, offices, regencies, regencies_of_office

PROVINCE_KEY = "ntb"  # how the whole province is written in the audit trail and on the command line


@dataclass(frozen=True)
class Span:
    """A stretch of days [first, last] in which the scope's regencies stay the same."""

    first: dt.date
    last: dt.date
    regencies: frozenset[str]


@dataclass(frozen=True)
class Scope:
    """office: an office id (offices.csv), or None for the whole province (the regional office,
    admins). An office id with no working area (NOTHING) sees nothing: the fail-closed value."""

    office: str | None = None

    @property
    def province(self) -> bool:
        return self.office is None

    @property
    def key(self) -> str:
        """The scope as one word: the office id, or "ntb"."""
        return PROVINCE_KEY if self.office is None else self.office

    def regencies_on(self, day: dt.date) -> frozenset[str]:
        if self.office is None:
            return frozenset(regencies().index)
        return frozenset(regencies_of_office(self.office, day))

    def allows(self, regency: str | None, day: dt.date) -> bool:
        return regency is not None and regency in self.regencies_on(day)

    def spans(self, start: dt.date, end: dt.date) -> tuple[Span, ...]:
        """[start, end] cut where the office's area changes; each piece with its regencies."""
        if end < start:
            return ()
        cuts = [d for d in change_days() if start < d <= end]
        firsts = [start, *cuts]
        lasts = [d - dt.timedelta(days=1) for d in cuts] + [end]
        out: list[Span] = []
        for a, b in zip(firsts, lasts):
            regs = self.regencies_on(a)
            if out and out[-1].regencies == regs:  # the area did not change for this office
                out[-1] = Span(out[-1].first, b, regs)
            else:
                out.append(Span(a, b, regs))
        return tuple(out)

    def regencies_between(self, start: dt.date, end: dt.date) -> frozenset[str]:
        """Every regency in scope on at least one day of [start, end]."""
        return frozenset().union(*(s.regencies for s in self.spans(start, end)))

    def outside(self, regency_codes: pd.Series, days: pd.Series) -> pd.Series:
        """Per row: True when the row's regency is not in scope on the row's day (a missing
        regency or day is outside an office's scope; nothing is outside the province)."""
        if self.province:
            return pd.Series(False, index=regency_codes.index)
        when = pd.to_datetime(days, errors="coerce").dt.date
        inside = pd.Series(False, index=regency_codes.index)
        known = when.notna()
        if known.any():
            for s in self.spans(min(when[known]), max(when[known])):
                inside |= (
                    known & (when >= s.first) & (when <= s.last) & regency_codes.isin(s.regencies)
                )
        return ~inside


PROVINCE = Scope()
NOTHING = Scope(office="")  # a session with no user: no regency on any day


def parse(text: str | None) -> Scope:
    """An office id, "ntb" or empty -> its Scope; ValueError for an unknown office."""
    text = (text or "").strip()
    if text in ("", PROVINCE_KEY):
        return PROVINCE
    if text not in set(offices()["id"]):
        raise ValueError(
            f"unknown office {text!r}; known: {', '.join(offices()['id'])} (or {PROVINCE_KEY})"
        )
    return Scope(text)


@lru_cache(maxsize=1)
def change_days() -> tuple[dt.date, ...]:
    """Days on which some office's area changes: every valid_from, and the day after every valid_to."""
    a = office_areas()
    days = {d for d in a["valid_from"] if not pd.isna(d)}
    days |= {d + dt.timedelta(days=1) for d in a["valid_to"] if not pd.isna(d)}
    return tuple(sorted(days))
