"""The thresholds of the alert rules and the risk score (data/reference/alert_rules.toml), as
frozen dataclasses checked by one generic reader driven by their type hints.

`parse_rules(raw)` takes the file already read into a dict (services/thresholds.py reads it) and
refuses, with a ValueError that names the section and key: unknown or missing keys (a typo must
not silently switch a rule off), a severity outside SEVERITIES (`Severity` hints), a negative
number (every number), a number out of its `Bounds` (windows of at least one day, response hours
above 0, proximity 0-1), and what a section's `__post_init__` checks across keys (weights sum to
1, [[overstay.charges]] dated and not overlapping, response-time phases that exist).
"""

from __future__ import annotations

import datetime as dt
import math
import types
import typing
from dataclasses import MISSING, dataclass, fields, is_dataclass
from typing import Annotated, Literal

from domain.calendar import elections

SEVERITIES = ("rendah", "sedang", "tinggi", "kritis")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
Severity = Literal["rendah", "sedang", "tinggi", "kritis"]
RISK_COMPONENTS = (
    "presence",
    "incident_rate",
    "incident_severity",
    "sensitive_incidents",
    "mismatches",
    "election_proximity",
)


@dataclass(frozen=True)
class Bounds:
    """Allowed range of a number beyond "not negative" (`low` inclusive unless `above`)."""

    low: float = 0
    high: float = math.inf
    above: bool = False

    def refuses(self, v: float) -> str | None:
        if self.above and v <= self.low:
            return f"must be more than {self.low:g}"
        if v < self.low or v > self.high:
            return (
                f"must be between {self.low:g} and {self.high:g}"
                if self.high < math.inf
                else "must not be negative"
                if self.low == 0
                else f"must be at least {self.low:g}"
            )
        return None


Days = Annotated[int, Bounds(1)]  # a window or a count that must hold at least one
Hours = Annotated[float, Bounds(0, above=True)]
Share = Annotated[float, Bounds(0, 1)]


# --- the sections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class General:
    immigration_agency: str
    lookback_days: int


@dataclass(frozen=True)
class PresenceSurgeRules:
    window_days: Days
    baseline_days: Days
    min_relative_increase: float
    min_absolute_increase: float
    high_relative_increase: float
    severity: Severity
    high_severity: Severity
    rearm_days: int


@dataclass(frozen=True)
class SensitiveIncidentRules:
    categories: tuple[str, ...]
    include_election_related: bool
    severity_by_level: tuple[tuple[int, Severity], ...]
    min_severity_by_phase: tuple[tuple[str, Severity], ...]

    def level_severity(self, level: int) -> str:
        return dict(self.severity_by_level).get(int(level), "sedang")

    def phase_floor(self, phase: str) -> str | None:
        return dict(self.min_severity_by_phase).get(phase)


@dataclass(frozen=True)
class MismatchRules:
    severity_political: Severity
    severity_other: Severity
    cluster_min_count: Days
    cluster_window_days: Days
    cluster_severity: Severity


@dataclass(frozen=True)
class OverstayCharge:
    """The overstay charge per day under one regulation, in force from `valid_from` to `valid_to`
    (inclusive; None = open-ended on that side). `confirmed` is false while the office has not
    confirmed it."""

    per_day_rp: int
    regulation: str
    confirmed: bool
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class OverstayRules:
    charges: tuple[OverstayCharge, ...]
    deportation_from_days: int
    severity_charge: Severity
    severity_deportation: Severity

    def __post_init__(self):
        if not self.charges:
            raise ValueError(
                "alert_rules [overstay].charges needs at least one [[overstay.charges]] table"
            )
        for a, b in zip(self.charges, self.charges[1:]):
            if a.valid_to is None or b.valid_from is None or b.valid_from <= a.valid_to:
                raise ValueError(
                    "alert_rules [[overstay.charges]] must be in date order and must not overlap"
                )

    def charge_on(self, day: dt.date) -> OverstayCharge | None:
        """The charge in force on `day` (None before the first regulation)."""
        for c in self.charges:
            if (c.valid_from is None or c.valid_from <= day) and (
                c.valid_to is None or day <= c.valid_to
            ):
                return c
        return None


@dataclass(frozen=True)
class ExpiringRules:
    phases: tuple[str, ...]
    lead_days: int
    severity: Severity


@dataclass(frozen=True)
class CrossingRules:
    direction: str
    baseline_days: Days
    min_z: float
    min_count: float
    high_z: float
    severity: Severity
    high_severity: Severity


@dataclass(frozen=True)
class GapRules:
    min_days: Days
    severity: Severity


@dataclass(frozen=True)
class RiskRules:
    window_days: int
    presence_cap: float
    incident_rate_cap: float
    sensitive_cap: float
    mismatch_cap: float
    weights: tuple[tuple[str, float], ...]
    proximity: tuple[tuple[str, Share], ...]

    def __post_init__(self):
        w = dict(self.weights)
        if set(w) != set(RISK_COMPONENTS):
            raise ValueError(f"alert_rules [risk.weights] must name exactly {RISK_COMPONENTS}")
        if abs(sum(w.values()) - 1) > 1e-6:
            raise ValueError("alert_rules [risk.weights] must be non-negative and sum to 1")
        object.__setattr__(
            self, "weights", tuple((k, w[k]) for k in RISK_COMPONENTS)
        )  # the file's order
        if not {"default_sensitive", "default_other"} <= set(dict(self.proximity)):
            raise ValueError(
                "alert_rules [risk.proximity] needs default_sensitive and default_other, values 0-1"
            )

    def weight(self, component: str) -> float:
        return dict(self.weights)[component]

    def proximity_of(self, phase) -> float:
        """election_proximity value of a Phase (or None outside every phase)."""
        if phase is None:
            return 0.0
        table = dict(self.proximity)
        if phase.key in table:
            return table[phase.key]
        return table["default_sensitive"] if phase.sensitive else table["default_other"]


@dataclass(frozen=True)
class ResponseRules:
    """Follow-up response time (batas waktu tindak lanjut) by the alert's phase; domain/follow_up.py."""

    hours_by_phase: tuple[tuple[str, Hours], ...]
    default_hours: Hours

    def __post_init__(self):
        phases = {p.key for e in elections().values() for p in e.phases}
        if typos := sorted(k for k, _ in self.hours_by_phase if k not in phases):
            raise ValueError(f"alert_rules [response_time.hours_by_phase]: unknown phases {typos}")

    def hours_for(self, phase_key: str | None) -> float:
        return dict(self.hours_by_phase).get(phase_key, self.default_hours)


@dataclass(frozen=True)
class Rules:
    """The whole file: one field per [section] (the alert rule table names each rule's section)."""

    general: General
    presence_surge: PresenceSurgeRules
    election_sensitive_incident: SensitiveIncidentRules
    permit_activity_mismatch: MismatchRules
    overstay: OverstayRules
    expiring_permits: ExpiringRules
    crossing_spike: CrossingRules
    reporting_gap: GapRules
    risk: RiskRules
    response_time: ResponseRules
    source: str = ""
    edition: str = ""


# --- the generic reader ------------------------------------------------------------------------


def parse_rules(raw: dict) -> Rules:
    """The thresholds file, read into a dict, as checked `Rules` (ValueError naming what is wrong)."""
    return _build(Rules, raw, "")


def _build(cls, raw, where: str):
    """A dataclass from a TOML table: exactly its fields (those with a default may be left out),
    each converted and checked by its type hint."""
    if not isinstance(raw, dict):
        raise ValueError(f"alert_rules [{where}] must be a table")
    hints = typing.get_type_hints(cls, include_extras=True)
    names = {f.name for f in fields(cls)}
    required = {f.name for f in fields(cls) if f.default is MISSING}
    unknown, missing = sorted(set(raw) - names), sorted(required - set(raw))
    if unknown or missing:
        if not where:
            raise ValueError(f"alert_rules: unknown sections {unknown}, missing {missing}")
        raise ValueError(f"alert_rules [{where}]: unknown keys {unknown}, missing keys {missing}")
    inner = f"{where}." if where else ""
    return cls(**{k: _value(hints[k], v, f"{inner}{k}") for k, v in raw.items()})


def _value(hint, v, where: str):
    """`v` as the type `hint` says, or a ValueError naming `where`."""
    bounds = Bounds()
    if typing.get_origin(hint) is Annotated:
        hint, bounds = typing.get_args(hint)[0], typing.get_args(hint)[1]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if is_dataclass(hint):
        return _build(hint, v, where)
    if origin is Literal:
        if v not in args:
            raise ValueError(f"alert_rules [{where}]: {v!r} is not one of {args}")
        return v
    if origin in (types.UnionType, typing.Union):  # X | None: an optional date
        if v is None:
            return None
        return _value(next(a for a in args if a is not type(None)), v, where)
    if origin is tuple:
        if (
            len(args) == 2 and typing.get_origin(args[0]) is tuple
        ):  # a TOML table -> sorted (key, value) pairs
            key_type, value_type = typing.get_args(args[0])
            if not isinstance(v, dict):
                raise ValueError(f"alert_rules [{where}] must be a table")
            return tuple(
                sorted(
                    (_value(key_type, k, where), _value(value_type, x, f"{where}.{k}"))
                    for k, x in v.items()
                )
            )
        if not isinstance(v, list):
            raise ValueError(f"alert_rules [{where}] must be a list")
        return tuple(_value(args[0], x, where) for x in v)
    if hint is bool:
        if not isinstance(v, bool):
            raise ValueError(f"alert_rules [{where}] must be true or false")
        return v
    if hint is dt.date:
        if not isinstance(v, dt.date):
            raise ValueError(f"alert_rules [{where}] must be a date (YYYY-MM-DD)")
        return v
    if hint is str:
        return str(v)
    if hint in (int, float):
        try:
            number = hint(v)
        except (TypeError, ValueError):
            raise ValueError(f"alert_rules [{where}] must be a number") from None
        if isinstance(v, bool):
            raise ValueError(f"alert_rules [{where}] must be a number")
        if why := bounds.refuses(number):
            raise ValueError(f"alert_rules [{where}] {why}")
        return number
    raise TypeError(f"no reader for {hint!r} ({where})")  # a programming error, not a bad file
