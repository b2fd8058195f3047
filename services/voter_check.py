"""What leadership sees of the voter-list check: counts per regency, never persons (issue 25).

Foreign residents still on a voter list = open "foreigner on the voter list" alerts (not closed,
not stale) dated up to the as-of date, each person and polling station once. The map's metric
"voter_matches", the overview's line and the situation report read these; the person-level
alert is the alerts page's, for analysts (its view audited: `viewed`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from domain.alert_rules.voters import RULE
from domain.filters import Filters
from domain.regions import regency_codes
from domain.roles import require
from storage import queries, voter_lists
from storage.audit import log

# Rules whose alerts are about one person (a NIK pseudonym): analysts only, each view audited.
PERSON_LEVEL = (RULE,)


def matches_by_regency(engine: Engine, f: Filters) -> pd.Series:
    """Open matches per regency code (all ten; 0 where none, NaN outside the account's scope and
    the chosen office, as every map metric)."""
    found = voter_lists.matches_by_regency(engine, f.as_of).set_index("regency_code")["matches"]
    inside = set(queries.scope(f))
    return pd.Series(
        [float(found.get(c, 0)) if c in inside else np.nan for c in regency_codes()],
        index=regency_codes(),
        name="voter_matches",
    )


def summary(engine: Engine, f: Filters) -> dict | None:
    """{"total": n, "by_regency": {code: n, ...} (regencies with one or more)}; None while no
    voter list is held (nothing was checked, which is not "no match")."""
    if voter_lists.last_list_date(engine) is None:
        return None
    values = matches_by_regency(engine, f).dropna()
    found = {c: int(n) for c, n in values.items() if n > 0}
    return {"total": int(sum(found.values())), "by_regency": found}


def viewed(engine: Engine, alert_id: int, rule: str, actor: str, role: str | None) -> None:
    """An analyst opened a person-level alert (a voter-list match): refused to other roles,
    recorded in the audit trail as a person-level view."""
    require(role, "view_person_level")
    log(engine, actor, "person_level_view", f"alert:{int(alert_id)}", {"rule": rule})
