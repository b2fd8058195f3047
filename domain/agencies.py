"""Who acts on an incident or an alert (instansi penindak): a lead agency and the agencies that
support it, per category (data/reference/agency_routing.csv). Immigration leads on stay-permit
matters, permit misuse included; every other violation is led by the Timpora member agency
responsible for it, often with immigration in support for the permit side."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from domain.paths import REFERENCE

OTHER = "lainnya"  # the category whose route takes everything unrouted


@dataclass(frozen=True)
class Route:
    lead: str
    supporting: tuple[str, ...]


@lru_cache(maxsize=1)
def routes() -> dict[str, Route]:
    df = pd.read_csv(REFERENCE / "agency_routing.csv", dtype=str, keep_default_na=False)
    return {
        c: Route(lead.strip(), tuple(s.strip() for s in sup.split(";") if s.strip()))
        for c, lead, sup in zip(df["category"], df["lead"], df["supporting"])
    }


def route(category) -> Route:
    return routes().get(category, routes()[OTHER])


def routing() -> dict[str, str]:
    """category -> lead agency."""
    return {c: r.lead for c, r in routes().items()}


def responsible_agency(category: str) -> str:
    """The lead agency for a category."""
    return route(category).lead


def supporting_agencies(category, lead: str | None = None) -> tuple[str, ...]:
    """The category's supporting agencies, without the agency that leads this case (a file may
    name one of them as its responsible agency)."""
    lead = route(category).lead if lead is None else lead
    return tuple(a for a in route(category).supporting if a != lead)


def supporting_many(categories: pd.Series, leads: pd.Series) -> pd.Series:
    """`supporting_agencies` per row, joined as "A, B" ('' when none), same index as `categories`."""
    return pd.Series(
        [
            ", ".join(supporting_agencies(c, ld if isinstance(ld, str) else None))
            for c, ld in zip(categories, leads)
        ],
        index=categories.index,
        dtype=object,
    )


def fill_agencies(categories: pd.Series, given: pd.Series) -> pd.Series:
    """Keep the agency the sender named; derive the lead from the category when blank."""
    derived = categories.map(routing()).fillna(routes()[OTHER].lead)
    return given.where(given.notna() & (given.astype(str) != ""), derived)


def alert_supporting(detail: dict, lead: str) -> tuple[str, ...]:
    """Supporting agencies of an alert: those of the category it was routed by (`route`, or the
    incident's `category`), without its lead. Surges, gaps and port alerts have none."""
    category = detail.get("route") or detail.get("category")
    return supporting_agencies(category, lead) if category else ()
