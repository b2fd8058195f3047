"""Who acts on an incident (instansi penindak). Immigration acts only on stay-permit matters;
every other violation belongs to a Timpora member agency (data/reference/agency_routing.csv)."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from domain.paths import REFERENCE


@lru_cache(maxsize=1)
def routing() -> dict[str, str]:
    df = pd.read_csv(REFERENCE / "agency_routing.csv", dtype=str, keep_default_na=False)
    return dict(zip(df["category"], df["agency"]))


def responsible_agency(category: str) -> str:
    return routing().get(category, routing()["lainnya"])


def fill_agencies(categories: pd.Series, given: pd.Series) -> pd.Series:
    """Keep the agency the sender named; derive it from the category when blank."""
    derived = categories.map(routing()).fillna(routing()["lainnya"])
    return given.where(given.notna() & (given.astype(str) != ""), derived)
