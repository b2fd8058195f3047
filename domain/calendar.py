"""Election calendars as data (data/elections/*.toml) and phase tagging.

A date takes the phase listed last among those containing it (voting day is inside counting).
Per-regency extensions lengthen a phase for one regency (Kota Bima's dispute watch).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from domain.paths import ELECTIONS

OUTSIDE = "di_luar_tahapan"  # outside any phase


@dataclass(frozen=True)
class Phase:
    key: str
    name_id: str
    name_en: str
    start: dt.date
    end: dt.date
    sensitive: bool = False

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_id


@dataclass(frozen=True)
class Election:
    id: str
    name_id: str
    name_en: str
    voting_day: dt.date
    source: str
    phases: tuple[Phase, ...]
    extensions: tuple[dict, ...] = field(default_factory=tuple)
    short_id: str | None = None
    short_en: str | None = None  # the sidebar's choice, where the name is too long for it

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_id

    def short_name(self, lang: str) -> str:
        """The name as the sidebar's narrow choice shows it (short_en / short_id in the file),
        else the name."""
        return (self.short_en if lang == "en" else self.short_id) or self.name(lang)

    def phase_by_key(self, key: str) -> Phase | None:
        return next((p for p in self.phases if p.key == key), None)

    def phases_for(self, regency: str | None = None) -> list[Phase]:
        """Phases with this regency's extensions applied."""
        out = list(self.phases)
        for ext in self.extensions:
            if regency is not None and ext["regency"] == regency:
                out = [
                    Phase(p.key, p.name_id, p.name_en, p.start, ext.get("end", p.end), p.sensitive)
                    if p.key == ext["phase"]
                    else p
                    for p in out
                ]
        return out

    def phase_on(self, day: dt.date, regency: str | None = None) -> Phase | None:
        found = None
        for p in self.phases_for(regency):
            if p.start <= day <= p.end:
                found = p
        return found

    def sensitive_span(self) -> tuple[dt.date, dt.date] | None:
        """From the first to the last day of the phases marked sensitive (masa rawan)."""
        sens = [p for p in self.phases if p.sensitive]
        return (min(p.start for p in sens), max(p.end for p in sens)) if sens else None

    def phases_between(
        self, start: dt.date, end: dt.date, regency: str | None = None
    ) -> list[Phase]:
        """The phases the days from `start` to `end` are tagged with (phase_on), in date order."""
        seen: dict[str, Phase] = {}
        for n in range((end - start).days + 1):
            if (p := self.phase_on(start + dt.timedelta(days=n), regency)) is not None:
                seen.setdefault(p.key, p)
        return list(seen.values())

    def days_to_voting(self, day: dt.date) -> int:
        return (self.voting_day - day).days

    def tag(self, dates: pd.Series, regencies: pd.Series | None = None) -> pd.Series:
        """Phase key for each date (vectorised; OUTSIDE when none applies)."""
        d = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")
        out = np.full(len(d), OUTSIDE, dtype=object)
        for p in self.phases:
            mask = (d >= np.datetime64(p.start)) & (d <= np.datetime64(p.end))
            out[mask] = p.key
        if regencies is not None:
            regs = regencies.to_numpy()
            for ext in self.extensions:
                p = self.phase_by_key(ext["phase"])
                end = np.datetime64(ext.get("end", p.end))
                mask = (
                    (regs == ext["regency"])
                    & (d > np.datetime64(p.end))
                    & (d <= end)
                    & (out == OUTSIDE)
                )
                out[mask] = p.key
        return pd.Series(out, index=dates.index, name="phase")

    def count_by_phase(self, alerts: pd.DataFrame, severities) -> pd.DataFrame:
        """Alerts (columns id, phase, severity) counted by phase and severity: rows in the
        calendar's order, then phase keys the calendar does not know (OUTSIDE); columns in the
        order of `severities`, only those that occur. The input is not changed."""
        table = alerts.pivot_table(
            index="phase", columns="severity", values="id", aggfunc="count", fill_value=0
        )
        order = [p.key for p in self.phases if p.key in table.index]
        order += [k for k in table.index if self.phase_by_key(k) is None]
        return table.reindex(order).reindex(columns=[s for s in severities if s in table.columns])


def _load(path: Path) -> Election:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    phases = tuple(
        Phase(
            p["key"],
            p["name_id"],
            p["name_en"],
            p["start"],
            p["end"],
            bool(p.get("sensitive", False)),
        )
        for p in raw["phase"]
    )
    for p in phases:
        if p.end < p.start:
            raise ValueError(f"{path.name}: phase {p.key} ends before it starts")
    return Election(
        raw["id"],
        raw["name_id"],
        raw["name_en"],
        raw["voting_day"],
        raw["source"],
        phases,
        tuple(raw.get("extension", [])),
        raw.get("short_id"),
        raw.get("short_en"),
    )


@cache
def elections() -> dict[str, Election]:
    """Every calendar in data/elections/, newest voting day first."""
    found = [_load(p) for p in sorted(ELECTIONS.glob("*.toml"))]
    found.sort(key=lambda e: e.voting_day, reverse=True)
    return {e.id: e for e in found}


def default_election() -> Election:
    return next(iter(elections().values()))
