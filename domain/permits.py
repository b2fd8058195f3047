"""Which activities each stay permit (izin tinggal) allows, read from
data/reference/permit_activity.csv so an analyst can correct a rule without touching code.

The file is a closed list of what is allowed, with wildcards and explicit refusals:

    permit,activity,allowed,source
    VOA,wisata,yes,...        an exact pair
    ITAS,*,yes,...            every activity on this permit
    *,politik,no,...          this activity on every permit

The most specific line wins: (permit, activity) > (*, activity) > (permit, *) > (*, *).
A pair that no line covers is **not allowed** (the file lists what each permit allows), so work
(bekerja) on BVK/VOA/ITK is a mismatch because no line allows it, and political activity
(politik) is a mismatch on every permit because `*,politik,no` outranks `ITAS,*,yes`.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from domain.paths import REFERENCE

WILDCARD = "*"
POLITICAL = "politik"  # kegiatan politik / pemilihan: not allowed on any permit
WORK = "bekerja"


def _norm_permit(value) -> str:
    return str(value).strip().upper() if value is not None and not pd.isna(value) else ""


def _norm_activity(value) -> str:
    return str(value).strip().lower() if value is not None and not pd.isna(value) else ""


@lru_cache(maxsize=1)
def permit_rules() -> dict[tuple[str, str], bool]:
    """(permit, activity) -> allowed, wildcards kept as '*'. Later lines override earlier ones."""
    df = pd.read_csv(REFERENCE / "permit_activity.csv", dtype=str, keep_default_na=False)
    out: dict[tuple[str, str], bool] = {}
    for permit, activity, allowed_ in zip(df["permit"], df["activity"], df["allowed"]):
        flag = allowed_.strip().lower()
        if flag not in ("yes", "no"):
            raise ValueError(f"permit_activity.csv: allowed must be yes/no, got {allowed_!r}")
        p = WILDCARD if permit.strip() == WILDCARD else _norm_permit(permit)
        a = WILDCARD if activity.strip() == WILDCARD else _norm_activity(activity)
        out[(p, a)] = flag == "yes"
    return out


def allowed(permit: str, activity: str) -> bool:
    """True when the permit allows the activity (see the module docstring for precedence)."""
    rules = permit_rules()
    p, a = _norm_permit(permit), _norm_activity(activity)
    for k in ((p, a), (WILDCARD, a), (p, WILDCARD), (WILDCARD, WILDCARD)):
        if k in rules:
            return rules[k]
    return False


def allowed_many(permits: pd.Series, activities: pd.Series) -> pd.Series:
    """Vectorised `allowed`: one bool per row, same index as `permits`."""
    p = pd.Series(permits).map(_norm_permit)
    a = pd.Series(activities).map(_norm_activity).set_axis(p.index)
    pairs = pd.MultiIndex.from_arrays([p.to_numpy(dtype=object), a.to_numpy(dtype=object)])
    lookup = {pair: allowed(*pair) for pair in pairs.unique()}
    return pd.Series([lookup[pair] for pair in pairs], index=p.index, dtype=bool, name="allowed")


def mismatch_kind(activity: str) -> str:
    """What kind of misuse a not-allowed activity is: 'politik', 'bekerja' or 'lainnya'."""
    a = _norm_activity(activity)
    return a if a in (POLITICAL, WORK) else "lainnya"
